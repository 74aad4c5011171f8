/**
 * The constituency over HTTP: organisations and outside parties (read, put, delete), import and
 * export as JSON or CSV, and lookup of who owns an address, domain or URL and who must be told.
 * Every change is audited with its before and after; records are validated by enrich/constituency,
 * whose issues (with field and line) are the answer to a bad record.
 */
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatIssue, type Issue } from '../../core/issue.js';
import {
  ConstituencyIndex,
  exportCsv,
  exportDocument,
  importCsv,
  importDocument,
  jsonLocator,
  OUTSIDE_PARTY_KINDS,
  REPORT_FORMATS,
  validateOrganisation,
  validateParty,
  type Imported,
  type Organisation,
  type OutsidePartyKind,
  type Party,
  type RecordKind,
} from '../../enrich/constituency/index.js';
import type { ServerContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { anyObject, errors, idParams } from './schemas.js';

/** Imports may be larger than other bodies: a national constituency as CSV is a few megabytes. */
const MAX_IMPORT_BODY = 16 * 1024 * 1024;

const line = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const list = (items: object, maxItems = 10_000) => ({ type: 'array', items, maxItems }) as const;

const contactBody = {
  type: 'object',
  properties: {
    email: line(254),
    name: line(200),
    language: line(35),
    pgpKey: line(64 * 1024),
  },
  required: ['email'],
  additionalProperties: false,
} as const;

const organisationBody = {
  type: 'object',
  properties: {
    id: line(100),
    name: line(200),
    sectors: list(line(200), 100),
    country: { type: ['string', 'null'], maxLength: 2 },
    networks: list(line(60)),
    asns: list({ type: ['integer', 'string'], maxLength: 12 }),
    domains: list(line(300)),
    contacts: list(contactBody, 100),
  },
  required: ['name'],
  additionalProperties: false,
} as const;

const partyBody = {
  type: 'object',
  properties: {
    id: line(100),
    name: line(200),
    kind: { type: 'string', enum: OUTSIDE_PARTY_KINDS },
    preferredFormat: { type: 'string', enum: REPORT_FORMATS },
    countries: list(line(2), 300),
    asns: list({ type: ['integer', 'string'], maxLength: 12 }),
    networks: list(line(60)),
    domains: list(line(300)),
    platforms: list(line(200), 100),
    contacts: list(contactBody, 100),
  },
  required: ['name', 'kind', 'contacts'],
  additionalProperties: false,
} as const;

const contactSchema = {
  type: 'object',
  properties: {
    email: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
    pgpKey: { type: 'string' },
  },
} as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const organisationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    sectors: strings,
    country: { type: ['string', 'null'] },
    networks: strings,
    asns: { type: 'array', items: { type: 'integer' } },
    domains: strings,
    contacts: { type: 'array', items: contactSchema },
  },
} as const;
const partySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    preferredFormat: { type: 'string' },
    countries: strings,
    asns: { type: 'array', items: { type: 'integer' } },
    networks: strings,
    domains: strings,
    platforms: strings,
    contacts: { type: 'array', items: contactSchema },
  },
} as const;
const issueSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    severity: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    path: { type: 'string' },
  },
} as const;
const countsSchema = {
  type: 'object',
  properties: {
    created: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer' },
  },
} as const;
const reasonsSchema = { type: 'array', items: { type: 'string' } } as const;

const warnings = (issues: readonly Issue[]): string[] => issues.map(formatIssue);

/** A record refused: 400 with every issue in the message. */
function refuse(issues: readonly Issue[]): never {
  const errs = issues.filter((i) => i.severity === 'error');
  throw badRequest('record-invalid', errs.map((i) => i.message).join('; '));
}

interface ImportBody {
  format: 'json' | 'csv';
  document?: unknown;
  records?: RecordKind;
  csv?: string;
  file?: string;
  dryRun?: boolean;
}

