/**
 * The weekly report as data: every figure of the week and of the week before, each with the query
 * that counted it and the case ids behind it, already cut to the report's TLP. The HTML, Markdown
 * and PDF forms only draw this; the JSON form is this.
 *
 *   const report = weeklyReport({ week: '2026-W47', tlp: 'GREEN', cases, notifications, incidents,
 *     organisationNames, figures: caseFigures, generatedAt: new Date().toISOString() });
 */
import { TLP_LEVELS, tlpAllows, type Tlp } from '../../core/tlp.js';
import type {
  BreachFigures,
  Counted,
  Period,
  ReportCase,
  ReportIncident,
  ReportNotification,
  Severity,
  WarnedVulnerabilities,
  WeeklyInput,
} from './inputs.js';
import { redactorFor, withinTlp } from './tlp.js';
import { previousWeek, weekPeriod } from './week.js';

export const REPORT_KIND = 'vigil.weekly-report';
export const REPORT_VERSION = 1;

/** One number, how it was counted, and what it counts. */
export interface Figure {
  readonly value: number;
  readonly query: string;
  readonly caseIds: readonly string[];
}

/** A figure beside the same figure for the week before. */
export interface Change extends Figure {
  readonly previous: number;
  readonly previousCaseIds: readonly string[];
  readonly change: number;
  /** Null when the week before had none. */
  readonly changePercent: number | null;
}

export interface ClassRow extends Change {
  readonly rsitClass: string;
}
export interface TypeRow extends Change {
  readonly rsitClass: string;
  readonly rsitType: string;
}
export interface CountryRow extends Figure {
  readonly country: string;
  /** Of the cross-border cases. */
  readonly share: number;
}
export interface OutcomeRow extends Figure {
  readonly outcome: string;
  readonly notificationIds: readonly string[];
}
export interface PartyRow extends Figure {
  readonly party: string;
  readonly notificationIds: readonly string[];
  readonly outcomes: readonly OutcomeRow[];
}
export interface AsnRow extends Figure {
  readonly asn: number | null;
  readonly name: string | null;
  readonly countries: readonly string[];
  readonly addresses: number;
  readonly incidentIds: readonly string[];
}
export interface InfraCountryRow extends Figure {
  readonly country: string;
  readonly addresses: number;
  readonly incidentIds: readonly string[];
}
export interface ProductRow {
  readonly vendor: string;
  readonly product: string;
  readonly severity: Severity;
  readonly cvss: number | null;
  readonly cves: readonly string[];
  readonly advisoryIds: readonly string[];
}
export interface NotableRow {
  readonly caseId: string;
  readonly number: number;
  readonly line: string;
}

export interface WeeklyReport {
  readonly kind: typeof REPORT_KIND;
  readonly version: typeof REPORT_VERSION;
  readonly week: string;
  readonly previousWeek: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly tlp: Tlp;
  readonly generatedAt: string;
  /** Null: not named. */
  readonly publisher: string | null;
  readonly summary: string;
  readonly handled: Change;
  readonly opened: Change;
  readonly resolved: Change;
  readonly incidents: { readonly byClass: readonly ClassRow[]; readonly byType: readonly TypeRow[] };
  readonly crossBorder: {
    readonly total: Figure;
    readonly previous: number;
    /** Of the cases handled, 0–1. */
    readonly share: number;
    readonly byCountry: readonly CountryRow[];
  };
  readonly notifications: { readonly total: Figure; readonly byParty: readonly PartyRow[] };
  /** Null: no breach figures were given for this week. */
  readonly breaches: {
    readonly total: Figure;
    readonly byType: readonly { readonly type: string; readonly count: number }[];
    /** Left out of a TLP:CLEAR report. */
    readonly byOrganisation: readonly { readonly organisation: string; readonly count: number }[] | null;
  } | null;
  /** Null: no advisory data was given for this week. */
  readonly vulnerabilities: {
    readonly query: string;
    readonly advisories: readonly {
      readonly id: string;
      readonly title: string;
      readonly published: string;
      readonly tlp: Tlp;
      readonly cves: readonly string[];
    }[];
    readonly cves: number;
    readonly byProduct: readonly ProductRow[];
    readonly bySeverity: readonly { readonly severity: Severity; readonly products: number }[];
  } | null;
  readonly infrastructure: {
    readonly query: string;
    readonly incidents: number;
    readonly asns: readonly AsnRow[];
    readonly countries: readonly InfraCountryRow[];
  };
  readonly resolution: Figure & {
    readonly medianHours: number | null;
    readonly previousMedianHours: number | null;
  };
  readonly notable: { readonly query: string; readonly items: readonly NotableRow[] };
}

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'none'];
const CASE_SEVERITY: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
const TOP = 10;
const NOTABLE_MAX = 25;

