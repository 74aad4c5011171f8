/** Rules: list, switch on and off, validate, upload (hunts over stored events are in data.ts). */
import { readFile, stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { anyObject, errors, idParams, limitQuery } from './schemas.js';

const ruleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    level: { type: 'string' },
    status: { type: ['string', 'null'] },
    product: { type: ['string', 'null'] },
    category: { type: ['string', 'null'] },
    service: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    file: { type: 'string' },
    kind: { type: 'string', enum: ['rule', 'correlation'] },
    uploaded: { type: 'boolean' },
    enabled: { type: 'boolean' },
  },
} as const;

const validationSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    rules: { type: 'integer' },
    ids: { type: 'array', items: { type: 'string' } },
    problems: { type: 'array', items: anyObject },
  },
} as const;

/** Largest rule file shown (rule files are a few KB; multi-document correlation files a little more). */
const RULE_FILE_MAX = 1024 * 1024;

const ruleText = {
  type: 'object',
  properties: { yaml: { type: 'string', minLength: 1, maxLength: 512 * 1024 } },
  required: ['yaml'],
  additionalProperties: false,
} as const;

export function registerRuleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { rules } = ctx;

  app.get<{
    Querystring: { q?: string; level?: string; enabled?: boolean; offset?: number; limit?: number };
  }>(
    '/api/rules',
    {
      config: { access: { permission: 'rules:read' } },
      schema: {
        tags: ['rules'],
        summary: 'The loaded rules (pack and uploaded), filtered and paged',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200, description: 'text in the title, id or a tag' },
            level: { type: 'string', maxLength: 20 },
            enabled: { type: 'boolean' },
            offset: { type: 'integer', minimum: 0 },
            limit: limitQuery,
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, rules: { type: 'array', items: ruleSchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { q, level, enabled, offset = 0, limit = 100 } = request.query;
      const needle = q?.toLowerCase();
      const found = (await rules.list()).filter(
        (r) =>
          (needle === undefined ||
            r.title.toLowerCase().includes(needle) ||
            r.id.includes(needle) ||
            r.tags.some((t) => t.includes(needle))) &&
          (level === undefined || r.level === level) &&
          (enabled === undefined || r.enabled === enabled),
      );
      return { total: found.length, rules: found.slice(offset, offset + limit) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/rules/:id',
    {
      config: { access: { permission: 'rules:read' } },
      schema: {
        tags: ['rules'],
        summary: 'One rule',
        params: idParams,
        response: { 200: ruleSchema, ...errors },
      },
    },
    async (request) => {
      const rule = await rules.get(request.params.id);
      if (!rule) throw notFound('rule');
      return rule;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/rules/:id/yaml',
    {
      config: { access: { permission: 'rules:read' } },
      schema: {
        tags: ['rules'],
        summary: "One rule's YAML: the text of the file it was loaded from",
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'string' }, file: { type: 'string' }, yaml: { type: 'string' } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const rule = await rules.get(request.params.id);
      if (!rule) throw notFound('rule');
      // The file is one the catalog loaded (the pack or an upload), never a path from the request.
      const size = await stat(rule.file)
        .then((s) => s.size)
        .catch(() => -1);
      if (size < 0) throw notFound('rule file');
      if (size > RULE_FILE_MAX)
        throw badRequest('rule-file-large', `the rule file is over ${RULE_FILE_MAX} bytes`);
      return { id: rule.id, file: rule.file, yaml: await readFile(rule.file, 'utf8') };
    },
  );

  app.patch<{ Params: { id: string }; Body: { enabled: boolean } }>(
    '/api/rules/:id',
    {
      config: { access: { permission: 'rules:write' } },
      schema: {
        tags: ['rules'],
        summary: 'Switch a rule on or off for the next ingest jobs',
        params: idParams,
        body: {
          type: 'object',
          properties: { enabled: { type: 'boolean' } },
          required: ['enabled'],
          additionalProperties: false,
        },
        response: { 200: ruleSchema, ...errors },
      },
    },
    async (request) => {
      const before = await rules.get(request.params.id);
      if (!before) throw notFound('rule');
      await ctx.store.ruleSettings.set({
        ruleId: before.id,
        enabled: request.body.enabled,
        changedBy: request.principal!.user.username,
      });
      await ctx.audit(
        request,
        'rule.switched',
        `rule:${before.id}`,
        { enabled: before.enabled },
        { enabled: request.body.enabled },
      );
      return { ...before, enabled: request.body.enabled };
    },
  );

  app.post<{ Body: { yaml: string } }>(
    '/api/rules/validate',
    {
      config: { access: { permission: 'rules:read' } },
      schema: {
        tags: ['rules'],
        summary: 'Check rule text: every problem with its line and YAML path',
        body: ruleText,
        response: { 200: validationSchema, ...errors },
      },
    },
    (request) => {
      const { ok, rules: count, problems, load } = rules.validate(request.body.yaml);
      return {
        ok,
        rules: count,
        problems,
        ids: [...load.rules.map((r) => r.id), ...load.correlations.map((c) => c.id)],
      };
    },
  );

  app.post<{ Body: { yaml: string } }>(
    '/api/rules',
    {
      config: { access: { permission: 'rules:write' } },
      schema: {
        tags: ['rules'],
        summary: 'Add a rule file; refused with its problems when it does not compile',
        body: ruleText,
        response: { 201: validationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await rules.upload(request.body.yaml);
      if (!result.ok)
        throw badRequest(
          'rule-invalid',
          result.problems
            .map((p) => `${p.line !== undefined ? `line ${p.line}: ` : ''}${p.message}`)
            .join('; ') || 'no rule in the text',
        );
      await ctx.audit(request, 'rule.uploaded', `rule:${result.ids.join(',')}`, null, { ids: result.ids });
      return reply.status(201).send(result);
    },
  );
}
