/**
 * The one authentication and authorisation step every request passes (an onRequest hook, before
 * the body is read): who is asking, whether the route's permission is theirs, and for cookie
 * sessions whether a change carries the session's CSRF token.
 */
import type { FastifyRequest } from 'fastify';
import { forbidden, HttpError } from '../errors.js';
import type { Access, ServerContext } from '../context.js';
import { CSRF_HEADER, fromSession, fromToken, sameSecret, SESSION_COOKIE } from './principal.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a user with a one-time password may still do: change it, see who they are, sign out. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['/api/auth/password', '/api/auth/me', '/api/auth/logout']);

const unauthenticated = (): HttpError =>
  new HttpError(401, 'unauthenticated', 'sign in (POST /api/auth/login) or send an API token');

export async function authenticate(
  context: ServerContext,
  request: FastifyRequest,
  access: Access,
): Promise<void> {
  if (access === 'public') return;
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    request.principal = await fromToken(context.store, header.slice('Bearer '.length).trim());
    if (!request.principal)
      throw new HttpError(401, 'token-invalid', 'the API token is unknown, revoked or expired');
  } else {
    const cookie = request.cookies[SESSION_COOKIE];
    request.principal = cookie ? await fromSession(context.store, cookie) : null;
    if (!request.principal) throw unauthenticated();
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, request.principal.csrf ?? ''))
        throw new HttpError(403, 'csrf', `changes need the ${CSRF_HEADER} header the sign-in returned`);
    }
  }
  const principal = request.principal;
  if (
    principal.user.mustChangePassword &&
    !ALLOWED_BEFORE_PASSWORD_CHANGE.has(request.routeOptions.url ?? '')
  )
    throw new HttpError(
      403,
      'password-change-required',
      'set a new password first (POST /api/auth/password)',
    );
  if (access === 'signed-in') return;
  if (!principal.permissions.has(access.permission))
    throw forbidden(
      principal.via === 'token'
        ? `this token does not carry ${access.permission}`
        : `the ${principal.user.role} role does not allow ${access.permission}`,
    );
}