export function registerConstituencyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const repo = store.constituency;

  async function putOrganisation(
    request: FastifyRequest,
    o: Organisation,
    action: string,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    const before = await repo.getOrganisation(o.id);
    if (before && isDeepStrictEqual(before, o)) return 'unchanged';
    await repo.putOrganisation(o);
    await ctx.audit(request, action, `organisation:${o.id}`, before ?? null, o);
    return before ? 'updated' : 'created';
  }

  async function putParty(
    request: FastifyRequest,
    p: Party,
    action: string,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    const before = await repo.getParty(p.id);
    if (before && isDeepStrictEqual(before, p)) return 'unchanged';
    await repo.putParty(p);
    await ctx.audit(request, action, `party:${p.id}`, before ?? null, p);
    return before ? 'updated' : 'created';
  }

  app.get(
    '/api/organisations',
    {
      config: { access: { permission: 'constituency:read' } },
      schema: {
        tags: ['constituency'],
        summary: 'Organisations of the constituency, by id',
        response: { 200: { type: 'array', items: organisationSchema }, ...errors },
      },
    },
    () => repo.listOrganisations(),
  );

  app.get<{ Params: { id: string } }>(
    '/api/organisations/:id',
    {
      config: { access: { permission: 'constituency:read' } },
      schema: {
        tags: ['constituency'],
        summary: 'One organisation of the constituency',
        params: idParams,
        response: { 200: organisationSchema, ...errors },
      },
    },
    async (request) => {
      const o = await repo.getOrganisation(request.params.id);
      if (!o) throw notFound('organisation');
      return o;
    },
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/organisations/:id',
    {
      config: { access: { permission: 'constituency:manage' } },
      schema: {
        tags: ['constituency'],
        summary: 'Create or replace an organisation (networks, ASNs, domains, contacts)',
        params: idParams,
        body: organisationBody,
        response: {
          200: { type: 'object', properties: { organisation: organisationSchema, warnings: reasonsSchema } },
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (request.body.id !== undefined && request.body.id !== id)
        throw badRequest('id-mismatch', 'the id in the body differs from the one in the path');
      const result = validateOrganisation({ ...request.body, id }, jsonLocator('request', ''));
      if (!result.value) refuse(result.issues);
      await putOrganisation(request, result.value, 'organisation.put');
      return { organisation: result.value, warnings: warnings(result.issues) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/organisations/:id',
    {
      config: { access: { permission: 'constituency:manage' } },
      schema: {
        tags: ['constituency'],
        summary: 'Remove an organisation from the constituency',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const before = await repo.deleteOrganisation(request.params.id);
      if (!before) throw notFound('organisation');
      await ctx.audit(request, 'organisation.deleted', `organisation:${before.id}`, before, null);
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: { kind?: OutsidePartyKind } }>(
    '/api/parties',
    {
      config: { access: { permission: 'constituency:read' } },
      schema: {
        tags: ['constituency'],
        summary: 'Outside parties (hosting, cloud, registrars, app stores, CERTs), by id',
        querystring: {
          type: 'object',
          properties: { kind: { type: 'string', enum: OUTSIDE_PARTY_KINDS } },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: partySchema }, ...errors },
      },
    },
    (request) => repo.listParties(request.query.kind),
  );

  app.get<{ Params: { id: string } }>(
    '/api/parties/:id',
    {
      config: { access: { permission: 'constituency:read' } },
      schema: {
        tags: ['constituency'],
        summary: 'One outside party',
        params: idParams,
        response: { 200: partySchema, ...errors },
      },
    },
    async (request) => {
      const p = await repo.getParty(request.params.id);
      if (!p) throw notFound('party');
      return p;
    },
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/parties/:id',
    {
      config: { access: { permission: 'constituency:manage' } },
      schema: {
        tags: ['constituency'],
        summary: 'Create or replace an outside party (what it answers for, its abuse contacts)',
        params: idParams,
        body: partyBody,
        response: {
          200: { type: 'object', properties: { party: partySchema, warnings: reasonsSchema } },
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (request.body.id !== undefined && request.body.id !== id)
        throw badRequest('id-mismatch', 'the id in the body differs from the one in the path');
      const result = validateParty({ ...request.body, id }, jsonLocator('request', ''));
      if (!result.value) refuse(result.issues);
      await putParty(request, result.value, 'party.put');
      return { party: result.value, warnings: warnings(result.issues) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/parties/:id',
    {
      config: { access: { permission: 'constituency:manage' } },
      schema: {
        tags: ['constituency'],
        summary: 'Remove an outside party',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const before = await repo.deleteParty(request.params.id);
      if (!before) throw notFound('party');
      await ctx.audit(request, 'party.deleted', `party:${before.id}`, before, null);
      return reply.status(204).send();
    },
  );

  app.post<{ Body: ImportBody }>(
    '/api/constituency/import',
    {
      bodyLimit: MAX_IMPORT_BODY,
      config: { access: { permission: 'constituency:manage' } },
      schema: {
        tags: ['constituency'],
        summary:
          'Import organisations and parties: a JSON document, or CSV text of one kind; good records are kept, bad ones listed',
        body: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: ['json', 'csv'] },
            document: anyObject,
            records: { type: 'string', enum: ['organisations', 'parties'] },
            csv: { type: 'string', maxLength: MAX_IMPORT_BODY },
            file: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' },
            dryRun: { type: 'boolean' },
          },
          required: ['format'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              dryRun: { type: 'boolean' },
              organisations: countsSchema,
              parties: countsSchema,
              rejected: { type: 'integer' },
              issues: { type: 'array', items: issueSchema },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body;
      let imported: Imported;
      if (body.format === 'json') {
        if (body.document === undefined || body.csv !== undefined || body.records !== undefined)
          throw badRequest('import-invalid', 'a JSON import gives document (and neither csv nor records)');
        imported = importDocument(body.document, body.file ?? 'document.json');
      } else {
        if (body.csv === undefined || body.records === undefined || body.document !== undefined)
          throw badRequest('import-invalid', 'a CSV import gives csv and records (organisations or parties)');
        imported = importCsv(body.records, body.csv, body.file ?? `${body.records}.csv`);
      }
      const counts = {
        organisations: { created: 0, updated: 0, unchanged: 0 },
        parties: { created: 0, updated: 0, unchanged: 0 },
      };
      const dryRun = body.dryRun === true;
      for (const o of imported.organisations) {
        const before = await repo.getOrganisation(o.id);
        const outcome = dryRun
          ? before === undefined
            ? 'created'
            : isDeepStrictEqual(before, o)
              ? 'unchanged'
              : 'updated'
          : await putOrganisation(request, o, 'organisation.imported');
        counts.organisations[outcome]++;
      }
      for (const p of imported.parties) {
        const before = await repo.getParty(p.id);
        const outcome = dryRun
          ? before === undefined
            ? 'created'
            : isDeepStrictEqual(before, p)
              ? 'unchanged'
              : 'updated'
          : await putParty(request, p, 'party.imported');
        counts.parties[outcome]++;
      }
      return { dryRun, ...counts, rejected: imported.rejected, issues: imported.issues };
    },
  );

  app.get<{ Querystring: { format?: 'json' | 'csv'; records?: RecordKind } }>(
    '/api/constituency/export',
    {
      config: { access: { permission: 'constituency:read' } },
      schema: {
        tags: ['constituency'],
        summary: 'Export organisations and parties: one JSON document, or CSV of one kind of record',
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: ['json', 'csv'] },
            records: { type: 'string', enum: ['organisations', 'parties'] },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            description: 'application/json: the document (docs/constituency.md); text/csv: the records',
            type: ['object', 'string'],
            additionalProperties: true,
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? 'json';
      if (format === 'json') {
        const document = exportDocument(await repo.listOrganisations(), await repo.listParties());
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(document));
      }
      const records = request.query.records;
      if (records === undefined)
        throw badRequest('records-missing', 'a CSV export names records: organisations or parties');
      const csv =
        records === 'organisations'
          ? exportCsv('organisations', await repo.listOrganisations())
          : exportCsv('parties', await repo.listParties());
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${records}.csv"`)
        .send(csv);
    },
  );

  app.get<{ Querystring: { target: string } }>(
    '/api/lookup',
    {
      config: { access: { permission: 'constituency:read' } },
      schema: {
        tags: ['constituency'],
        summary: 'Who owns an IP address, domain or URL, and which parties must be told, each with why',
        querystring: {
          type: 'object',
          properties: { target: { type: 'string', minLength: 1, maxLength: 4096 } },
          required: ['target'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              kind: { type: 'string', enum: ['ip', 'domain'] },
              input: { type: 'string' },
              subject: { type: 'string' },
              ip: { type: ['string', 'null'] },
              domain: { type: ['string', 'null'] },
              country: { type: ['string', 'null'] },
              asn: { type: ['integer', 'null'] },
              asName: { type: ['string', 'null'] },
              owners: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    organisation: organisationSchema,
                    by: { type: 'string' },
                    reasons: reasonsSchema,
                  },
                },
              },
              parties: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { party: partySchema, by: { type: 'string' }, reasons: reasonsSchema },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      // Built per request from the store: constituencies are small, and this is never stale.
      const index = new ConstituencyIndex(await repo.listOrganisations(), await repo.listParties());
      const found = index.lookup(request.query.target);
      if (found.kind === 'invalid') throw badRequest('target-invalid', found.reason);
      return found;
    },
  );
}
