/** Sign-in, sessions, passwords, users and API tokens. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../../core/roles.js';
import type { Tlp } from '../../core/tlp.js';
import type { ApiToken, User } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { DUMMY_HASH, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/passwords.js';
import { ALL_PERMISSIONS, isPermission, permissionsOf } from '../auth/permissions.js';
import {
  CSRF_COOKIE,
  newApiToken,
  newSecret,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sha256,
  type Principal,
} from '../auth/principal.js';
import { FailureLimiter } from '../auth/rate-limit.js';
import { badRequest, forbidden, HttpError, notFound } from '../errors.js';
import { errors, idParams, roleSchema, tlpSchema, userSchema } from './schemas.js';

/** A user as the API shows it: never the password hash. */
export function publicUser(u: User): Omit<User, 'passwordHash'> {
  const { passwordHash: _hidden, ...rest } = u;
  return rest;
}

const publicToken = (t: ApiToken): Omit<ApiToken, 'tokenHash'> => {
  const { tokenHash: _hidden, ...rest } = t;
  return rest;
};

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'integer' },
    expiresAt: { type: ['integer', 'null'] },
    revokedAt: { type: ['integer', 'null'] },
    lastUsedAt: { type: ['integer', 'null'] },
  },
} as const;

const passwordSchema = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 } as const;
const usernameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._@-]+$',
} as const;

const me = (p: Principal) => ({
  user: publicUser(p.user),
  via: p.via,
  permissions: [...p.permissions].sort(),
});

/** Five wrong passwords for one account from one address in 15 minutes, then a pause; 50 per address. */
const perAccount = new FailureLimiter(5, 15 * 60_000);
const perAddress = new FailureLimiter(50, 15 * 60_000);

