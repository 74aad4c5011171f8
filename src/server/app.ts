/**
 * `vigil serve`: the team server. Fastify with a JSON schema on every route (strict bodies: unknown
 * fields and wrong types are 400s), an OpenAPI 3 document generated from those schemas at
 * /api/openapi.json, sessions or API tokens on every request, and one permission per route.
 *
 *   const server = await createServer({ store, storeUrl, dataDir, rulePaths });
 *   await server.app.listen({ host: '127.0.0.1', port: 8080 });
 */
import { runFeed } from './feeds/run.js';
import { sendDigests } from './feeds/digest.js';
import { takeAbuseMail, takeFolder } from './feeds/watch.js';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import { authenticate } from './auth/hook.js';
import type { ServerContext, ServerOptions } from './context.js';
import { errorHandler, HttpError } from './errors.js';
import { JobRunner } from './jobs/runner.js';
import { Notifier } from './notifier.js';
import { readMailFolder } from '../notify/maildir.js';
import { listenForMail, smtpSender, type Listener } from '../notify/smtp.js';
import { RuleCatalog } from './rule-catalog.js';
import { registerRoutes } from './routes/index.js';
import { WeeklySchedule } from './reports/schedule.js';
import { API_CSP, registerWebRoutes, UI_CSP } from './web.js';

export type { ServerContext, ServerOptions } from './context.js';

export const DEFAULT_MAX_UPLOAD = 2 * 1024 ** 3;
const MAX_JSON_BODY = 1024 * 1024;

