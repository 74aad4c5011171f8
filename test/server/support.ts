// A Vigil server on a fresh store in a temporary folder, with signed-in clients per role.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/core/roles.js';
import type { Tlp } from '../../src/core/tlp.js';
import { createServer, type ServerOptions, type VigilServer } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { SqliteStore, type Store } from '../../src/store/index.js';

export const PASSWORD = 'a long enough test password';

export interface TestServer {
  readonly server: VigilServer;
  readonly store: Store;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: Partial<ServerOptions> & { store?: Store; storeUrl?: string } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-server-'));
  const storeUrl = options.storeUrl ?? join(dataDir, 'vigil.db');
  const store = options.store ?? new SqliteStore(storeUrl);
  const server = await createServer({
    storeUrl,
    dataDir,
    rulePaths: [],
    runJobs: false,
    ...options,
    store,
  });
  return {
    server,
    store,
    dataDir,
    async close() {
      await server.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Client {
  readonly username: string;
  request(
    method: string,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

export async function addUser(
  store: Store,
  username: string,
  role: Role,
  tlpClearance: Tlp,
  organisation: string | null = null,
) {
  return store.accounts.createUser({
    username,
    role,
    organisation,
    tlpClearance,
    passwordHash: await hashPassword(PASSWORD),
  });
}

/** Signs in with a password and sends the session cookie and CSRF token with every request. */
export async function signIn(server: VigilServer, username: string, password = PASSWORD): Promise<Client> {
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (login.statusCode !== 200) throw new Error(`sign-in of ${username}: ${login.statusCode} ${login.body}`);
  const session = login.cookies.find((c) => c.name === 'vigil_session')!.value;
  const csrf = login.json<{ csrfToken: string }>().csrfToken;
  return client(server, username, { cookie: `vigil_session=${session}`, 'x-csrf-token': csrf });
}

export function sessionClient(server: VigilServer, username: string, secret: string, csrf: string): Client {
  return client(server, username, { cookie: `vigil_session=${secret}`, 'x-csrf-token': csrf });
}

export function withToken(server: VigilServer, username: string, token: string): Client {
  return client(server, username, { authorization: `Bearer ${token}` });
}

function client(server: VigilServer, username: string, auth: Record<string, string>): Client {
  return {
    username,
    request: (method, url, payload, headers = {}) =>
      server.app.inject({
        method: method as 'GET',
        url,
        headers: { ...auth, ...headers },
        ...(payload === undefined
          ? {}
          : typeof payload === 'string' || Buffer.isBuffer(payload)
            ? { payload }
            : { payload: payload as object }),
      }),
  };
}

/** A multipart/form-data body with the given files. */
export function multipart(files: readonly { name: string; content: Buffer | string }[]): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `vigil${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
