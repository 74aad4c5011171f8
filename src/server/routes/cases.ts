/**
 * Cases: open one from an incident, a detection or by hand; classify (RSIT, TLP, PAP), assign, move it
 * through the workflow, merge and link; tasks, comments, observables and evidence with a chain of
 * custody. A constituent sees, and comments on, only its own organisation's cases.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Case, CaseFields } from '../../cases/model.js';
import { PAP_LEVELS, PRIORITIES, SEVERITIES } from '../../cases/model.js';
import { caseFigures, periodOf } from '../../cases/figures.js';
import { observablesOf } from '../../cases/from-detection.js';
import { seedFromIncident } from '../../cases/from-incident.js';
import type { ConstituencyIndex } from '../../enrich/constituency/index.js';
import { normaliseObservable, OBSERVABLE_TYPES, type ObservableType } from '../../cases/observables.js';
import { isRsit, rsit } from '../../cases/rsit.js';
import { CASE_STATES, checkTransition, ENDED, TRANSITIONS, type CaseState } from '../../cases/workflow.js';
import type { Tlp } from '../../core/tlp.js';
import { DEFAULT_INCIDENT_TLP } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { canSeeCase, canSeeIncident } from '../scope.js';
import { ticketOf } from '../notifier.js';
import { casePartiesOf, constituencyIndexOf } from '../case-parties.js';
import { safeFileName } from './evidence.js';
import { anyObject, errors, idParams, tlpSchema } from './schemas.js';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const nullableText = (max: number) => ({ type: ['string', 'null'], minLength: 1, maxLength: max }) as const;

const fieldProperties = {
  title: text(300),
  description: { type: 'string', maxLength: 20_000 },
  rsitClass: nullableText(64),
  rsitType: nullableText(64),
  tlp: tlpSchema,
  pap: { type: 'string', enum: [...PAP_LEVELS] },
  severity: { type: 'string', enum: [...SEVERITIES] },
  priority: { type: 'string', enum: [...PRIORITIES] },
  organisations: {
    type: 'array',
    items: { ...text(200), pattern: '^[^\\u0000-\\u001f]+$' },
    maxItems: 100,
    uniqueItems: true,
  },
  assignee: nullableText(64),
  dueAt: { type: ['integer', 'null'], minimum: 0 },
} as const;

const caseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    number: { type: 'integer' },
    ticket: { type: 'string' },
    status: { type: 'string' },
    statusReason: { type: ['string', 'null'] },
    ...fieldProperties,
    rsitClass: { type: ['string', 'null'] },
    rsitType: { type: ['string', 'null'] },
    assignee: { type: ['string', 'null'] },
    incidentId: { type: ['string', 'null'] },
    detectionIds: { type: 'array', items: { type: 'string' } },
    mergedInto: { type: ['string', 'null'] },
    createdBy: { type: 'string' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    resolvedAt: { type: ['integer', 'null'] },
    allowedTransitions: { type: 'array', items: { type: 'string' } },
    crossBorder: { type: 'boolean' },
    foreignCountries: { type: 'array', items: { type: 'string' } },
  },
} as const;

const caseDetailSchema = {
  type: 'object',
  properties: {
    ...caseSchema.properties,
    tasks: { type: 'array', items: anyObject },
    comments: { type: 'array', items: anyObject },
    observables: { type: 'array', items: anyObject },
    evidence: { type: 'array', items: anyObject },
    links: { type: 'array', items: { type: 'string' } },
  },
} as const;

const caseParams = idParams;
const taskParams = {
  type: 'object',
  properties: { id: idParams.properties.id, taskId: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['id', 'taskId'],
  additionalProperties: false,
} as const;
const evidenceParams = {
  type: 'object',
  properties: { id: idParams.properties.id, evidenceId: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['id', 'evidenceId'],
  additionalProperties: false,
} as const;

type NewCaseBody = Partial<CaseFields> & { from?: { incident?: string; detection?: string } };

export function registerCaseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const home = ctx.options.homeCountry ?? 'CN';
  const principal = (request: FastifyRequest) => request.principal!;

  /**
   * Who must act on a case, and why (the victim organisation, hosters, registrars, app stores,
   * foreign CERTs), from its incident's hosts and infrastructure and its observables.
   */
  const constituencyIndex = (): Promise<ConstituencyIndex> => constituencyIndexOf(store);
  const proposal = (c: Case, index: ConstituencyIndex) => casePartiesOf(store, c, index, home);

  /**
   * The case with what the API adds: its ticket, the moves it may make, and whether it is cross-border.
   * Listings pass one constituency index for all their cases.
   */
  const present = async (c: Case, index?: ConstituencyIndex) => {
    // Cross-border is derived: any party to tell, victim or attacker address outside the home country.
    const border = (await proposal(c, index ?? (await constituencyIndex()))).crossBorder;
    return {
      ...c,
      ticket: ticketOf(c),
      allowedTransitions: [...TRANSITIONS[c.status]],
      crossBorder: border.crossBorder,
      foreignCountries: [...border.foreign],
    };
  };

  /** For the detections of a new case: which of them names each observable. */
  const observableDetections = async (ids: readonly string[]): Promise<Map<string, string[]>> => {
    const named = new Map<string, string[]>();
    // A case of a large incident links the first thousands; the rest stay on the case's detection list.
    for (const id of ids.slice(0, 5000)) {
      const d = await store.detections.get(id);
      if (!d) continue;
      for (const o of observablesOf(d.detection)) {
        const key = `${o.type}\u0000${o.value}`;
        const list = named.get(key);
        if (list) list.push(id);
        else named.set(key, [id]);
      }
    }
    return named;
  };

  const visible = async (request: FastifyRequest, id: string): Promise<Case> => {
    const found = await store.cases.get(id);
    if (!found || !canSeeCase(principal(request), found)) throw notFound('case');
    return found;
  };

  const checkRsit = (cls: string | null | undefined, type: string | null | undefined): void => {
    if (cls === undefined || cls === null) {
      if (type) throw badRequest('rsit-invalid', 'an RSIT type needs its class');
      return;
    }
    if (!isRsit(cls, type ?? null))
      throw badRequest('rsit-invalid', `"${cls}${type ? `/${type}` : ''}" is not in the RSIT taxonomy`);
  };

  app.get<{ Querystring: { week?: string; from?: string; to?: string } }>(
    '/api/figures',
    {
      config: { access: { permission: 'figures:read' } },
      schema: {
        tags: ['cases'],
        summary:
          'Figures for a period (an ISO week, or from/to): cases by RSIT class, cross-border, notifications, time to resolution',
        querystring: {
          type: 'object',
          properties: {
            week: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' },
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
          },
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const period = periodOf(request.query);
      if ('problem' in period) throw badRequest('period-invalid', period.problem);
      const index = await constituencyIndex();
      const cases = await Promise.all(
        (await store.cases.list({ limit: 10_000 })).map((c) => present(c, index)),
      );
      const sent = await store.notifications.sentBetween(period.from, period.to);
      return caseFigures(cases, sent, period);
    },
  );

  app.get(
    '/api/rsit',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['cases'],
        summary: 'The RSIT taxonomy: classes and their types',
        response: { 200: anyObject, ...errors },
      },
    },
    () => rsit(),
  );

  app.get<{ Querystring: { status?: CaseState; organisation?: string; assignee?: string; limit?: number } }>(
    '/api/cases',
    {
      config: { access: { permission: 'cases:read' } },
      schema: {
        tags: ['cases'],
        summary: 'Cases you may see, newest first',
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...CASE_STATES] },
            organisation: text(200),
            assignee: text(64),
            limit: { type: 'integer', minimum: 1, maximum: 10000 },
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: caseSchema }, ...errors },
      },
    },
    async (request) => {
      const p = principal(request);
      const cases = (await store.cases.list(request.query)).filter((c) => canSeeCase(p, c));
      const index = await constituencyIndex();
      return Promise.all(cases.map((c) => present(c, index)));
    },
  );

  app.post<{ Body: NewCaseBody }>(
    '/api/cases',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary: 'Open a case: from an incident, from a detection, or by hand',
        body: {
          type: 'object',
          properties: {
            ...fieldProperties,
            from: {
              type: 'object',
              properties: { incident: text(200), detection: text(200) },
              additionalProperties: false,
              minProperties: 1,
              maxProperties: 1,
            },
          },
          additionalProperties: false,
        },
        response: { 201: caseDetailSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      checkRsit(b.rsitClass, b.rsitType);
      let seed = {
        title: b.title,
        description: b.description ?? '',
        detectionIds: [] as readonly string[],
        observables: [] as { type: ObservableType; value: string }[],
      };
      let incidentId: string | null = null;
      let organisations = b.organisations ?? [];
      let tlp: Tlp = b.tlp ?? 'AMBER';
      if (b.from?.incident) {
        const [incident, handling] = await Promise.all([
          store.incidents.get(b.from.incident),
          store.handling.get(b.from.incident),
        ]);
        if (!incident || !canSeeIncident(principal(request), handling)) throw notFound('incident');
        const s = seedFromIncident(incident);
        seed = {
          title: b.title ?? s.title,
          description: b.description ?? s.description,
          detectionIds: s.detectionIds.length > 0 ? s.detectionIds : incident.detectionIds,
          observables: [...s.observables],
        };
        incidentId = incident.id;
        if (organisations.length === 0 && handling?.organisation) organisations = [handling.organisation];
        tlp = b.tlp ?? handling?.tlp ?? DEFAULT_INCIDENT_TLP;
      } else if (b.from?.detection) {
        const d = await store.detections.get(b.from.detection);
        if (!d) throw notFound('detection');
        const det = d.detection;
        seed = {
          title: b.title ?? `${det.ruleTitle}${det.host ? ` on ${det.host}` : ''}`,
          description:
            b.description ??
            `${det.level} detection of ${det.ruleTitle} at ${new Date(det.timestamp).toISOString()}.`,
          detectionIds: [d.id],
          observables: observablesOf(det),
        };
      }
      if (!seed.title) throw badRequest('title-required', 'a case opened by hand needs a title');
      const created = await store.cases.create({
        title: seed.title,
        description: seed.description,
        rsitClass: b.rsitClass ?? null,
        rsitType: b.rsitType ?? null,
        tlp,
        pap: b.pap ?? 'AMBER',
        severity: b.severity ?? 'medium',
        priority: b.priority ?? 'normal',
        organisations,
        assignee: b.assignee ?? null,
        dueAt: b.dueAt ?? null,
        incidentId,
        detectionIds: seed.detectionIds,
        createdBy: principal(request).user.username,
      });
      // Each observable is linked to the detections that name it.
      const named = await observableDetections(seed.detectionIds);
      for (const o of seed.observables) {
        const norm = normaliseObservable(o.type, o.value);
        if ('value' in norm)
          await store.cases.addObservable({
            caseId: created.id,
            type: o.type,
            value: norm.value,
            detectionIds: named.get(`${o.type}\u0000${norm.value}`) ?? [],
          });
      }
      await ctx.audit(request, 'case.opened', `case:${created.id}`, null, created);
      return reply.status(201).send(await detail(created));
    },
  );

  const detail = async (c: Case) => ({
    ...(await present(c)),
    tasks: await store.cases.tasks(c.id),
    comments: await store.cases.comments(c.id),
    observables: await store.cases.observables(c.id),
    evidence: (await store.cases.evidence(c.id)).map(({ path: _kept, ...e }) => e),
    links: await store.cases.links(c.id),
  });

  app.get<{ Params: { id: string } }>(
    '/api/cases/:id/parties',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary:
          'Who must act on this case and why: the victim, hosters, registrars, app stores, foreign CERTs',
        params: caseParams,
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => proposal(await visible(request, request.params.id), await constituencyIndex()),
  );

  app.get<{ Params: { id: string } }>(
    '/api/cases/:id',
    {
      config: { access: { permission: 'cases:read' } },
      schema: {
        tags: ['cases'],
        summary: 'One case with its tasks, comments, observables, evidence and links',
        params: caseParams,
        response: { 200: caseDetailSchema, ...errors },
      },
    },
    async (request) => detail(await visible(request, request.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/cases/:id/audit',
    {
      config: { access: { permission: 'cases:audit' } },
      schema: {
        tags: ['cases'],
        summary:
          "A case's audit trail, newest first: who changed, moved, notified or commented, when, before and after",
        params: caseParams,
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) => {
      const c = await visible(request, request.params.id);
      return store.audit.forTarget(`case:${c.id}`, 1000);
    },
  );

  app.patch<{ Params: { id: string }; Body: Partial<CaseFields> }>(
    '/api/cases/:id',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary:
          'Change a case: classification, TLP, PAP, severity, priority, organisations, assignee, due date',
        params: caseParams,
        body: { type: 'object', properties: fieldProperties, additionalProperties: false, minProperties: 1 },
        response: { 200: caseSchema, ...errors },
      },
    },
    async (request) => {
      const before = await visible(request, request.params.id);
      const b = request.body;
      checkRsit(
        b.rsitClass === undefined ? before.rsitClass : b.rsitClass,
        b.rsitType === undefined ? (b.rsitClass === undefined ? before.rsitType : null) : b.rsitType,
      );
      const after = await store.cases.update(before.id, b);
      await ctx.audit(request, 'case.changed', `case:${before.id}`, before, after);
      return present(after!);
    },
  );

  app.post<{ Params: { id: string }; Body: { to: CaseState; reason?: string } }>(
    '/api/cases/:id/transition',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary: 'Move a case through its workflow (rejected and duplicate need a reason)',
        params: caseParams,
        body: {
          type: 'object',
          properties: {
            to: { type: 'string', enum: [...CASE_STATES] },
            reason: { type: 'string', maxLength: 2000 },
          },
          required: ['to'],
          additionalProperties: false,
        },
        response: { 200: caseSchema, ...errors, 409: errors[400] },
      },
    },
    async (request) => {
      const before = await visible(request, request.params.id);
      const check = checkTransition(before.status, request.body.to, request.body.reason);
      if (!check.ok) throw new HttpError(409, check.code, check.message);
      const to = request.body.to;
      // Resolution time: set on resolving (or closing what was never resolved), cleared on reopening.
      const resolvedAt =
        to === 'resolved' || (to === 'closed' && before.resolvedAt === null)
          ? Date.now()
          : ENDED.has(to)
            ? before.resolvedAt
            : null;
      const after = await store.cases.update(before.id, {
        status: to,
        statusReason: request.body.reason ?? null,
        resolvedAt,
      });
      await ctx.audit(
        request,
        'case.transition',
        `case:${before.id}`,
        { status: before.status },
        { status: after!.status, reason: after!.statusReason },
      );
      return present(after!);
    },
  );

  app.post<{ Params: { id: string }; Body: { into: string } }>(
    '/api/cases/:id/merge',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary:
          'Merge this case into another: its detections, organisations and observables move over; it becomes a duplicate',
        params: caseParams,
        body: {
          type: 'object',
          properties: { into: text(100) },
          required: ['into'],
          additionalProperties: false,
        },
        response: { 200: caseDetailSchema, ...errors, 409: errors[400] },
      },
    },
    async (request) => {
      const source = await visible(request, request.params.id);
      const target = await visible(request, request.body.into);
      if (source.id === target.id)
        throw new HttpError(409, 'merge-self', 'a case cannot be merged into itself');
      if (source.mergedInto !== null)
        throw new HttpError(409, 'already-merged', `this case was merged into ${source.mergedInto}`);
      const merged = await store.cases.update(target.id, {
        detectionIds: [...new Set([...target.detectionIds, ...source.detectionIds])],
        organisations: [...new Set([...target.organisations, ...source.organisations])],
      });
      for (const o of await store.cases.observables(source.id))
        await store.cases.addObservable({
          caseId: target.id,
          type: o.type,
          value: o.value,
          detectionIds: o.detectionIds,
        });
      await store.cases.update(source.id, {
        status: 'duplicate',
        statusReason: `merged into ${ticketOf(target)}`,
        mergedInto: target.id,
      });
      await store.cases.link(source.id, target.id);
      await ctx.audit(
        request,
        'case.merged',
        `case:${source.id}`,
        { status: source.status },
        { mergedInto: target.id },
      );
      return detail(merged!);
    },
  );

  app.post<{ Params: { id: string }; Body: { case: string } }>(
    '/api/cases/:id/links',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary: 'Link a related case',
        params: caseParams,
        body: {
          type: 'object',
          properties: { case: text(100) },
          required: ['case'],
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: { type: 'string' } }, ...errors },
      },
    },
    async (request) => {
      const a = await visible(request, request.params.id);
      const b = await visible(request, request.body.case);
      if (a.id === b.id) throw badRequest('link-self', 'a case cannot be linked to itself');
      await store.cases.link(a.id, b.id);
      await ctx.audit(request, 'case.linked', `case:${a.id}`, null, { case: b.id });
      return store.cases.links(a.id);
    },
  );

  app.post<{ Params: { id: string }; Body: { title: string; owner?: string | null; dueAt?: number | null } }>(
    '/api/cases/:id/tasks',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary: 'Add a task with an owner and a due date',
        params: caseParams,
        body: {
          type: 'object',
          properties: { title: text(500), owner: nullableText(64), dueAt: fieldProperties.dueAt },
          required: ['title'],
          additionalProperties: false,
        },
        response: { 201: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const c = await visible(request, request.params.id);
      const task = await store.cases.addTask({
        caseId: c.id,
        title: request.body.title,
        owner: request.body.owner ?? null,
        dueAt: request.body.dueAt ?? null,
      });
      await ctx.audit(request, 'case.task-added', `case:${c.id}`, null, task);
      return reply.status(201).send(task);
    },
  );

  app.patch<{
    Params: { id: string; taskId: string };
    Body: { title?: string; owner?: string | null; dueAt?: number | null; done?: boolean };
  }>(
    '/api/cases/:id/tasks/:taskId',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary: 'Change a task or mark it done',
        params: taskParams,
        body: {
          type: 'object',
          properties: {
            title: text(500),
            owner: nullableText(64),
            dueAt: fieldProperties.dueAt,
            done: { type: 'boolean' },
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const c = await visible(request, request.params.id);
      const before = (await store.cases.tasks(c.id)).find((t) => t.id === request.params.taskId);
      if (!before) throw notFound('task');
      const after = await store.cases.updateTask(c.id, before.id, request.body);
      await ctx.audit(request, 'case.task-changed', `case:${c.id}`, before, after);
      return after;
    },
  );

  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/cases/:id/comments',
    {
      config: { access: { permission: 'cases:comment' } },
      schema: {
        tags: ['cases'],
        summary: 'Comment on a case (a constituent on its own cases)',
        params: caseParams,
        body: {
          type: 'object',
          properties: { text: text(20_000) },
          required: ['text'],
          additionalProperties: false,
        },
        response: { 201: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const c = await visible(request, request.params.id);
      const comment = await store.cases.addComment({
        caseId: c.id,
        author: principal(request).user.username,
        text: request.body.text,
      });
      await ctx.audit(request, 'case.commented', `case:${c.id}`, null, { comment: comment.id });
      return reply.status(201).send(comment);
    },
  );

  app.post<{
    Params: { id: string };
    Body: { type: ObservableType; value: string; detectionIds?: string[] };
  }>(
    '/api/cases/:id/observables',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary: 'Add an observable (typed, normalised, kept once per case)',
        params: caseParams,
        body: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: [...OBSERVABLE_TYPES] },
            value: text(2048),
            detectionIds: { type: 'array', items: text(100), maxItems: 1000 },
          },
          required: ['type', 'value'],
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const c = await visible(request, request.params.id);
      const norm = normaliseObservable(request.body.type, request.body.value);
      if ('problem' in norm) throw badRequest('observable-invalid', norm.problem);
      const added = await store.cases.addObservable({
        caseId: c.id,
        type: request.body.type,
        value: norm.value,
        detectionIds: request.body.detectionIds ?? [],
      });
      await ctx.audit(request, 'case.observable-added', `case:${c.id}`, null, {
        type: added.type,
        value: added.value,
      });
      return added;
    },
  );

  const evidenceDir = join(ctx.options.dataDir, 'case-evidence');

  app.post<{ Params: { id: string } }>(
    '/api/cases/:id/evidence',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['cases'],
        summary:
          'Attach an evidence file (multipart): its SHA-256 is computed as it is stored, and custody starts',
        params: caseParams,
        consumes: ['multipart/form-data'],
        response: { 201: anyObject, ...errors, 413: errors[400], 415: errors[400] },
      },
    },
    async (request, reply) => {
      const c = await visible(request, request.params.id);
      if (!request.isMultipart())
        throw new HttpError(415, 'multipart-required', 'send the file as multipart/form-data');
      const part = await request.file();
      if (!part) throw badRequest('no-files', 'the upload holds no file');
      const folder = join(evidenceDir, c.id);
      await mkdir(folder, { recursive: true });
      const path = join(folder, `${randomUUID()}-${safeFileName(part.filename, 0)}`);
      const hash = createHash('sha256');
      let size = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(part.file, hashing, createWriteStream(path, { flags: 'wx' }));
      if (part.file.truncated) {
        await rm(path, { force: true });
        throw new HttpError(413, 'file-too-large', 'the file is larger than the upload limit');
      }
      const sha256 = hash.digest('hex');
      const evidence = await store.cases.addEvidence(
        { caseId: c.id, name: safeFileName(part.filename, 0).slice(4), sha256, size, path },
        {
          at: Date.now(),
          actor: principal(request).user.username,
          action: 'added',
          note: `SHA-256 ${sha256}`,
        },
      );
      await ctx.audit(request, 'case.evidence-added', `case:${c.id}`, null, {
        evidence: evidence.id,
        name: evidence.name,
        sha256,
        size,
      });
      const { path: _kept, ...shown } = evidence;
      return reply.status(201).send(shown);
    },
  );

  app.get<{ Params: { id: string; evidenceId: string } }>(
    '/api/cases/:id/evidence/:evidenceId',
    {
      config: { access: { permission: 'cases:read' } },
      schema: {
        tags: ['cases'],
        summary: 'Download an evidence file (recorded in its chain of custody)',
        params: evidenceParams,
        produces: ['application/octet-stream'],
      },
    },
    async (request, reply) => {
      const c = await visible(request, request.params.id);
      const e = (await store.cases.evidence(c.id)).find((x) => x.id === request.params.evidenceId);
      if (!e) throw notFound('evidence');
      await store.cases.addCustody(e.id, {
        at: Date.now(),
        actor: principal(request).user.username,
        action: 'downloaded',
        note: null,
      });
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${encodeURIComponent(e.name)}"`)
        .header('x-sha256', e.sha256)
        .send(createReadStream(e.path));
    },
  );
}
