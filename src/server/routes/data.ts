/** Reading what the store holds: events (pivots and Sigma hunts), detections, incidents; sharing indicators. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LEVELS, type Level } from '../../core/detection.js';
import type { Tlp } from '../../core/tlp.js';
import { tlpAllows } from '../../core/tlp.js';
import { hunt } from '../../store/hunt.js';
import { pivotQuery, type PivotText } from '../../store/pivot.js';
import {
  DEFAULT_INCIDENT_TLP,
  type EventQuery,
  type IncidentHandling,
  type IncidentSummary,
  type StoredEvent,
  type StoredIncident,
} from '../../store/index.js';
import type { ServerContext } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { badRequest, notFound } from '../errors.js';
import { canSeeIncident } from '../scope.js';
import { anyObject, errors, idParams, limitQuery, tlpSchema } from './schemas.js';

interface PivotQuery {
  from?: string;
  to?: string;
  host?: string;
  user?: string;
  ip?: string;
  field?: string;
  text?: string;
}

const text = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const pivotProperties = {
  from: { ...text, description: 'ISO 8601 time (UTC)' },
  to: { ...text, description: 'ISO 8601 time (UTC)' },
  host: text,
  user: text,
  ip: text,
  field: { ...text, description: 'NAME=VALUE: a native field equal to a value (case-insensitive)' },
  text: { ...text, description: 'any field containing this text' },
} as const;

function eventQuery(q: PivotText): Omit<EventQuery, 'limit' | 'after'> {
  const pivot = pivotQuery(q);
  if ('problem' in pivot) throw badRequest(pivot.code, pivot.problem);
  return pivot.query;
}

/** `timestamp:id` of the last event of a page: where the next page starts. */
function cursor(value: string | undefined): EventQuery['after'] | undefined {
  if (value === undefined) return undefined;
  const m = /^(-?\d+):(.+)$/.exec(value);
  if (!m) throw badRequest('cursor-invalid', 'after wants the next cursor of a previous page');
  return { timestamp: Number(m[1]), id: m[2]! };
}

const storedEventSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    timestamp: { type: 'string' },
    host: { type: ['string', 'null'] },
    user: { type: ['string', 'null'] },
    srcIp: { type: ['string', 'null'] },
    dstIp: { type: ['string', 'null'] },
    source: anyObject,
    fields: anyObject,
  },
} as const;

const detectionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    ruleId: { type: 'string' },
    ruleTitle: { type: 'string' },
    level: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    timestamp: { type: 'string' },
    host: { type: ['string', 'null'] },
    fields: anyObject,
    source: anyObject,
    eventId: { type: 'string' },
  },
} as const;

const incidentSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    firstSeen: { type: 'string' },
    lastSeen: { type: 'string' },
    tlp: tlpSchema,
    organisation: { type: ['string', 'null'] },
    detections: { type: 'integer' },
  },
} as const;

/** Events one hunt request reads at most (about a second on the embedded store); more: narrow it or raise it. */
const HUNT_MAX_EVENTS = 200_000;

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');

/** A stored event as the API shows it (storedEventSchema). */
const eventJson = (e: StoredEvent) => ({
  id: e.id,
  timestamp: iso(e.event.timestamp),
  host: e.host,
  user: e.user,
  srcIp: e.srcIp,
  dstIp: e.dstIp,
  source: e.event.source,
  fields: e.event.fields,
});

