/** Notifications for a case: send, track by hand, take replies and bounces (an .eml), remind; templates. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Recipient } from '../../notify/message.js';
import { unknownPlaceholders } from '../../notify/templates.js';
import type { NotificationState } from '../../notify/tracking.js';
import type { Tlp } from '../../core/tlp.js';
import type { ServerContext } from '../context.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { canSeeCase } from '../scope.js';
import { anyObject, errors, idParams, tlpSchema } from './schemas.js';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const recipientSchema = {
  type: 'object',
  properties: {
    email: {
      type: 'string',
      minLength: 3,
      maxLength: 254,
      pattern: '^[^\\s@<>,;]+@[^\\s@<>,;]+\\.[^\\s@<>,;]+$',
    },
    name: { type: ['string', 'null'], minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' },
    language: { type: 'string', pattern: '^[a-z]{2}(-[A-Za-z]{2})?$' },
    tlpClearance: tlpSchema,
    format: { type: 'string', enum: ['email', 'x-arf'] },
    partyKind: {
      type: 'string',
      enum: ['constituent', 'hosting', 'cloud', 'registrar', 'app-store', 'cert', 'other'],
    },
  },
  required: ['email', 'partyKind'],
  additionalProperties: false,
} as const;

interface RecipientBody {
  email: string;
  name?: string | null;
  language?: string;
  tlpClearance?: Tlp;
  format?: 'email' | 'x-arf';
  partyKind: string;
}

export function registerNotificationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, notifier } = ctx;
  const visibleCase = async (request: FastifyRequest, id: string) => {
    const c = await store.cases.get(id);
    if (!c || !canSeeCase(request.principal!, c)) throw notFound('case');
    return c;
  };

  app.addContentTypeParser(
    'message/rfc822',
    { parseAs: 'buffer', bodyLimit: 25 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );

  app.get<{ Params: { id: string } }>(
    '/api/cases/:id/notifications',
    {
      config: { access: { permission: 'cases:read' } },
      schema: {
        tags: ['notifications'],
        summary: "A case's notifications with their history",
        params: idParams,
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) => store.notifications.forCase((await visibleCase(request, request.params.id)).id),
  );

  app.post<{ Params: { id: string }; Body: { recipients: RecipientBody[]; reason: string } }>(
    '/api/cases/:id/notifications',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['notifications'],
        summary: 'Notify parties about a case (refused for a recipient not cleared for its TLP)',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            recipients: { type: 'array', items: recipientSchema, minItems: 1, maxItems: 50 },
            reason: text(2000),
          },
          required: ['recipients', 'reason'],
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    async (request) => {
      const c = await visibleCase(request, request.params.id);
      const recipients: Recipient[] = request.body.recipients.map((r) => ({
        email: r.email,
        name: r.name ?? null,
        language: r.language ?? 'en',
        // An outside party is cleared for GREEN unless the coordinator says otherwise.
        tlpClearance: r.tlpClearance ?? (r.partyKind === 'constituent' ? 'AMBER' : 'GREEN'),
        format: r.format ?? 'email',
        partyKind: r.partyKind,
      }));
      const results = await notifier.send(
        c,
        recipients,
        request.body.reason,
        request.principal!.user.username,
      );
      await ctx.audit(
        request,
        'case.notified',
        `case:${c.id}`,
        null,
        results.map((r) => ({ recipient: r.recipient, ok: r.ok, ...(r.ok ? {} : { reason: r.reason }) })),
      );
      return results;
    },
  );

  app.post<{ Params: { id: string }; Body: { status: NotificationState; note?: string } }>(
    '/api/notifications/:id/status',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['notifications'],
        summary: 'Record what became of a notification (delivered, acknowledged, acted, no answer)',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['delivered', 'acknowledged', 'acted', 'no-answer'] },
            note: { type: 'string', maxLength: 2000 },
          },
          required: ['status'],
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const before = await store.notifications.get(request.params.id);
      if (!before) throw notFound('notification');
      await visibleCase(request, before.caseId);
      const after = await store.notifications.record(before.id, {
        at: Date.now(),
        status: request.body.status,
        note: request.body.note ?? `by ${request.principal!.user.username}`,
      });
      await ctx.audit(
        request,
        'notification.status',
        `notification:${before.id}`,
        { status: before.status },
        { status: after!.status },
      );
      return after;
    },
  );

  app.post<{ Body: Buffer }>(
    '/api/inbox',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['notifications'],
        summary: 'Hand in a received mail (message/rfc822): a reply or a bounce goes onto its case',
        consumes: ['message/rfc822'],
        response: { 200: anyObject, ...errors, 415: errors[400], 422: errors[400] },
      },
    },
    async (request) => {
      if (!Buffer.isBuffer(request.body))
        throw new HttpError(415, 'rfc822-required', 'send the mail as message/rfc822');
      const result = await notifier.receive(request.body);
      if (!result.matched) throw new HttpError(422, 'mail-unmatched', result.reason);
      await ctx.audit(request, `mail.${result.kind}`, `case:${result.caseId}`, null, result);
      return result;
    },
  );

  app.post(
    '/api/notifications/reminders',
    {
      config: { access: { permission: 'cases:handle' } },
      schema: {
        tags: ['notifications'],
        summary:
          'Send the reminders and escalations that are due now (the server also does so every 10 minutes)',
        response: {
          200: {
            type: 'object',
            properties: {
              reminded: { type: 'array', items: { type: 'string' } },
              escalated: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const result = await notifier.remind();
      if (result.reminded.length + result.escalated.length > 0)
        await ctx.audit(request, 'notification.reminders', 'notifications', null, result);
      return result;
    },
  );

  app.get(
    '/api/templates',
    {
      config: { access: { permission: 'templates:read' } },
      schema: {
        tags: ['notifications'],
        summary: 'Notification templates: the shipped ones and the team’s own',
        response: { 200: { type: 'array', items: anyObject }, ...errors },
      },
    },
    () => notifier.templates(),
  );

  app.put<{
    Params: { id: string };
    Body: { rsitType: string | null; language: string; subject: string; text: string };
  }>(
    '/api/templates/:id',
    {
      config: { access: { permission: 'templates:manage' } },
      schema: {
        tags: ['notifications'],
        summary: 'Add or edit a template (per RSIT type and language); unknown placeholders are refused',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            rsitType: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
            language: { type: 'string', pattern: '^[a-z]{2}$' },
            subject: text(300),
            text: text(50_000),
          },
          required: ['rsitType', 'language', 'subject', 'text'],
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const unknown = unknownPlaceholders(request.body);
      if (unknown.length > 0)
        throw badRequest(
          'template-placeholder',
          `unknown placeholders: ${unknown.map((n) => `{{${n}}}`).join(', ')}`,
        );
      const before = (await notifier.templates()).find((t) => t.id === request.params.id) ?? null;
      const template = { id: request.params.id, ...request.body };
      await store.notifications.putTemplate(template);
      await ctx.audit(request, 'template.saved', `template:${template.id}`, before, template);
      return template;
    },
  );
}
