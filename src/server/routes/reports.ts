/**
 * The weekly report (`GET /api/reports/weekly`) and its archive of past issues. Who may read which:
 * the CERT's staff any TLP up to their clearance; constituents and partners only the public
 * (TLP:CLEAR) version, whatever their clearance, because a GREEN or AMBER report counts every
 * constituent's cases, not theirs alone (docs/server.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../../core/errors.js';
import { tlpAllows, type Tlp } from '../../core/tlp.js';
import {
  CONTENT_TYPES,
  lastCompleteWeek,
  renderWeekly,
  WEEKLY_FORMATS,
  weekPeriod,
  type WeeklyFormat,
  type WeeklyReport,
} from '../../report/weekly/index.js';
import type { WeeklyIssueSummary } from '../../store/index.js';
import type { Principal } from '../auth/principal.js';
import type { ServerContext } from '../context.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { weeklyReportFromStore } from '../reports/weekly-data.js';
import { anyObject, errors, tlpSchema } from './schemas.js';

/** The HTML report styles itself inline and draws inline SVG; nothing else is allowed. */
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/** Whether a principal may read a weekly report of this TLP. */
export function mayReadReport(principal: Principal, tlp: Tlp): boolean {
  const role = principal.user.role;
  if (role === 'constituent' || role === 'partner') return tlp === 'CLEAR';
  return tlpAllows(principal.user.tlpClearance, tlp);
}

const formatSchema = { type: 'string', enum: [...WEEKLY_FORMATS] } as const;
const issueSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    week: { type: 'string' },
    tlp: tlpSchema,
    generatedAt: { type: 'integer' },
  },
} as const;

// Chromium is heavy: one PDF at a time, and a short queue, so report requests cannot exhaust the server.
let pdfChain: Promise<unknown> = Promise.resolve();
let pdfWaiting = 0;
const MAX_PDF_WAITING = 4;

async function render(report: WeeklyReport, format: WeeklyFormat): Promise<string | Buffer> {
  if (format !== 'pdf') return renderWeekly(report, format);
  if (pdfWaiting >= MAX_PDF_WAITING)
    throw new HttpError(503, 'busy', 'too many PDFs being printed; try again');
  pdfWaiting++;
  const run = pdfChain.then(() => renderWeekly(report, 'pdf'));
  pdfChain = run.catch(() => undefined);
  try {
    return await run;
  } catch (e) {
    if (e instanceof VigilError) throw new HttpError(503, 'pdf-unavailable', e.message);
    throw e;
  } finally {
    pdfWaiting--;
  }
}

async function send(reply: FastifyReply, report: WeeklyReport, format: WeeklyFormat, name: string) {
  if (format === 'json') return report;
  const body = await render(report, format);
  void reply.type(CONTENT_TYPES[format]);
  if (format === 'html') void reply.header('content-security-policy', HTML_CSP);
  if (format === 'pdf') void reply.header('content-disposition', `attachment; filename="${name}.pdf"`);
  return reply.send(body);
}

export function registerReportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const home = ctx.options.homeCountry ?? 'CN';
  const principal = (request: FastifyRequest) => request.principal!;

  app.get<{ Querystring: { week?: string; tlp?: Tlp; format?: WeeklyFormat } }>(
    '/api/reports/weekly',
    {
      config: { access: { permission: 'reports:read' } },
      schema: {
        tags: ['reports'],
        summary:
          'The weekly report of an ISO week (default: the last complete one) at a TLP (default CLEAR), as JSON, HTML, Markdown or PDF',
        querystring: {
          type: 'object',
          properties: {
            week: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' },
            tlp: tlpSchema,
            format: formatSchema,
          },
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const week = request.query.week ?? lastCompleteWeek(Date.now());
      const tlp = request.query.tlp ?? 'CLEAR';
      const format = request.query.format ?? 'json';
      const period = weekPeriod(week);
      if ('problem' in period) throw badRequest('week-invalid', period.problem);
      if (!mayReadReport(principal(request), tlp))
        throw new HttpError(403, 'forbidden', `you may not read the TLP:${tlp} weekly report`);
      const report = await weeklyReportFromStore(store, {
        week,
        tlp,
        homeCountry: home,
        publisher: ctx.options.team?.name ?? 'Vigil CERT',
      });
      return send(reply, report, format, `weekly-${week}-${tlp}`);
    },
  );

  const visibleTlps = (p: Principal): Tlp[] =>
    (['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const).filter((t) => mayReadReport(p, t));

  app.get(
    '/api/reports/weekly/issues',
    {
      config: { access: { permission: 'reports:read' } },
      schema: {
        tags: ['reports'],
        summary: 'Past issues of the weekly report that you may read, newest week first',
        response: { 200: { type: 'array', items: issueSummarySchema }, ...errors },
      },
    },
    async (request): Promise<WeeklyIssueSummary[]> =>
      store.weeklyReports.list({ tlps: visibleTlps(principal(request)) }),
  );

  app.get<{ Params: { id: string }; Querystring: { format?: WeeklyFormat } }>(
    '/api/reports/weekly/issues/:id',
    {
      config: { access: { permission: 'reports:read' } },
      schema: {
        tags: ['reports'],
        summary: 'One past issue of the weekly report, as it was generated',
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 40 } },
          required: ['id'],
          additionalProperties: false,
        },
        querystring: {
          type: 'object',
          properties: { format: formatSchema },
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const issue = await store.weeklyReports.get(request.params.id);
      if (!issue || !mayReadReport(principal(request), issue.tlp)) throw notFound('weekly report issue');
      return send(reply, issue.report as WeeklyReport, request.query.format ?? 'json', issue.id);
    },
  );
}
