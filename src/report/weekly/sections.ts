/**
 * The weekly report's sections that are not case figures: the attacker infrastructure of the week's
 * incidents, the notable (TLP:CLEAR) cases, the breach figures and the vulnerabilities warned of.
 */
import type { Tlp } from '../../core/tlp.js';
import type {
  BreachFigures,
  Period,
  ReportCase,
  ReportIncident,
  Severity,
  WarnedVulnerabilities,
} from './inputs.js';
import { withinTlp } from './tlp.js';
import type { ProductRow, WeeklyReport } from './types.js';

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'none'];
const CASE_SEVERITY: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
const TOP = 10;
const NOTABLE_MAX = 25;

const iso = (t: number): string => new Date(t).toISOString();
export const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

function topBy<T extends { readonly value: number; readonly caseIds: readonly string[] }>(
  rows: T[],
  tie: (a: T, b: T) => number,
): T[] {
  return rows.sort((a, b) => b.value - a.value || tie(a, b)).slice(0, TOP);
}

export function infrastructureOf(
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

export function notableOf(
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

export function breachesOf(
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

export function vulnerabilitiesOf(
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