export function registerAccountRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const principal = (request: FastifyRequest): Principal => request.principal!;

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the session cookie and returns the CSRF token for changes',
        body: {
          type: 'object',
          properties: {
            username: { type: 'string', maxLength: 64 },
            password: { type: 'string', maxLength: 1024 },
          },
          required: ['username', 'password'],
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { csrfToken: { type: 'string' }, user: userSchema } },
          ...errors,
          429: errors[400],
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const accountKey = `${username.toLowerCase()}\0${request.ip}`;
      const wait = Math.max(perAccount.retryAfter(accountKey), perAddress.retryAfter(request.ip));
      if (wait > 0) {
        void reply.header('retry-after', Math.ceil(wait / 1000));
        throw new HttpError(429, 'too-many-attempts', 'too many failed sign-ins; try again later');
      }
      const user = await store.accounts.userByName(username);
      // Partners are machines: they use API tokens, never a password session.
      const ok =
        (await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)) &&
        user !== undefined &&
        !user.disabled &&
        user.role !== 'partner';
      if (!ok || !user) {
        perAccount.fail(accountKey);
        perAddress.fail(request.ip);
        await store.audit.append({
          actor: username,
          action: 'auth.login-failed',
          target: `user:${username}`,
          before: null,
          after: null,
          ip: request.ip,
        });
        throw new HttpError(401, 'login-failed', 'wrong username or password');
      }
      perAccount.clear(accountKey);
      const secret = newSecret();
      const csrf = newSecret();
      const now = Date.now();
      await store.accounts.createSession({
        tokenHash: sha256(secret),
        userId: user.id,
        csrf,
        createdAt: now,
        expiresAt: now + SESSION_TTL_MS,
      });
      await store.audit.append({
        actor: user.username,
        action: 'auth.login',
        target: `user:${user.id}`,
        before: null,
        after: null,
        ip: request.ip,
      });
      const cookieOptions = {
        path: '/',
        sameSite: 'strict' as const,
        secure: ctx.options.secureCookies ?? false,
        maxAge: SESSION_TTL_MS / 1000,
      };
      void reply.setCookie(SESSION_COOKIE, secret, { ...cookieOptions, httpOnly: true });
      // Readable by the web UI's script, which echoes it in the x-csrf-token header.
      void reply.setCookie(CSRF_COOKIE, csrf, { ...cookieOptions, httpOnly: false });
      return { csrfToken: csrf, user: publicUser(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: { type: 'null' }, ...errors } },
    },
    async (request, reply) => {
      const p = principal(request);
      if (p.sessionHash) await store.accounts.deleteSession(p.sessionHash);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, and what they may do',
        response: {
          200: {
            type: 'object',
            properties: {
              user: userSchema,
              via: { type: 'string' },
              permissions: { type: 'array', items: { type: 'string' } },
              csrfToken: {
                type: 'string',
                description:
                  "the session's CSRF token again (a page reloaded in the browser needs it; other origins cannot read this answer)",
              },
            },
          },
          ...errors,
        },
      },
    },
    (request) => {
      const p = principal(request);
      return { ...me(p), ...(p.via === 'session' && p.csrf ? { csrfToken: p.csrf } : {}) };
    },
  );

  app.post<{ Body: { current: string; new: string } }>(
    '/api/auth/password',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password (ends your other sessions)',
        body: {
          type: 'object',
          properties: { current: { type: 'string', maxLength: 1024 }, new: passwordSchema },
          required: ['current', 'new'],
          additionalProperties: false,
        },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const p = principal(request);
      if (!(await verifyPassword(request.body.current, p.user.passwordHash)))
        throw new HttpError(403, 'password-wrong', 'the current password is wrong');
      await store.accounts.updateUser(p.user.id, {
        passwordHash: await hashPassword(request.body.new),
        mustChangePassword: false,
      });
      await store.accounts.deleteSessionsOf(p.user.id);
      await ctx.audit(request, 'user.password-changed', `user:${p.user.id}`, null, null);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/users',
    {
      config: { access: { permission: 'users:read' } },
      schema: {
        tags: ['users'],
        summary: 'Every account',
        response: { 200: { type: 'array', items: userSchema }, ...errors },
      },
    },
    async () => (await store.accounts.listUsers()).map(publicUser),
  );

  interface NewUserBody {
    username: string;
    password: string;
    role: Role;
    organisation?: string | null;
    tlpClearance?: Tlp;
  }
  app.post<{ Body: NewUserBody }>(
    '/api/users',
    {
      config: { access: { permission: 'users:manage' } },
      schema: {
        tags: ['users'],
        summary: 'Create an account (a constituent needs its organisation)',
        body: {
          type: 'object',
          properties: {
            username: usernameSchema,
            password: passwordSchema,
            role: roleSchema,
            organisation: {
              type: ['string', 'null'],
              minLength: 1,
              maxLength: 200,
              pattern: '^[^\\u0000-\\u001f]+$',
            },
            tlpClearance: tlpSchema,
          },
          required: ['username', 'password', 'role'],
          additionalProperties: false,
        },
        response: { 201: userSchema, ...errors, 409: errors[400] },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.role === 'constituent' && !b.organisation)
        throw badRequest(
          'organisation-required',
          'a constituent account speaks for one organisation: give organisation',
        );
      if (await store.accounts.userByName(b.username))
        throw new HttpError(409, 'exists', `user ${b.username} exists`);
      const user = await store.accounts.createUser({
        username: b.username,
        role: b.role,
        organisation: b.organisation ?? null,
        tlpClearance:
          b.tlpClearance ?? (b.role === 'constituent' || b.role === 'partner' ? 'GREEN' : 'AMBER+STRICT'),
        passwordHash: await hashPassword(b.password),
      });
      await ctx.audit(request, 'user.created', `user:${user.id}`, null, publicUser(user));
      return reply.status(201).send(publicUser(user));
    },
  );

  interface UserChangeBody {
    role?: Role;
    organisation?: string | null;
    tlpClearance?: Tlp;
    disabled?: boolean;
    password?: string;
  }
  app.patch<{ Params: { id: string }; Body: UserChangeBody }>(
    '/api/users/:id',
    {
      config: { access: { permission: 'users:manage' } },
      schema: {
        tags: ['users'],
        summary: "Change an account's role, organisation, clearance, password or disable it",
        params: idParams,
        body: {
          type: 'object',
          properties: {
            role: roleSchema,
            organisation: {
              type: ['string', 'null'],
              minLength: 1,
              maxLength: 200,
              pattern: '^[^\\u0000-\\u001f]+$',
            },
            tlpClearance: tlpSchema,
            disabled: { type: 'boolean' },
            password: passwordSchema,
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: userSchema, ...errors },
      },
    },
    async (request) => {
      const before = await store.accounts.getUser(request.params.id);
      if (!before) throw notFound('user');
      const { password, ...change } = request.body;
      if (
        before.id === principal(request).user.id &&
        (change.disabled === true || (change.role && change.role !== 'admin'))
      )
        throw forbidden('an admin cannot disable or demote their own account');
      const after = await store.accounts.updateUser(before.id, {
        ...change,
        ...(password ? { passwordHash: await hashPassword(password), mustChangePassword: true } : {}),
      });
      if (change.disabled || change.role || password) await store.accounts.deleteSessionsOf(before.id);
      await ctx.audit(request, 'user.changed', `user:${before.id}`, publicUser(before), publicUser(after!));
      return publicUser(after!);
    },
  );

  app.get(
    '/api/tokens',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['tokens'],
        summary: 'Your API tokens (an admin sees all)',
        response: { 200: { type: 'array', items: tokenSchema }, ...errors },
      },
    },
    async (request) => {
      const p = principal(request);
      const tokens = await store.accounts.listTokens(
        p.permissions.has('users:manage') ? undefined : p.user.id,
      );
      return tokens.map(publicToken);
    },
  );

  app.post<{ Body: { name: string; scopes?: string[]; expiresInDays?: number; userId?: string } }>(
    '/api/tokens',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token (shown once); an admin may create one for another user, e.g. a partner',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: {
              type: 'array',
              items: { type: 'string', enum: ALL_PERMISSIONS },
              maxItems: 50,
              uniqueItems: true,
            },
            expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
            userId: { type: 'string', maxLength: 100 },
          },
          required: ['name'],
          additionalProperties: false,
        },
        response: {
          201: { type: 'object', properties: { token: { type: 'string' }, info: tokenSchema } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const p = principal(request);
      const b = request.body;
      if (p.via === 'token') throw forbidden('API tokens are created from a signed-in session');
      let owner = p.user;
      if (b.userId !== undefined && b.userId !== p.user.id) {
        if (!p.permissions.has('users:manage')) throw forbidden('only an admin creates tokens for others');
        const other = await store.accounts.getUser(b.userId);
        if (!other) throw notFound('user');
        owner = other;
      }
      const granted = permissionsOf(owner.role);
      const scopes = (b.scopes ?? granted).filter(isPermission);
      const excess = scopes.filter((s) => !granted.includes(s));
      if (excess.length > 0)
        throw badRequest('scope-not-granted', `the ${owner.role} role does not have ${excess.join(', ')}`);
      const token = newApiToken();
      const info = await store.accounts.createToken({
        userId: owner.id,
        name: b.name,
        tokenHash: sha256(token),
        scopes,
        expiresAt: b.expiresInDays ? Date.now() + b.expiresInDays * 86_400_000 : null,
      });
      await ctx.audit(request, 'token.created', `token:${info.id}`, null, publicToken(info));
      return reply.status(201).send({ token, info: publicToken(info) });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token',
        params: idParams,
        response: { 200: tokenSchema, ...errors },
      },
    },
    async (request) => {
      const p = principal(request);
      const before = await store.accounts.getToken(request.params.id);
      if (!before || (before.userId !== p.user.id && !p.permissions.has('users:manage')))
        throw notFound('token');
      const after = await store.accounts.revokeToken(before.id);
      await ctx.audit(
        request,
        'token.revoked',
        `token:${before.id}`,
        publicToken(before),
        publicToken(after!),
      );
      return publicToken(after!);
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/api/audit',
    {
      config: { access: { permission: 'audit:read' } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (append-only: no route changes it)',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 10000 },
            before: { type: 'integer', minimum: 1 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                seq: { type: 'integer' },
                at: { type: 'integer' },
                actor: { type: 'string' },
                action: { type: 'string' },
                target: { type: 'string' },
                before: {},
                after: {},
                ip: { type: ['string', 'null'] },
              },
            },
          },
          ...errors,
        },
      },
    },
    (request) => store.audit.list(request.query),
  );
}
