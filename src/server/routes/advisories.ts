/**
 * Advisories over HTTP: imported CVE records and CSAF documents (import validates them), our own advisories
 * through draft → review → publish (CSAF 2.0, HTML, e-mail to the affected constituents), matches per
 * organisation, and each organisation's software inventory. A constituent reads only the advisories published
 * to its organisation, and that organisation's matches and inventory (scope.ts). docs/server.md lists the routes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tlp } from '../../core/tlp.js';
import { csafToAdvisory } from '../../advisories/csaf/advisory.js';
import { csafTlp } from '../../advisories/csaf/tlp.js';
import { cveToAdvisory } from '../../advisories/cve/record.js';
import { checkDocument } from '../../advisories/intake.js';
import { importInventory } from '../../advisories/inventory/import.js';
import { normaliseItem, type InventoryItem } from '../../advisories/inventory/model.js';
import { InventoryIndex } from '../../advisories/matching/matcher.js';
import { toCsaf } from '../../advisories/own/csaf.js';
import { advisoryHtml } from '../../advisories/own/html.js';
import { contentProblems, type OwnAdvisory, type OwnAdvisoryContent, type OwnProduct } from '../../advisories/own/model.js';
import { transitionProblem } from '../../advisories/own/workflow.js';
import type { ServerContext } from '../context.js';
import { publishAdvisory } from '../advisory-publisher.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { canSeeOrganisation, canSeeOwnAdvisory, constituentMaySeeAdvisory } from '../scope.js';
import { anyObject, errors, idParams, tlpSchema } from './schemas.js';

const str = (max: number) => ({ type: 'string', maxLength: max }) as const;
const productSchema = {
  type: 'object',
  properties: {
    vendor: { type: 'string', minLength: 1, maxLength: 200 },
    product: { type: 'string', minLength: 1, maxLength: 200 },
    versions: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 100 } },
    range: str(500),
    cpe: str(1024),
    purl: str(1024),
    cvssVector: str(200),
  },
  required: ['vendor', 'product'],
  additionalProperties: false,
} as const;
const contentSchema = {
  type: 'object',
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 300 },
    tlp: tlpSchema,
    summary: str(20_000),
    cves: { type: 'array', maxItems: 200, items: { type: 'string', pattern: '^CVE-[0-9]{4}-[0-9]{4,19}$' } },
    products: { type: 'array', maxItems: 500, items: productSchema },
    remediation: str(20_000),
    references: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 2000 } },
  },
  required: ['title', 'tlp'],
  additionalProperties: false,
} as const;

interface ContentBody {
  title: string;
  tlp: Tlp;
  summary?: string;
  cves?: string[];
  products?: (Omit<OwnProduct, 'versions'> & { versions?: string[] })[];
  remediation?: string;
  references?: string[];
}

function content(b: ContentBody): OwnAdvisoryContent {
  const c: OwnAdvisoryContent = {
    title: b.title,
    tlp: b.tlp,
    summary: b.summary ?? '',
    cves: b.cves ?? [],
    products: (b.products ?? []).map((p) => ({ ...p, versions: p.versions ?? [] })),
    remediation: b.remediation ?? '',
    references: b.references ?? [],
  };
  const problems = contentProblems(c);
  if (problems.length > 0) throw badRequest('advisory.invalid', problems.join('; '));
  return c;
}

const orgParams = idParams;

export function registerAdvisoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, notifier } = ctx;
  const actor = (request: FastifyRequest): string => request.principal!.user.username;
  const publisher = () => ({
    name: notifier.team.name,
    namespace: `https://${notifier.team.domain}`,
    contact: notifier.team.email,
  });
  /** One of our advisories the caller may see, or a 404 — never a hint that one it may not see exists. */
  const own = async (request: FastifyRequest, id: string) => {
    const a = await store.advisories.getOwn(id);
    if (!a || !canSeeOwnAdvisory(request.principal!, a)) throw notFound('advisory');
    return a;
  };
  /**
   * An advisory as the caller may read it: a constituent does not learn which other organisations it went to,
   * nor the CERT's internal history (its notes count the affected organisations).
   */
  const view = (request: FastifyRequest, a: OwnAdvisory): OwnAdvisory => {
    const { role, organisation } = request.principal!.user;
    if (role !== 'constituent') return a;
    return { ...a, organisationIds: a.organisationIds.filter((o) => o === organisation), history: [] };
  };
  /** The organisation a caller asks about, when it may: a constituent's own (the default for it), else 404. */
  const organisationFor = async (request: FastifyRequest, asked: string | undefined): Promise<string> => {
    const principal = request.principal!;
    const id = asked ?? (principal.user.role === 'constituent' ? principal.user.organisation ?? undefined : undefined);
    if (id === undefined) throw badRequest('organisation.missing', 'give the organisation');
    if (!canSeeOrganisation(principal, id) || !(await store.constituency.getOrganisation(id))) throw notFound('organisation');
    return id;
  };

  app.get<{ Querystring: { status?: 'draft' | 'review' | 'published' } }>(
    '/api/advisories',
    {
      config: { access: { permission: 'advisories:read' } },
      schema: {
        tags: ['advisories'],
        summary: "The CERT's own advisories (newest first), optionally of one status; a constituent: the published ones sent to it",
        querystring: { type: 'object', properties: { status: { type: 'string', enum: ['draft', 'review', 'published'] } }, additionalProperties: false },
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) =>
      (await store.advisories.listOwn(request.query.status)).filter((a) => canSeeOwnAdvisory(request.principal!, a)).map((a) => view(request, a)),
  );

  app.post<{ Body: ContentBody }>(
    '/api/advisories',
    {
      config: { access: { permission: 'advisories:write' } },
      schema: { tags: ['advisories'], summary: 'Start a draft advisory', body: contentSchema, response: { 201: anyObject, ...errors } },
    },
    async (request, reply) => {
      const a = await store.advisories.createDraft(content(request.body), actor(request));
      await ctx.audit(request, 'advisory.created', a.id, null, { title: a.title, tlp: a.tlp });
      return reply.code(201).send(a);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { format?: 'json' | 'csaf' | 'html' } }>(
    '/api/advisories/:id',
    {
      config: { access: { permission: 'advisories:read' } },
      schema: {
        tags: ['advisories'],
        summary: 'One own advisory: as stored, as CSAF 2.0 (the published document, or a preview), or as HTML',
        params: idParams,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'csaf', 'html'] } }, additionalProperties: false },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const a = await own(request, request.params.id);
      const format = request.query.format ?? 'json';
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(advisoryHtml(a, publisher().name));
      if (format === 'csaf') {
        const doc = a.csaf ?? toCsaf(a, publisher(), a.updatedAt);
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(doc));
      }
      return view(request, a);
    },
  );

  app.put<{ Params: { id: string }; Body: ContentBody }>(
    '/api/advisories/:id',
    {
      config: { access: { permission: 'advisories:write' } },
      schema: { tags: ['advisories'], summary: 'Replace the content of a draft', params: idParams, body: contentSchema, response: { 200: anyObject, 409: anyObject, ...errors } },
    },
    async (request) => {
      const before = await own(request, request.params.id);
      const after = await store.advisories.editDraft(before.id, content(request.body), actor(request));
      if (!after) throw new HttpError(409, 'advisory.state', `a ${before.status} advisory cannot be edited`);
      await ctx.audit(request, 'advisory.edited', after.id, { title: before.title }, { title: after.title });
      return after;
    },
  );

  for (const [transition, to, action] of [
    ['submit', 'review', 'submitted'],
    ['return', 'draft', 'returned'],
  ] as const)
    app.post<{ Params: { id: string }; Body: { note?: string } | undefined }>(
      `/api/advisories/:id/${transition}`,
      {
        config: { access: { permission: 'advisories:write' } },
        schema: {
          tags: ['advisories'],
          summary: transition === 'submit' ? 'Submit a draft for review' : 'Return an advisory in review to its author as a draft',
          params: idParams,
          body: { type: ['object', 'null'], properties: { note: str(2000) }, additionalProperties: false },
          response: { 200: anyObject, 409: anyObject, ...errors },
        },
      },
      async (request) => {
        const a = await own(request, request.params.id);
        const problem = transitionProblem(a, transition, actor(request));
        if (problem) throw new HttpError(409, 'advisory.state', problem);
        const moved = await store.advisories.move(a.id, to, { at: Date.now(), actor: actor(request), action, note: request.body?.note ?? null });
        if (!moved) throw new HttpError(409, 'advisory.state', 'the advisory changed meanwhile');
        await ctx.audit(request, `advisory.${action}`, a.id, { status: a.status }, { status: moved.status });
        return moved;
      },
    );

  app.post<{ Params: { id: string } }>(
    '/api/advisories/:id/publish',
    {
      config: { access: { permission: 'advisories:publish' } },
      schema: {
        tags: ['advisories'],
        summary: 'Publish an advisory in review (not by its author): CSAF 2.0 validated, e-mailed to the affected constituents, TLP respected',
        params: idParams,
        response: { 200: anyObject, 409: anyObject, 422: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const a = await own(request, request.params.id);
      const result = await publishAdvisory(store, notifier, a.id, actor(request), { publisher: publisher() });
      if (!result.ok) return reply.code(result.status).send({ error: 'advisory.publish', message: result.reason, ...(result.findings ? { findings: result.findings } : {}) });
      await ctx.audit(request, 'advisory.published', a.id, { status: a.status }, { status: 'published', organisationIds: result.advisory.organisationIds });
      return { advisory: result.advisory, deliveries: result.deliveries, matches: result.matches };
    },
  );

  app.post<{ Body: { document: unknown } }>(
    '/api/advisories/import',
    {
      config: { access: { permission: 'advisories:write' } },
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['advisories'],
        summary: 'Import one CVE JSON 5 record or CSAF 2.0 document: validated (schema, CSAF mandatory tests) and stored',
        body: { type: 'object', properties: { document: anyObject }, required: ['document'], additionalProperties: false },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const r = checkDocument(request.body.document);
      if (r.kind === 'unknown' || !r.advisory) throw badRequest('advisory.format', r.findings.map((f) => `${f.check} ${f.path}: ${f.message}`).join('; ').slice(0, 2000));
      const a = r.advisory;
      await store.advisories.putRecord({ id: `${r.kind}:${a.id}`, kind: r.kind, title: a.title, state: a.state, updated: a.updated ?? null, valid: r.valid }, request.body.document);
      await ctx.audit(request, 'advisory.imported', `${r.kind}:${a.id}`, null, { valid: r.valid });
      return { id: `${r.kind}:${a.id}`, kind: r.kind, valid: r.valid, findings: r.findings, checked: r.checked };
    },
  );

  app.get<{ Querystring: { kind?: 'cve' | 'csaf'; limit?: number; offset?: number } }>(
    '/api/advisories/records',
    {
      config: { access: { permission: 'advisories:records' } },
      schema: {
        tags: ['advisories'],
        summary: 'Imported CVE records and CSAF documents',
        querystring: {
          type: 'object',
          properties: { kind: { type: 'string', enum: ['cve', 'csaf'] }, limit: { type: 'integer', minimum: 1, maximum: 1000 }, offset: { type: 'integer', minimum: 0 } },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) => store.advisories.listRecords(request.query),
  );

  app.get<{ Querystring: { organisation?: string } }>(
    '/api/advisories/matches',
    {
      config: { access: { permission: 'advisories:read' } },
      schema: {
        tags: ['advisories'],
        summary: "Which imported advisories and published own advisories affect one organisation's software (a constituent: its own, the default)",
        querystring: { type: 'object', properties: { organisation: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false },
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const index = new InventoryIndex(await store.advisories.software(await organisationFor(request, request.query.organisation)));
      if (index.size === 0) return [];
      const out = [];
      for await (const { id, document } of store.advisories.documents()) {
        if (!id.startsWith('cve:') && !constituentMaySeeAdvisory(principal, csafTlp(document))) continue;
        const advisory = id.startsWith('cve:') ? cveToAdvisory(document, index.readOptions) : csafToAdvisory(document);
        out.push(...index.match(advisory));
        if (out.length > 10_000) break;
      }
      for (const a of await store.advisories.listOwn('published'))
        if (a.csaf && constituentMaySeeAdvisory(principal, a.tlp)) out.push(...index.match(csafToAdvisory(a.csaf)));
      return out;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/constituency/organisations/:id/software',
    {
      config: { access: { permission: 'advisories:read' } },
      schema: { tags: ['advisories'], summary: "An organisation's software inventory (a constituent: its own)", params: orgParams, response: { 200: { type: 'array', items: anyObject }, ...errors } },
    },
    async (request) => store.advisories.software(await organisationFor(request, request.params.id)),
  );

  app.post<{ Params: { id: string }; Body: { text?: string; entries?: Record<string, string>[] } }>(
    '/api/constituency/organisations/:id/software',
    {
      config: { access: { permission: 'advisories:write' } },
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['advisories'],
        summary: 'Add software to an organisation: entries, or a CSV / JSON / CycloneDX / SPDX file as text',
        params: orgParams,
        body: {
          type: 'object',
          properties: {
            text: { type: 'string', maxLength: 32 * 1024 * 1024 },
            entries: { type: 'array', maxItems: 10_000, items: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 } } },
          },
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const orgId = request.params.id;
      if (!(await store.constituency.getOrganisation(orgId))) throw notFound('organisation');
      const items: InventoryItem[] = [];
      const refused: { where: string; message: string }[] = [];
      if (request.body.text !== undefined) {
        const r = await importInventory(new TextEncoder().encode(request.body.text), 'upload', orgId);
        items.push(...r.items);
        refused.push(...r.issues.map((i) => ({ where: `${i.line !== undefined ? `line ${i.line}` : (i.path ?? '')}`, message: i.message })));
      }
      (request.body.entries ?? []).forEach((e, i) => {
        const item = normaliseItem({ organisationId: orgId, vendor: e['vendor'], product: e['product'], version: e['version'], cpe: e['cpe'], purl: e['purl'], source: `entries/${i}` });
        if ('error' in item) refused.push({ where: `entries/${i}`, message: item.error });
        else items.push(item);
      });
      const added = await store.advisories.addSoftware(items);
      await ctx.audit(request, 'inventory.added', orgId, null, { added: added.length, refused: refused.length });
      return { added: added.length, refused };
    },
  );
}
