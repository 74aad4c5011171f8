/** The weekly report's opening paragraph, with the headline figures, and its dates in words. */
import type { Change, WeeklyReport } from './types.js';

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

export function summaryOf(r: Omit<WeeklyReport, 'summary'>): string {
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