export interface VigilServer {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  /** Reads the mail folder now (the server also does so every minute). */
  readMailFolder(): Promise<void>;
  /** The SMTP listener's port, when one was asked for. */
  readonly mailPort: number | undefined;
  /** Every route registered, as `METHOD /path`. */
  readonly routes: readonly string[];
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions): Promise<VigilServer> {
  const store = options.store;
  const rules = new RuleCatalog(options.rulePaths, options.dataDir, store);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: MAX_JSON_BODY,
    trustProxy: false,
    // Bodies are exactly what the schema says; query strings arrive as text and are coerced.
    schemaErrorFormatter: (errors, dataVar) =>
      new Error(
        errors
          .map(
            (e) =>
              `${dataVar}${e.instancePath} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
          )
          .join('; '),
      ),
  });
  const strict = new Ajv({
    allErrors: false,
    removeAdditional: false,
    coerceTypes: false,
    useDefaults: true,
    strict: false,
  });
  const coercing = new Ajv({
    removeAdditional: false,
    coerceTypes: 'array',
    useDefaults: true,
    strict: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  );
  app.setErrorHandler(errorHandler);
  // No text we keep needs a NUL, and PostgreSQL cannot store one: refuse it at the door, not with a 500.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (/\\u0000/i.test(text) || text.includes('\u0000')) {
      done(new HttpError(400, 'nul-character', 'JSON text may not contain NUL characters'), undefined);
      return;
    }
    try {
      done(null, text === '' ? undefined : (JSON.parse(text) as unknown));
    } catch (error) {
      done(
        new HttpError(400, 'invalid-json', `the body is not JSON: ${(error as Error).message}`),
        undefined,
      );
    }
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        version: '1',
        description:
          'The Vigil team server: evidence, events, detections, incidents, rules, users and the audit log. ' +
          'Authenticate with a session cookie (POST /api/auth/login; changes then need the x-csrf-token header) ' +
          'or an API token (Authorization: Bearer vgl_…).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });
  await app.register(cookie);
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD, files: 100, fields: 10, parts: 110 },
  });

  const jobs = new JobRunner({
    store,
    storeUrl: options.storeUrl,
    dataDir: options.dataDir,
    config: async () => ({
      rulePaths: rules.paths,
      disabledRuleIds: await rules.disabledIds(),
      indicatorPaths: options.indicatorPaths ?? [],
      ruleCacheDir: `${options.dataDir}/cache`,
      homeCountry: options.homeCountry ?? 'CN',
    }),
    log: (m) => app.log.warn(m),
  });

  const team = options.team ?? {
    name: 'Vigil CERT',
    email: options.smtp?.from ?? 'cert@localhost',
    domain: 'localhost',
  };
  const notifier = new Notifier(
    store,
    team,
    options.smtp ? smtpSender(options.smtp) : undefined,
    options.reminders,
  );
  const context: ServerContext = {
    options,
    store,
    rules,
    jobs,
    notifier,
    async audit(request, action, target, before, after) {
      await store.audit.append({
        actor: request.principal?.user.username ?? 'anonymous',
        action,
        target,
        before,
        after,
        ip: request.ip,
      });
    },
  };

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) {
      // Only Fastify's own routes (404s) come here without an access rule.
      if (request.routeOptions.url !== undefined)
        throw new HttpError(500, 'internal', 'route without access rule');
      return;
    }
    await authenticate(context, request, access);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    // Only the UI's hashed bundles may be cached; everything else is somebody's data.
    if (!String(reply.getHeader('cache-control') ?? '').includes('immutable'))
      reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    // A route may set a stricter-fitting policy of its own (the weekly report's HTML needs its inline styles).
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', request.url.startsWith('/api/') ? API_CSP : UI_CSP);
    return payload;
  });

  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== 'HEAD') routes.push(`${m} ${route.url}`);
  });
  registerRoutes(app, context);
  await registerWebRoutes(app, options.webDir);
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () => app.swagger());
  await app.ready();
  if (options.runJobs ?? true) await jobs.start();
  let mailListener: Listener | undefined;
  if (options.smtpListen)
    mailListener = await listenForMail(options.smtpListen.host, options.smtpListen.port, async (raw) => {
      const result = await notifier.receive(raw);
      await store.audit.append({
        actor: 'mail',
        action: result.matched ? `mail.${result.kind}` : 'mail.unmatched',
        target: result.matched ? `case:${result.caseId}` : 'inbox',
        before: null,
        after: result,
        ip: null,
      });
    });
  const mailFolder = async (): Promise<void> => {
    if (!options.mailDir) return;
    const result = await readMailFolder(options.mailDir, async (raw, file) => {
      const taken = await notifier.receive(raw);
      await store.audit.append({
        actor: 'mail',
        action: taken.matched ? `mail.${taken.kind}` : 'mail.unmatched',
        target: taken.matched ? `case:${taken.caseId}` : file,
        before: null,
        after: taken,
        ip: null,
      });
    });
    for (const f of result.failed) app.log.warn(`mail folder: ${f.file}: ${f.reason}`);
  };
  const mailTimer = options.mailDir
    ? setInterval(
        () => void mailFolder().catch((e: unknown) => app.log.warn(`mail folder: ${(e as Error).message}`)),
        60_000,
      )
    : undefined;
  mailTimer?.unref();
  // Reminders and escalations, checked every 10 minutes while the server runs.
  const reminderTimer = setInterval(
    () => void notifier.remind().catch((e: unknown) => app.log.warn(`reminders: ${(e as Error).message}`)),
    600_000,
  );
  reminderTimer.unref();
  const weekly = options.weeklyReports
    ? new WeeklySchedule({
        store,
        homeCountry: options.homeCountry ?? 'CN',
        publisher: team.name,
        options: options.weeklyReports,
        log: (m) => app.log.info(m),
      })
    : undefined;
  // Not awaited: catching up on a large store must not hold the server's start.
  void weekly?.start().catch((e: unknown) => app.log.warn(`weekly report: ${(e as Error).message}`));
  // Feeds with a schedule are pulled while the server runs; a failed run is recorded, not thrown.
  const feedTimers = (options.feeds?.feeds ?? [])
    .filter((f) => f.url !== undefined && f.everyMinutes !== undefined)
    .map((f) => {
      const timer = setInterval(
        () =>
          void runFeed(store, options.feeds!, f.name).catch((e: unknown) =>
            app.log.warn(`feed ${f.name}: ${(e as Error).message}`),
          ),
        f.everyMinutes! * 60_000,
      );
      timer.unref();
      return timer;
    });
  const digestTimer = options.feeds?.digestEveryMinutes
    ? setInterval(
        () =>
          void sendDigests(store, notifier).catch((e: unknown) =>
            app.log.warn(`feed digests: ${(e as Error).message}`),
          ),
        options.feeds.digestEveryMinutes * 60_000,
      )
    : undefined;
  digestTimer?.unref();
  const intake = options.feeds;
  const folderTimer =
    intake && (intake.watch?.length || intake.abuseMailDir)
      ? setInterval(() => {
          for (const w of intake.watch ?? [])
            void takeFolder(store, intake, w).catch((e: unknown) =>
              app.log.warn(`feed folder ${w.dir}: ${(e as Error).message}`),
            );
          if (intake.abuseMailDir)
            void takeAbuseMail(store, intake, intake.abuseMailDir).catch((e: unknown) =>
              app.log.warn(`abuse mail: ${(e as Error).message}`),
            );
        }, 60_000)
      : undefined;
  folderTimer?.unref();
  return {
    app,
    context,
    routes,
    mailPort: mailListener?.port,
    readMailFolder: mailFolder,
    async close() {
      clearInterval(reminderTimer);
      await weekly?.stop();
      for (const t of feedTimers) clearInterval(t);
      if (digestTimer) clearInterval(digestTimer);
      if (folderTimer) clearInterval(folderTimer);
      if (mailTimer) clearInterval(mailTimer);
      await mailListener?.close();
      notifier.sender?.close();
      await jobs.stop();
      await app.close();
    },
  };
}
