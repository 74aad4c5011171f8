// The team server under load from loopback (autocannon): incident listing, event search, detection
// listing and evidence uploads, on the embedded SQLite store holding the demo intrusion.
// Command: npm run bench -- server
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from '../src/server/app.js';
import { hashPassword } from '../src/server/auth/passwords.js';
import { permissionsOf } from '../src/server/auth/permissions.js';
import { newApiToken, sha256 } from '../src/server/auth/principal.js';
import { SqliteStore } from '../src/store/index.js';
import { SHARED_DATA } from './fixtures.js';
import { table } from './report.js';

const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DEMO = join(import.meta.dirname, '..', 'demo', 'evidence');
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-server-bench-'));
const store = new SqliteStore(join(dataDir, 'vigil.db'));
const rules = join(SHARED_DATA, 'sigma', 'rules');
const server = await createServer({
  store,
  storeUrl: join(dataDir, 'vigil.db'),
  dataDir,
  rulePaths: [join(rules, 'windows'), join(rules, 'web')],
});
const user = await store.accounts.createUser({
  username: 'bench',
  role: 'admin',
  organisation: null,
  tlpClearance: 'RED',
  passwordHash: await hashPassword('bench password, not used'),
});
const token = newApiToken();
await store.accounts.createToken({
  userId: user.id,
  name: 'bench',
  tokenHash: sha256(token),
  scopes: permissionsOf('admin'),
  expiresAt: null,
});
const files = readdirSync(DEMO).sort();
await store.jobs.create(files.map((f) => join(DEMO, f)));
server.context.jobs.enqueue();
await new Promise((r) => setTimeout(r, 100));
await server.context.jobs.whenIdle();
const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
const headers = { authorization: `Bearer ${token}` };

const boundary = 'vigilbench';
const upload = Buffer.concat([
  Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="u_ex.log"\r\nContent-Type: text/plain\r\n\r\n`,
  ),
  readFileSync(join(DEMO, 'u_ex260510.log')),
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);

interface Row {
  readonly what: string;
  readonly path: string;
  readonly method?: 'POST';
  readonly body?: Buffer;
  readonly contentType?: string;
}
const targets: Row[] = [
  { what: 'Incident listing', path: '/api/incidents' },
  {
    what: 'Event search (host and time range)',
    path: '/api/events?host=EXCH01&from=2026-05-10T00:00:00Z&to=2026-05-11T00:00:00Z&limit=100',
  },
  { what: 'Event search (address at either end)', path: '/api/events?ip=203.0.113.80&limit=100' },
  { what: 'Detection listing (high and above)', path: '/api/detections?level=high&limit=100' },
  {
    what: 'Evidence upload (IIS log, 1 file; job queued)',
    path: '/api/evidence',
    method: 'POST',
    body: upload,
    contentType: `multipart/form-data; boundary=${boundary}`,
  },
];

const rows: string[][] = [];
for (const t of targets) {
  // Uploads queue jobs; the queue is stopped so the figures are the request path alone.
  if (t.method === 'POST') await server.context.jobs.stop();
  // autocannon runs in its own process, so the server has this one's event loop to itself.
  const args = [
    '-c',
    '10',
    '-d',
    String(SECONDS),
    '-j',
    '-m',
    t.method ?? 'GET',
    '-H',
    `authorization=${headers.authorization}`,
  ];
  if (t.contentType) args.push('-H', `content-type=${t.contentType}`);
  if (t.body) {
    const bodyFile = join(dataDir, 'upload.body');
    writeFileSync(bodyFile, t.body);
    args.push('-i', bodyFile);
  }
  const { stdout } = await run(process.execPath, [AUTOCANNON, ...args, `${url}${t.path}`], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    statusCodeStats: Record<string, { count: number }>;
  };
  const ok = result.statusCodeStats['200']?.count ?? result.statusCodeStats['202']?.count ?? 0;
  rows.push([
    t.what,
    Math.round(result.requests.average).toLocaleString('en'),
    `${result.latency.p50} ms`,
    `${result.latency.p99} ms`,
    `${ok.toLocaleString('en')} / ${result.requests.total.toLocaleString('en')}`,
  ]);
}
await server.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const events = rows.length;
console.log(`## Team server under load

Command: \`npm run bench -- server\`. \`vigil serve\`'s app on the embedded SQLite store holding the demo intrusion
(${files.length} evidence files ingested through the API's own job queue), driven from loopback by autocannon: 10
connections, ${SECONDS} s per route, API-token authentication on every request (a store lookup each). ${events} routes.

${table(['Route', 'Requests/s', 'p50', 'p99', 'OK / all'], rows)}

Goal: ≥ 2,000 requests/s on listings with p99 < 50 ms.`);
