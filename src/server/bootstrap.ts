/**
 * First start: with no accounts yet, create `admin` — with VIGIL_ADMIN_PASSWORD when it is set,
 * otherwise with a generated one-time password that must be changed at the first sign-in. There are
 * never default credentials.
 */
import type { Store } from '../store/index.js';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from './auth/passwords.js';

export interface FirstAdmin {
  readonly username: string;
  /** Shown once when generated; undefined when it came from the environment. */
  readonly oneTimePassword?: string;
}

export async function ensureAdmin(
  store: Store,
  fromEnv = process.env.VIGIL_ADMIN_PASSWORD,
): Promise<FirstAdmin | undefined> {
  if ((await store.accounts.countUsers()) > 0) return undefined;
  if (fromEnv !== undefined && fromEnv.length < MIN_PASSWORD_LENGTH)
    throw new Error(`VIGIL_ADMIN_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const password = fromEnv ?? generatePassword();
  const user = await store.accounts.createUser({
    username: 'admin',
    role: 'admin',
    organisation: null,
    tlpClearance: 'RED',
    passwordHash: await hashPassword(password),
    mustChangePassword: fromEnv === undefined,
  });
  await store.audit.append({
    actor: 'system',
    action: 'user.created',
    target: `user:${user.id}`,
    before: null,
    after: { username: 'admin', role: 'admin' },
    ip: null,
  });
  return fromEnv === undefined ? { username: 'admin', oneTimePassword: password } : { username: 'admin' };
}
