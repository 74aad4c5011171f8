/**
 * The weekly report from the store: the glue between the case, notification, incident and
 * constituency records, the intake's breach figures and our published advisories, and the
 * report model, which takes plain data because it sits on the same layer as cases and advisories.
 * The CLI uses this too (`vigil report weekly`).
 */
import { caseFigures } from '../../cases/figures.js';
import { ENDED } from '../../cases/workflow.js';
import type { Tlp } from '../../core/tlp.js';
import type { Incident } from '../../investigate/index.js';
import {
  previousWeek,
  weeklyReport,
  weekPeriod,
  type Period,
  type ReportIncident,
  type WeeklyReport,
} from '../../report/weekly/index.js';
import { DEFAULT_INCIDENT_TLP, type Store } from '../../store/index.js';
import { casePartiesOf, constituencyIndexOf } from '../case-parties.js';

/** The most cases read for one report: the store lists newest first, so these are the latest. */
const MAX_CASES = 10_000;

export interface WeeklyRequest {
  readonly week: string;
  readonly tlp: Tlp;
  readonly homeCountry: string;
  /** Default: now. */
  readonly generatedAt?: string;
  /** The team's name, in the report's heading. */
  readonly publisher?: string;
}

/** The stored analysis is a JSON document that older versions wrote too: take only well-typed entries. */
function infrastructureOf(value: unknown): ReportIncident['infrastructure'] {
  if (!Array.isArray(value)) return [];
  const out: ReportIncident['infrastructure'][number][] = [];
  for (const x of value as unknown[]) {
    if (typeof x !== 'object' || x === null) continue;
    const { ip, country, asn, as_name: name, roles } = x as Record<string, unknown>;
    if (typeof ip !== 'string') continue;
    out.push({
      ip,
      country: typeof country === 'string' && country !== '' ? country : null,
      asn: typeof asn === 'number' && Number.isInteger(asn) ? asn : null,
      as_name: typeof name === 'string' && name !== '' ? name : null,
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
    });
  }
  return out;
}

export async function weeklyReportFromStore(store: Store, request: WeeklyRequest): Promise<WeeklyReport> {
  const period = weekPeriod(request.week);
  if ('problem' in period) throw new Error(period.problem);
  const before = weekPeriod(previousWeek(request.week)) as Period;

  const index = await constituencyIndexOf(store);
  const organisations = await store.constituency.listOrganisations();
  const all = await store.cases.list({ limit: MAX_CASES });
  // Only cases that can count in either week need their parties worked out (an incident read each).
  const relevant = (c: (typeof all)[number]) =>
    c.createdAt < period.to && !(ENDED.has(c.status) && c.resolvedAt !== null && c.resolvedAt < before.from);
  const cases = await Promise.all(
    all.map(async (c) => ({
      ...c,
      foreignCountries: relevant(c)
        ? [...(await casePartiesOf(store, c, index, request.homeCountry)).crossBorder.foreign]
        : [],
    })),
  );
  const notifications = await store.notifications.sentBetween(before.from, period.to);

  const handling = new Map((await store.handling.list()).map((h) => [h.incidentId, h]));
  const incidents: ReportIncident[] = [];
  for (const s of await store.incidents.summaries()) {
    if (!(s.firstSeen < period.to && s.lastSeen >= period.from)) continue;
    const stored = await store.incidents.get(s.id);
    const analysis = (stored?.analysis ?? {}) as Partial<Incident>;
    incidents.push({
      id: s.id,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      tlp: handling.get(s.id)?.tlp ?? DEFAULT_INCIDENT_TLP,
      infrastructure: infrastructureOf(analysis.infrastructure),
    });
  }

  const breaches = await store.intake.breachFigures(period);
  const warned = await store.advisories.warnedIn(period);

  return weeklyReport({
    week: request.week,
    tlp: request.tlp,
    generatedAt: request.generatedAt ?? new Date().toISOString(),
    publisher: request.publisher,
    cases,
    notifications,
    incidents,
    organisationNames: organisations.flatMap((o) => [o.name, o.id, ...o.domains]),
    figures: caseFigures,
    breaches,
    warned,
  });
}
