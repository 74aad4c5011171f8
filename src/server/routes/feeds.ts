/**
 * Feeds over HTTP: the parsers and configured feeds with their last run, a run started by hand, a
 * report uploaded (multipart; the feed named or sniffed), runs, and the stored feed events.
 */
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { loadIntakeSettings, type IntakeSettings } from '../feeds/config.js';
import { intakeBody, parsersOf, runFeed } from '../feeds/run.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { anyObject, errors } from './schemas.js';

const nameParams = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['name'],
  additionalProperties: false,
} as const;

const runSchema = { type: 'object', additionalProperties: true } as const;

export function feedSettings(ctx: ServerContext): IntakeSettings {
  const home = ctx.options.homeCountry ?? 'CN';
  if (ctx.options.feeds) return ctx.options.feeds;
  if (ctx.options.feedConfig) return loadIntakeSettings(ctx.options.feedConfig, home);
  return { homeCountry: home, feeds: [] };
}

const asHttp = (error: unknown): never => {
  if (error instanceof VigilError) {
    if (error.code === 'feeds.unknown') throw notFound(error.message.replace(/ not found$/, ''));
    throw badRequest(error.code, error.message);
  }
  throw error;
};

export function registerFeedRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/feeds',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        tags: ['feeds'],
        summary: 'The feed parsers, and the configured feeds with their last run (counts and first issues)',
        response: { 200: anyObject, ...errors },
      },
    },
    async () => {
      const settings = feedSettings(ctx);
      const feeds = [];
      for (const f of settings.feeds)
        feeds.push({
          name: f.name,
          parser: f.parser ?? null,
          url: f.url ? f.url.replace(/([?&])(?:api[_-]?key|key|token|auth)=[^&#]*/gi, '$1') : null,
          everyMinutes: f.everyMinutes ?? null,
          lastRun: (await ctx.store.intake.lastRun(f.name)) ?? null,
        });
      return {
        parsers: parsersOf(settings).list.map((p) => ({ name: p.name, title: p.title, provider: p.provider })),
        feeds,
      };
    },
  );

  app.post(
    '/api/feeds/:name/run',
    {
      config: { access: { permission: 'evidence:upload' } },
      schema: {
        tags: ['feeds'],
        summary: 'Fetch a configured feed now and take it in (parse, enrich, deduplicate, store, cases)',
        params: nameParams,
        response: { 200: runSchema, ...errors },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const settings = feedSettings(ctx);
      if (!settings.feeds.some((f) => f.name === name)) throw notFound(`feed ${name}`);
      try {
        return await runFeed(ctx.store, settings, name);
      } catch (error) {
        return asHttp(error);
      }
    },
  );

  app.post(
    '/api/feeds/upload',
    {
      config: { access: { permission: 'evidence:upload' } },
      schema: {
        tags: ['feeds'],
        summary: 'Upload one report (multipart/form-data) for a configured feed (?feed=NAME) or sniffed (no feed)',
        consumes: ['multipart/form-data'],
        querystring: {
          type: 'object',
          properties: { feed: { type: 'string', minLength: 1, maxLength: 64 }, parser: { type: 'string', minLength: 1, maxLength: 64 } },
          additionalProperties: false,
        },
        response: { 200: runSchema, ...errors, 415: errors[400] },
      },
    },
    async (request) => {
      if (!request.isMultipart()) throw new HttpError(415, 'multipart-required', 'send the report as multipart/form-data');
      const query = request.query as { feed?: string; parser?: string };
      const settings = feedSettings(ctx);
      const configured = query.feed !== undefined ? settings.feeds.find((f) => f.name === query.feed) : undefined;
      if (query.feed !== undefined && !configured) throw notFound(`feed ${query.feed}`);
      const feed = configured ?? { name: 'upload', ...(query.parser ? { parser: query.parser } : {}) };
      const part = await request.file();
      if (!part) throw badRequest('no-files', 'the upload holds no file');
      try {
        const { run } = await intakeBody(ctx.store, settings, feed, { body: part.file, fileName: part.filename });
        if (part.file.truncated) throw new HttpError(413, 'file-too-large', `${part.filename} is larger than the upload limit`);
        return run;
      } catch (error) {
        if (error instanceof HttpError) throw error;
        return asHttp(error);
      }
    },
  );

  app.get(
    '/api/feeds/runs',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        tags: ['feeds'],
        summary: 'Feed runs, newest first',
        querystring: {
          type: 'object',
          properties: { feed: { type: 'string', minLength: 1, maxLength: 64 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: runSchema }, ...errors },
      },
    },
    async (request) => {
      const q = request.query as { feed?: string; limit?: number };
      return ctx.store.intake.runs(q.feed, q.limit ?? 50);
    },
  );

  app.get(
    '/api/feeds/events',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        tags: ['feeds'],
        summary: 'Stored feed events (deduplicated, harmonised fields), by feed or case',
        querystring: {
          type: 'object',
          properties: {
            feed: { type: 'string', minLength: 1, maxLength: 64 },
            case: { type: 'string', minLength: 1, maxLength: 100 },
            limit: { type: 'integer', minimum: 1, maximum: 10000 },
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) => {
      const q = request.query as { feed?: string; case?: string; limit?: number };
      return ctx.store.intake.events({
        ...(q.feed !== undefined ? { feed: q.feed } : {}),
        ...(q.case !== undefined ? { caseId: q.case } : {}),
        limit: q.limit ?? 100,
      });
    },
  );
}
