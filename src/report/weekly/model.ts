/**
 * The weekly report as data: every figure of the week and of the week before, each with the query
 * that counted it and the case ids behind it, already cut to the report's TLP. The HTML, Markdown
 * and PDF forms only draw this; the JSON form is this.
 *
 *   const report = weeklyReport({ week: '2026-W47', tlp: 'GREEN', cases, notifications, incidents,
 *     organisationNames, figures: caseFigures, generatedAt: new Date().toISOString() });
 */
import { TLP_LEVELS, tlpAllows } from '../../core/tlp.js';
import type { Counted, Period, ReportCase, ReportNotification, WeeklyInput } from './inputs.js';
import { breachesOf, infrastructureOf, notableOf, sorted, vulnerabilitiesOf } from './sections.js';
import { summaryOf } from './summary.js';
import { redactorFor, withinTlp } from './tlp.js';
import {
  REPORT_KIND,
  REPORT_VERSION,
  type Change,
  type ClassRow,
  type CountryRow,
  type PartyRow,
  type TypeRow,
  type WeeklyReport,
} from './types.js';
import { previousWeek, weekPeriod } from './week.js';

export * from './types.js';
export { weekDates } from './summary.js';

const iso = (t: number): string => new Date(t).toISOString();

function change(query: string, now: Counted | undefined, before: Counted | undefined): Change {
  const value = now?.count ?? 0;
  const previous = before?.count ?? 0;
  return {
    value,
    query,
    caseIds: now?.ids ?? [],
    previous,
    previousCaseIds: before?.ids ?? [],
    change: value - previous,
    changePercent: previous === 0 ? null : Math.round(((value - previous) / previous) * 1000) / 10,
  };
}

function keysOf(...records: readonly Readonly<Record<string, unknown>>[]): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
}

export function weeklyReport<C extends ReportCase, N extends ReportNotification>(
  input: WeeklyInput<C, N>,
): WeeklyReport {
  const period = weekPeriod(input.week);
  if ('problem' in period) throw new Error(period.problem);
  const before = previousWeek(input.week);
  const beforePeriod = weekPeriod(before) as Period;
  const tlp = input.tlp;
  const allowed = TLP_LEVELS.filter((l) => tlpAllows(tlp, l)).map((l) => `TLP:${l}`);
  const scope = `cases labelled ${allowed.join(' or ')}, neither merged into another nor rejected`;
  const range = (p: Period) => `[${iso(p.from)}, ${iso(p.to)})`;

  // Nothing above the report's TLP goes in: not its cases, their notifications or incidents.
  const cases = withinTlp(input.cases, tlp);
  const caseIds = new Set(cases.map((c) => c.id));
  const notifications = input.notifications.filter((n) => caseIds.has(n.caseId));
  const now = input.figures(cases, notifications, period);
  const prev = input.figures(cases, notifications, beforePeriod);

  const names = [...input.organisationNames, ...input.cases.flatMap((c) => c.organisations)];
  const redact = redactorFor(tlp, names);

  const handledQuery = `${scope}, created before ${iso(period.to)} and not resolved or closed before ${iso(period.from)} (the week before: the same over ${range(beforePeriod)})`;
  const byClass: ClassRow[] = keysOf(now.handled.byClass, prev.handled.byClass).map((k) => ({
    rsitClass: k,
    ...change(`${handledQuery}, RSIT class ${k}`, now.handled.byClass[k], prev.handled.byClass[k]),
  }));
  const byType: TypeRow[] = keysOf(now.handled.byType, prev.handled.byType).map((k) => {
    const [cls, type] = splitType(k);
    return {
      rsitClass: cls,
      rsitType: type,
      ...change(
        `${handledQuery}, RSIT class ${cls} and type ${type}`,
        now.handled.byType[k],
        prev.handled.byType[k],
      ),
    };
  });

  const borderQuery = `cases handled (as above) with a party to tell, a victim or an attacker address outside the home country`;
  const border = now.crossBorder;
  const byCountry: CountryRow[] = Object.entries(border.byCountry)
    .map(([country, c]) => ({
      country,
      value: c.count,
      caseIds: c.ids,
      share: border.count === 0 ? 0 : round3(c.count / border.count),
      query: `${borderQuery}, in ${country}`,
    }))
    .sort((a, b) => b.value - a.value || a.country.localeCompare(b.country));

  const noteQuery = `notifications sent in ${range(period)} on ${scope}`;
  const caseOf = new Map(notifications.map((n) => [n.id, n.caseId]));
  const casesOfNotes = (ids: readonly string[]) => sorted(ids.map((id) => caseOf.get(id) ?? ''));
  const byParty: PartyRow[] = Object.entries(now.notifications.byParty)
    .map(([party, outcomes]) => {
      const ids = sorted(Object.values(outcomes).flatMap((o) => o.ids));
      return {
        party,
        value: ids.length,
        query: `${noteQuery}, to a party of kind ${party}`,
        caseIds: casesOfNotes(ids),
        notificationIds: ids,
        outcomes: Object.entries(outcomes).map(([outcome, o]) => ({
          outcome,
          value: o.count,
          query: `${noteQuery}, to a party of kind ${party}, now ${outcome}`,
          caseIds: casesOfNotes(o.ids),
          notificationIds: o.ids,
        })),
      };
    })
    .sort((a, b) => b.value - a.value || a.party.localeCompare(b.party));

  const infrastructure = infrastructureOf(input.incidents, cases, tlp, period, range(period), redact);

  const notable = notableOf(cases, now.handled.ids, redact);
  const breaches = breachesOf(input.breaches, caseIds, tlp, redact);
  const vulnerabilities = vulnerabilitiesOf(input.warned, tlp, redact);

  const report: Omit<WeeklyReport, 'summary'> = {
    kind: REPORT_KIND,
    version: REPORT_VERSION,
    week: input.week,
    previousWeek: before,
    period: { from: iso(period.from), to: iso(period.to) },
    tlp,
    generatedAt: input.generatedAt,
    publisher: input.publisher?.trim().slice(0, 200) || null,
    handled: change(handledQuery, now.handled, prev.handled),
    opened: change(
      `${scope}, created in ${range(period)} (the week before: ${range(beforePeriod)})`,
      now.opened,
      prev.opened,
    ),
    resolved: change(
      `${scope}, last resolved or closed in ${range(period)} (the week before: ${range(beforePeriod)})`,
      now.resolved,
      prev.resolved,
    ),
    incidents: { byClass, byType },
    crossBorder: {
      total: { value: border.count, query: borderQuery, caseIds: border.ids },
      previous: prev.crossBorder.count,
      share: border.share,
      byCountry,
    },
    notifications: {
      total: {
        value: now.notifications.count,
        query: noteQuery,
        caseIds: casesOfNotes(now.notifications.ids),
      },
      byParty,
    },
    breaches,
    vulnerabilities,
    infrastructure,
    resolution: {
      value: now.resolved.count,
      query: `median of (resolved − created) in hours over ${scope} resolved in ${range(period)}`,
      caseIds: now.resolved.ids,
      medianHours: now.medianHoursToResolution,
      previousMedianHours: prev.medianHoursToResolution,
    },
    notable,
  };
  return { ...report, summary: summaryOf(report) };
}

function splitType(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash === -1 ? [key, 'unspecified'] : [key.slice(0, slash), key.slice(slash + 1)];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
