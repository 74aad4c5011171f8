/**
 * Who is asking: a session cookie (browsers, with a CSRF token for every change) or an API token
 * (scripts and partner CERTs: `Authorization: Bearer vgl_…`, hashed at rest, scoped, revocable).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken, Store, User } from '../../store/index.js';
import { isPermission, permissionsOf, type Permission } from './permissions.js';

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_COOKIE = 'vigil_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 12 * 3600_000;
export const TOKEN_PREFIX = 'vgl_';

export interface Principal {
  readonly user: User;
  readonly via: 'session' | 'token';
  readonly permissions: ReadonlySet<Permission>;
  /** The session's CSRF secret (sessions only). */
  readonly csrf?: string;
  readonly sessionHash?: string;
  readonly token?: ApiToken;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const newSecret = (): string => randomBytes(32).toString('base64url');
export const newApiToken = (): string => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function usable(user: User | undefined): user is User {
  return user !== undefined && !user.disabled;
}

export async function fromSession(store: Store, cookie: string): Promise<Principal | null> {
  const hash = sha256(cookie);
  const session = await store.accounts.getSession(hash);
  if (!session) return null;
  if (session.expiresAt <= Date.now()) {
    await store.accounts.deleteSession(hash);
    return null;
  }
  const user = await store.accounts.getUser(session.userId);
  if (!usable(user)) return null;
  return {
    user,
    via: 'session',
    permissions: new Set(permissionsOf(user.role)),
    csrf: session.csrf,
    sessionHash: hash,
  };
}

export async function fromToken(store: Store, bearer: string): Promise<Principal | null> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const token = await store.accounts.tokenByHash(sha256(bearer));
  if (!token || token.revokedAt !== null) return null;
  if (token.expiresAt !== null && token.expiresAt <= Date.now()) return null;
  const user = await store.accounts.getUser(token.userId);
  if (!usable(user)) return null;
  // A token never carries more than its user's role, whatever scopes it was given.
  const granted = new Set(permissionsOf(user.role));
  const scoped = token.scopes.filter((s): s is Permission => isPermission(s) && granted.has(s));
  // Last use to the minute: a write on every request would serialise reads behind the store's writer.
  if (token.lastUsedAt === null || Date.now() - token.lastUsedAt > 60_000)
    await store.accounts.touchToken(token.id);
  return { user, via: 'token', permissions: new Set(scoped), token };
}