export function registerDataRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const principal = (request: FastifyRequest): Principal => request.principal!;

  app.get<{ Querystring: PivotQuery & { limit?: number; after?: string } }>(
    '/api/events',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        tags: ['events'],
        summary: 'Stored events, in time order: by time, host, user, address, field, text',
        querystring: {
          type: 'object',
          properties: { ...pivotProperties, limit: limitQuery, after: { type: 'string', maxLength: 300 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              events: { type: 'array', items: storedEventSchema },
              next: { type: ['string', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const after = cursor(request.query.after);
      const found = await store.events.search({
        ...eventQuery(request.query),
        limit,
        ...(after ? { after } : {}),
      });
      const last = found.at(-1);
      return {
        events: found.map(eventJson),
        next: found.length === limit && last ? `${last.event.timestamp}:${last.id}` : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/events/:id',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        tags: ['events'],
        summary: 'One stored event',
        params: idParams,
        response: { 200: storedEventSchema, ...errors },
      },
    },
    async (request) => {
      const e = await store.events.get(request.params.id);
      if (!e) throw notFound('event');
      return eventJson(e);
    },
  );

  app.post<{ Body: { rule: string; within?: PivotQuery; limit?: number; maxEvents?: number } }>(
    '/api/hunts',
    {
      config: { access: { permission: 'hunt:run' } },
      schema: {
        tags: ['events'],
        summary:
          'Run Sigma rule text (one or more documents) over the stored events (at most maxEvents, default 200,000)',
        body: {
          type: 'object',
          properties: {
            rule: { type: 'string', minLength: 1, maxLength: 256 * 1024 },
            within: { type: 'object', properties: pivotProperties, additionalProperties: false },
            limit: { type: 'integer', minimum: 1, maximum: 10000 },
            maxEvents: { type: 'integer', minimum: 1, maximum: 2_000_000 },
          },
          required: ['rule'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              scanned: { type: 'integer' },
              truncated: { type: 'boolean' },
              detections: { type: 'array', items: detectionSchema },
              problems: { type: 'array', items: anyObject },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const result = await hunt(
        store,
        request.body.rule,
        'hunt.yml',
        eventQuery(request.body.within ?? {}),
        request.body.limit ?? 1000,
        // A hunt runs on the request: bounded, so one over a whole large store cannot hold the server.
        request.body.maxEvents ?? HUNT_MAX_EVENTS,
      );
      return {
        scanned: result.scanned,
        truncated: result.truncated,
        detections: result.detections.map((d) => ({ ...d, timestamp: iso(d.timestamp) })),
        problems: result.problems,
      };
    },
  );

  const savedHuntSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      rule: { type: 'string' },
      within: anyObject,
      createdBy: { type: 'string' },
      createdAt: { type: 'integer' },
    },
  } as const;

  app.get(
    '/api/hunts/saved',
    {
      config: { access: { permission: 'hunt:run' } },
      schema: {
        tags: ['events'],
        summary: "The team's saved hunts, newest first",
        response: { 200: { type: 'array', items: savedHuntSchema }, ...errors },
      },
    },
    () => store.savedHunts.list(),
  );

  app.post<{ Body: { name: string; rule: string; within?: PivotQuery } }>(
    '/api/hunts/saved',
    {
      config: { access: { permission: 'hunt:run' } },
      schema: {
        tags: ['events'],
        summary: 'Save a hunt for the team: a name, Sigma rule text and the pivot it runs within',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' },
            rule: { type: 'string', minLength: 1, maxLength: 256 * 1024 },
            within: { type: 'object', properties: pivotProperties, additionalProperties: false },
          },
          required: ['name', 'rule'],
          additionalProperties: false,
        },
        response: { 201: savedHuntSchema, ...errors },
      },
    },
    async (request, reply) => {
      // The pivot must parse now, not when a colleague runs it.
      eventQuery(request.body.within ?? {});
      const saved = await store.savedHunts.save({
        name: request.body.name,
        rule: request.body.rule,
        within: request.body.within ?? {},
        createdBy: principal(request).user.username,
      });
      await ctx.audit(request, 'hunt.saved', `hunt:${saved.id}`, null, { name: saved.name });
      return reply.status(201).send(saved);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/hunts/saved/:id',
    {
      config: { access: { permission: 'hunt:run' } },
      schema: {
        tags: ['events'],
        summary: 'Delete a saved hunt',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const before = await store.savedHunts.get(request.params.id);
      if (!before || !(await store.savedHunts.delete(before.id))) throw notFound('saved hunt');
      await ctx.audit(request, 'hunt.deleted', `hunt:${before.id}`, { name: before.name }, null);
      return reply.status(204).send();
    },
  );

  app.get<{
    Querystring: { from?: string; to?: string; host?: string; rule?: string; level?: Level; limit?: number };
  }>(
    '/api/detections',
    {
      config: { access: { permission: 'detections:read' } },
      schema: {
        tags: ['detections'],
        summary: 'Detections in time order, by time, host, rule and lowest level',
        querystring: {
          type: 'object',
          properties: {
            from: text,
            to: text,
            host: text,
            rule: text,
            level: { type: 'string', enum: [...LEVELS] },
            limit: limitQuery,
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: detectionSchema }, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      // The time range is parsed as for event pivots; host, rule and level are the detections' own.
      const { from, to } = eventQuery({ from: q.from, to: q.to });
      const found = await store.detections.search({
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(q.host ? { host: q.host } : {}),
        ...(q.rule ? { ruleId: q.rule } : {}),
        ...(q.level ? { minLevel: q.level } : {}),
        limit: q.limit ?? 1000,
      });
      return found.map((d) => ({ id: d.id, ...d.detection, timestamp: iso(d.detection.timestamp) }));
    },
  );

  const handlingById = async (): Promise<Map<string, IncidentHandling>> =>
    new Map((await store.handling.list()).map((h) => [h.incidentId, h]));

  const summary = (i: IncidentSummary, h: IncidentHandling | undefined) => ({
    id: i.id,
    title: i.title,
    firstSeen: iso(i.firstSeen),
    lastSeen: iso(i.lastSeen),
    tlp: h?.tlp ?? DEFAULT_INCIDENT_TLP,
    organisation: h?.organisation ?? null,
    detections: i.detectionCount,
  });
  const summaryOf = (i: StoredIncident, h: IncidentHandling | undefined) =>
    summary({ ...i, detectionCount: i.detectionIds.length }, h);

  app.get(
    '/api/incidents',
    {
      config: { access: { permission: 'incidents:read' } },
      schema: {
        tags: ['incidents'],
        summary: 'Incidents you may see (your TLP clearance; a constituent: its own organisation)',
        response: { 200: { type: 'array', items: incidentSummarySchema }, ...errors },
      },
    },
    async (request) => {
      const handling = await handlingById();
      const p = principal(request);
      return (await store.incidents.summaries())
        .filter((i) => canSeeIncident(p, handling.get(i.id)))
        .map((i) => summary(i, handling.get(i.id)));
    },
  );

  /** An incident the principal may see, or a 404 — never a hint that one it may not see exists. */
  const visibleIncident = async (request: FastifyRequest, id: string) => {
    const [incident, handling] = await Promise.all([store.incidents.get(id), store.handling.get(id)]);
    if (!incident || !canSeeIncident(principal(request), handling)) throw notFound('incident');
    return { incident, handling };
  };

  app.get<{ Params: { id: string } }>(
    '/api/incidents/:id',
    {
      config: { access: { permission: 'incidents:read' } },
      schema: {
        tags: ['incidents'],
        summary: 'One incident with its analysis (docs/formats.md) and handling',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              ...incidentSummarySchema.properties,
              detectionIds: { type: 'array', items: { type: 'string' } },
              analysis: anyObject,
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { incident, handling } = await visibleIncident(request, request.params.id);
      return {
        ...summaryOf(incident, handling),
        detectionIds: incident.detectionIds,
        analysis: incident.analysis,
      };
    },
  );

  app.patch<{ Params: { id: string }; Body: { tlp?: Tlp; organisation?: string | null } }>(
    '/api/incidents/:id',
    {
      config: { access: { permission: 'incidents:handle' } },
      schema: {
        tags: ['incidents'],
        summary: 'Label an incident: its TLP and the constituent organisation it concerns',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            tlp: tlpSchema,
            organisation: {
              type: ['string', 'null'],
              minLength: 1,
              maxLength: 200,
              pattern: '^[^\\u0000-\\u001f]+$',
            },
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: incidentSummarySchema, ...errors },
      },
    },
    async (request) => {
      const { incident, handling } = await visibleIncident(request, request.params.id);
      const before = {
        tlp: handling?.tlp ?? DEFAULT_INCIDENT_TLP,
        organisation: handling?.organisation ?? null,
      };
      const after = await store.handling.set({
        incidentId: incident.id,
        tlp: request.body.tlp ?? before.tlp,
        organisation:
          request.body.organisation === undefined ? before.organisation : request.body.organisation,
      });
      await ctx.audit(request, 'incident.labelled', `incident:${incident.id}`, before, {
        tlp: after.tlp,
        organisation: after.organisation,
      });
      return summaryOf(incident, after);
    },
  );

  app.get(
    '/api/share/indicators',
    {
      config: { access: { permission: 'share:read' } },
      schema: {
        tags: ['share'],
        summary: "Attacker infrastructure from incidents at or below the caller's TLP clearance (never RED)",
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                ip: { type: 'string' },
                country: { type: ['string', 'null'] },
                asn: { type: ['integer', 'null'] },
                role: { type: ['string', 'null'] },
                incident: { type: 'string' },
                tlp: tlpSchema,
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const clearance = principal(request).user.tlpClearance;
      const handling = await handlingById();
      const out: {
        ip: string;
        country: string | null;
        asn: number | null;
        role: string | null;
        incident: string;
        tlp: Tlp;
      }[] = [];
      for (const incident of await store.incidents.list()) {
        const tlp = handling.get(incident.id)?.tlp ?? DEFAULT_INCIDENT_TLP;
        if (tlp === 'RED' || !tlpAllows(clearance, tlp)) continue;
        const infrastructure = (incident.analysis as { infrastructure?: unknown }).infrastructure;
        if (!Array.isArray(infrastructure)) continue;
        for (const entry of infrastructure as {
          ip?: unknown;
          country?: unknown;
          asn?: unknown;
          role?: unknown;
          roles?: unknown;
        }[]) {
          if (typeof entry.ip !== 'string') continue;
          const role =
            typeof entry.role === 'string'
              ? entry.role
              : Array.isArray(entry.roles)
                ? entry.roles.join(',')
                : null;
          out.push({
            ip: entry.ip,
            country: typeof entry.country === 'string' ? entry.country : null,
            asn: typeof entry.asn === 'number' ? entry.asn : null,
            role,
            incident: incident.id,
            tlp,
          });
        }
      }
      return out;
    },
  );
}