const iso = (t: number): string => new Date(t).toISOString();
const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

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

function topBy<T extends { readonly value: number; readonly caseIds: readonly string[] }>(
  rows: T[],
  tie: (a: T, b: T) => number,
): T[] {
  return rows.sort((a, b) => b.value - a.value || tie(a, b)).slice(0, TOP);
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

function infrastructureOf(
  incidents: readonly ReportIncident[],
  cases: readonly ReportCase[],
  tlp: Tlp,
  period: Period,
  range: string,
  redact: (text: string) => string,
): WeeklyReport['infrastructure'] {
  const seen = withinTlp(incidents, tlp).filter((i) => i.firstSeen < period.to && i.lastSeen >= period.from);
  const casesOf = new Map<string, string[]>();
  for (const c of cases)
    if (c.incidentId)
      (casesOf.get(c.incidentId) ?? casesOf.set(c.incidentId, []).get(c.incidentId)!).push(c.id);
  interface Acc {
    ips: Set<string>;
    incidents: Set<string>;
    countries: Set<string>;
    name: string | null;
  }
  const byAsn = new Map<string, Acc & { asn: number | null }>();
  const byCountry = new Map<string, Acc>();
  const add = <A extends Acc>(
    map: Map<string, A>,
    key: string,
    make: () => A,
    ip: string,
    incident: string,
    country: string | null,
  ) => {
    let acc = map.get(key);
    if (!acc) map.set(key, (acc = make()));
    acc.ips.add(ip);
    acc.incidents.add(incident);
    if (country) acc.countries.add(country);
    return acc;
  };
  for (const incident of seen) {
    for (const x of incident.infrastructure) {
      const acc = add(
        byAsn,
        x.asn === null ? 'unknown' : String(x.asn),
        () => ({ asn: x.asn, ips: new Set(), incidents: new Set(), countries: new Set(), name: null }),
        x.ip,
        incident.id,
        x.country,
      );
      if (acc.name === null && x.as_name) acc.name = x.as_name;
      add(
        byCountry,
        x.country ?? 'unknown',
        () => ({ ips: new Set(), incidents: new Set(), countries: new Set(), name: null }),
        x.ip,
        incident.id,
        x.country,
      );
    }
  }
  const query = `attacker infrastructure (addresses in the incident analysis) of incidents labelled within the report's TLP and seen in ${range}`;
  const casesFor = (ids: Set<string>) => sorted([...ids].flatMap((i) => casesOf.get(i) ?? []));
  return {
    query,
    incidents: seen.length,
    asns: topBy(
      [...byAsn.values()].map((a) => ({
        asn: a.asn,
        name: a.name,
        countries: sorted(a.countries),
        addresses: a.ips.size,
        incidentIds: sorted(a.incidents),
        value: a.incidents.size,
        caseIds: casesFor(a.incidents),
        query: `${query}, in ${a.asn === null ? 'no known AS' : `AS${a.asn}`}: incidents counted`,
      })),
      (a, b) => b.addresses - a.addresses || (a.asn ?? Infinity) - (b.asn ?? Infinity),
      // Network names are redacted after the cut: only ten of them are shown.
    ).map((a) => ({ ...a, name: a.name === null ? null : redact(a.name) })),
    countries: topBy(
      [...byCountry.entries()].map(([country, a]) => ({
        country,
        addresses: a.ips.size,
        incidentIds: sorted(a.incidents),
        value: a.incidents.size,
        caseIds: casesFor(a.incidents),
        query: `${query}, located in ${country}: incidents counted`,
      })),
      (a, b) => b.addresses - a.addresses || a.country.localeCompare(b.country),
    ),
  };
}

function notableOf(
  cases: readonly ReportCase[],
  handled: readonly string[],
  redact: (text: string) => string,
): WeeklyReport['notable'] {
  const ids = new Set(handled);
  const items = cases
    .filter((c) => ids.has(c.id) && c.tlp === 'CLEAR')
    .sort(
      (a, b) =>
        (CASE_SEVERITY[a.severity] ?? 9) - (CASE_SEVERITY[b.severity] ?? 9) ||
        a.createdAt - b.createdAt ||
        a.number - b.number,
    )
    .slice(0, NOTABLE_MAX)
    .map((c) => ({
      caseId: c.id,
      number: c.number,
      line: `${iso(c.createdAt).slice(0, 10)} · ${c.rsitClass ?? 'unclassified'}${c.rsitType ? ` / ${c.rsitType}` : ''} · ${c.severity} · ${redact(c.title.replace(/\s+/g, ' ').trim())} (${c.status})`,
    }));
  return {
    query: `cases handled this week labelled TLP:CLEAR, most severe first, at most ${NOTABLE_MAX}`,
    items,
  };
}

function breachesOf(
  b: BreachFigures | undefined,
  visible: ReadonlySet<string>,
  tlp: Tlp,
  redact: (text: string) => string,
): WeeklyReport['breaches'] {
  if (!b) return null;
  return {
    total: {
      value: b.count,
      // The count is an aggregate; the cases behind it above the report's TLP are not named.
      query: `${redact(b.query)} (case ids above the report's TLP left out)`,
      caseIds: sorted(b.caseIds.filter((id) => visible.has(id))),
    },
    byType: Object.entries(b.byType)
      .map(([type, count]) => ({ type: redact(type), count }))
      .sort((x, y) => y.count - x.count || x.type.localeCompare(y.type)),
    byOrganisation:
      tlp === 'CLEAR'
        ? null
        : Object.entries(b.byOrganisation)
            .map(([organisation, count]) => ({ organisation: organisation || '(not ours)', count }))
            .sort((x, y) => y.count - x.count || x.organisation.localeCompare(y.organisation)),
  };
}

function vulnerabilitiesOf(
  w: WarnedVulnerabilities | undefined,
  tlp: Tlp,
  redact: (text: string) => string,
): WeeklyReport['vulnerabilities'] {
  if (!w) return null;
  const advisories = withinTlp(w.advisories, tlp).sort(
    (a, b) => a.published.localeCompare(b.published) || a.id.localeCompare(b.id),
  );
  const products = new Map<
    string,
    {
      vendor: string;
      product: string;
      severity: Severity;
      cvss: number | null;
      cves: Set<string>;
      ids: Set<string>;
    }
  >();
  for (const a of advisories) {
    for (const p of a.products) {
      const key = `${p.vendor.toLowerCase()}\u0000${p.product.toLowerCase()}`;
      let row = products.get(key);
      if (!row)
        products.set(
          key,
          (row = {
            vendor: p.vendor,
            product: p.product,
            severity: 'none',
            cvss: null,
            cves: new Set(),
            ids: new Set(),
          }),
        );
      if (SEVERITY_ORDER.indexOf(p.severity) < SEVERITY_ORDER.indexOf(row.severity))
        row.severity = p.severity;
      if (p.cvss !== null && (row.cvss === null || p.cvss > row.cvss)) row.cvss = p.cvss;
      for (const cve of a.cves) row.cves.add(cve);
      row.ids.add(a.id);
    }
  }
  const byProduct: ProductRow[] = [...products.values()]
    .map((p) => ({
      vendor: redact(p.vendor),
      product: redact(p.product),
      severity: p.severity,
      cvss: p.cvss,
      cves: sorted(p.cves),
      advisoryIds: sorted(p.ids),
    }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
        (b.cvss ?? -1) - (a.cvss ?? -1) ||
        a.vendor.localeCompare(b.vendor) ||
        a.product.localeCompare(b.product),
    );
  return {
    query: `${redact(w.query)} (advisories labelled above the report's TLP left out)`,
    advisories: advisories.map((a) => ({
      id: a.id,
      title: redact(a.title),
      published: a.published,
      tlp: a.tlp,
      cves: [...a.cves],
    })),
    cves: new Set(advisories.flatMap((a) => a.cves)).size,
    byProduct,
    bySeverity: SEVERITY_ORDER.map((severity) => ({
      severity,
      products: byProduct.filter((p) => p.severity === severity).length,
    })).filter((s) => s.products > 0),
  };
}

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (x: number, one: string, many: string): string => `${n(x)} ${x === 1 ? one : many}`;

function delta(c: Change): string {
  if (c.change === 0) return 'as many as the week before';
  return `${c.change > 0 ? '+' : '−'}${n(Math.abs(c.change))} on the week before`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "16–22 November 2026", "30 November – 6 December 2026", "29 December 2025 – 4 January 2026". */
export function weekDates(period: { readonly from: string; readonly to: string }): string {
  const a = new Date(period.from);
  const b = new Date(Date.parse(period.to) - 86_400_000);
  const day = (d: Date) => d.getUTCDate();
  const month = (d: Date) => MONTHS[d.getUTCMonth()]!;
  if (a.getUTCFullYear() !== b.getUTCFullYear())
    return `${day(a)} ${month(a)} ${a.getUTCFullYear()} – ${day(b)} ${month(b)} ${b.getUTCFullYear()}`;
  if (a.getUTCMonth() !== b.getUTCMonth())
    return `${day(a)} ${month(a)} – ${day(b)} ${month(b)} ${b.getUTCFullYear()}`;
  return `${day(a)}–${day(b)} ${month(b)} ${b.getUTCFullYear()}`;
}

function summaryOf(r: Omit<WeeklyReport, 'summary'>): string {
  const [year, week] = r.week.split('-W');
  const parts = [
    `In week ${Number(week)} of ${year} (${weekDates(r.period)}) the CERT handled ${plural(r.handled.value, 'incident', 'incidents')} (${delta(r.handled)}), ${n(r.opened.value)} of them new; ${n(r.resolved.value)} ${r.resolved.value === 1 ? 'was' : 'were'} resolved` +
      (r.resolution.medianHours === null ? '.' : `, in a median of ${r.resolution.medianHours} hours.`),
  ];
  if (r.handled.value > 0) {
    const top = r.crossBorder.byCountry[0];
    parts.push(
      `${n(r.crossBorder.total.value)} (${Math.round(r.crossBorder.share * 100)} %) ${r.crossBorder.total.value === 1 ? 'was' : 'were'} cross-border` +
        (top ? `, most often with ${top.country} (${n(top.value)}).` : '.'),
    );
  }
  if (r.notifications.total.value > 0)
    parts.push(
      `${plural(r.notifications.total.value, 'notification went', 'notifications went')} to the parties who must act: ${r.notifications.byParty.map((p) => `${p.party} ${n(p.value)}`).join(', ')}.`,
    );
  parts.push(
    r.breaches === null
      ? 'No figures on data-security breaches were available for this week.'
      : `${plural(r.breaches.total.value, 'data-security breach was', 'data-security breaches were')} found.`,
  );
  if (r.vulnerabilities !== null && r.vulnerabilities.advisories.length > 0)
    parts.push(
      `The CERT warned of ${plural(r.vulnerabilities.cves, 'vulnerability', 'vulnerabilities')} in ${plural(r.vulnerabilities.advisories.length, 'advisory', 'advisories')}, affecting ${plural(r.vulnerabilities.byProduct.length, 'product', 'products')}.`,
    );
  const asn = r.infrastructure.asns.find((a) => a.asn !== null);
  if (asn)
    parts.push(
      `The most active attacker network was AS${asn.asn}${asn.name ? ` (${asn.name})` : ''}${asn.countries.length > 0 ? ` in ${asn.countries.join(', ')}` : ''}, seen in ${plural(asn.value, 'incident', 'incidents')}.`,
    );
  return parts.join(' ');
}
