/**
 * The weekly report as one self-contained HTML document: inline CSS and SVG charts, no script,
 * nothing fetched (a Content-Security-Policy says so), print styles for the PDF. Every string is
 * escaped: titles and network names come from evidence and from outside parties.
 */
import { escapeHtml } from '../incident.js';
import { asnChart, classChart, countryChart, notificationChart, shareDonut } from './charts.js';
import { weekDates, type Change, type WeeklyReport } from './model.js';

/** TLP 2.0 label colours (FIRST), text on black. */
const TLP_COLOUR: Readonly<Record<string, string>> = {
  CLEAR: '#ffffff',
  GREEN: '#33ff00',
  AMBER: '#ffc000',
  'AMBER+STRICT': '#ffc000',
  RED: '#ff2b2b',
};

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#1c1c1c;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ddd;break-after:avoid}
table{border-collapse:collapse;width:100%;font-size:13px;margin:.5rem 0}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td{word-break:break-word}
.meta{color:#555}.summary{font-size:15px;background:#fafafa;padding:.75rem;border-left:4px solid #b3261e}
.tlp{display:inline-block;background:#000;font-weight:bold;padding:2px 8px;font-family:monospace;font-size:13px}
.headline{display:grid;grid-template-columns:repeat(4,1fr);gap:.5rem;margin:1rem 0}
.headline div{border:1px solid #ddd;padding:.5rem}.headline b{display:block;font-size:1.4rem}.headline span{color:#555;font-size:12px}
figure{margin:.5rem 0;break-inside:avoid}svg{max-width:100%;height:auto}.none{color:#555;font-style:italic}
section{break-inside:auto}footer{margin-top:2rem;color:#555;font-size:12px}
@page{size:A4;margin:14mm}@media print{body{margin:0;max-width:none}}`;

const n = (x: number): string => x.toLocaleString('en-US');

function signed(c: Change): string {
  const pct = c.changePercent === null ? '' : ` (${c.changePercent > 0 ? '+' : ''}${c.changePercent} %)`;
  if (c.change === 0) return `±0${pct}`;
  return `${c.change > 0 ? '+' : '−'}${n(Math.abs(c.change))}${pct}`;
}

interface Cell {
  readonly text: string;
  readonly numeric?: boolean;
}
const num = (x: number | string): Cell => ({ text: typeof x === 'number' ? n(x) : x, numeric: true });

function table(header: readonly (string | Cell)[], rows: readonly (readonly (string | Cell)[])[]): string {
  const cell = (tag: string, c: string | Cell) => {
    const it = typeof c === 'string' ? { text: c } : c;
    return `<${tag}${it.numeric ? ' class="n"' : ''}>${escapeHtml(it.text)}</${tag}>`;
  };
  return `<table><thead><tr>${header.map((h) => cell('th', h)).join('')}</tr></thead><tbody>\n${rows
    .map((row) => `<tr>${row.map((c) => cell('td', c)).join('')}</tr>`)
    .join('\n')}\n</tbody></table>`;
}

const figure = (chart: string) => `<figure>${chart}</figure>`;
const none = (text: string) => `<p class="none">${escapeHtml(text)}</p>`;

function tlpLabel(tlp: string): string {
  return `<span class="tlp" style="color:${TLP_COLOUR[tlp] ?? '#fff'}">TLP:${escapeHtml(tlp)}</span>`;
}

function headline(r: WeeklyReport): string {
  const box = (value: string, label: string) =>
    `<div><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  return `<div class="headline">${[
    box(n(r.handled.value), `incidents handled (${signed(r.handled)})`),
    box(n(r.opened.value), `new incidents (${signed(r.opened)})`),
    box(n(r.resolved.value), `resolved (${signed(r.resolved)})`),
    box(`${n(r.crossBorder.total.value)}`, `cross-border (${Math.round(r.crossBorder.share * 100)} %)`),
    box(n(r.notifications.total.value), 'notifications sent'),
    box(r.breaches === null ? '–' : n(r.breaches.total.value), 'data-security breaches'),
    box(r.vulnerabilities === null ? '–' : n(r.vulnerabilities.cves), 'vulnerabilities warned of'),
    box(
      r.resolution.medianHours === null ? '–' : `${r.resolution.medianHours} h`,
      'median time to resolution',
    ),
  ].join('')}</div>`;
}

export function sections(r: WeeklyReport): { readonly title: string; readonly html: string }[] {
  const out: { title: string; html: string }[] = [];
  out.push({
    title: 'Incidents handled by RSIT class and type',
    html:
      r.incidents.byClass.length === 0
        ? none('No incidents were handled this week.')
        : figure(classChart(r)) +
          table(
            ['RSIT class', num('This week'), num('The week before'), num('Change')],
            r.incidents.byClass.map((c) => [c.rsitClass, num(c.value), num(c.previous), num(signed(c))]),
          ) +
          table(
            ['RSIT class', 'Type', num('This week'), num('The week before'), num('Change')],
            r.incidents.byType.map((t) => [
              t.rsitClass,
              t.rsitType,
              num(t.value),
              num(t.previous),
              num(signed(t)),
            ]),
          ),
  });
  out.push({
    title: 'Cross-border incidents',
    html:
      `<p>${n(r.crossBorder.total.value)} of ${n(r.handled.value)} incidents handled (${Math.round(r.crossBorder.share * 100)} %) were cross-border; the week before, ${n(r.crossBorder.previous)}.</p>` +
      (r.crossBorder.byCountry.length === 0
        ? none('No cross-border incidents this week.')
        : figure(shareDonut(r)) +
          figure(countryChart(r)) +
          table(
            ['Counterpart country', num('Incidents'), num('Share of cross-border')],
            r.crossBorder.byCountry.map((c) => [
              c.country,
              num(c.value),
              num(`${Math.round(c.share * 100)} %`),
            ]),
          )),
  });
  out.push({
    title: 'Notifications by party and outcome',
    html:
      r.notifications.byParty.length === 0
        ? none('No notifications were sent this week.')
        : figure(notificationChart(r)) +
          table(
            ['Party', 'Outcome', num('Notifications')],
            r.notifications.byParty.flatMap((p) => [
              ...p.outcomes.map((o) => [p.party, o.outcome, num(o.value)]),
            ]),
          ),
  });
  out.push({
    title: 'Data-security breaches',
    html:
      r.breaches === null
        ? none('No breach figures were available for this week (the intake gave none).')
        : `<p>${n(r.breaches.total.value)} data-security breaches were found.</p>` +
          (r.breaches.byType.length > 0
            ? table(
                ['Type', num('Breaches')],
                r.breaches.byType.map((b) => [b.type, num(b.count)]),
              )
            : '') +
          (r.breaches.byOrganisation && r.breaches.byOrganisation.length > 0
            ? table(
                ['Organisation', num('Breaches')],
                r.breaches.byOrganisation.map((b) => [b.organisation, num(b.count)]),
              )
            : ''),
  });
  const v = r.vulnerabilities;
  out.push({
    title: 'Vulnerabilities warned of',
    html:
      v === null
        ? none('No advisory data was available for this week.')
        : v.advisories.length === 0
          ? none('The CERT published no advisories this week.')
          : `<p>${n(v.cves)} vulnerabilities in ${n(v.advisories.length)} advisories, affecting ${n(v.byProduct.length)} products${v.bySeverity.length > 0 ? ` (${v.bySeverity.map((s) => `${s.severity} ${s.products}`).join(', ')})` : ''}.</p>` +
            table(
              ['Vendor', 'Product', 'Severity', num('CVSS'), 'CVEs', 'Advisories'],
              v.byProduct.map((p) => [
                p.vendor,
                p.product,
                p.severity,
                num(p.cvss === null ? '' : String(p.cvss)),
                p.cves.join(', '),
                p.advisoryIds.join(', '),
              ]),
            ) +
            table(
              ['Advisory', 'Published', 'Title', 'CVEs'],
              v.advisories.map((a) => [a.id, a.published.slice(0, 10), a.title, a.cves.join(', ')]),
            ),
  });
  const infra = r.infrastructure;
  out.push({
    title: 'Most active attacker infrastructure',
    html:
      infra.asns.length === 0
        ? none('No attacker infrastructure was recorded in this week’s incidents.')
        : `<p>From ${n(infra.incidents)} incidents seen this week.</p>` +
          figure(asnChart(r)) +
          table(
            ['ASN', 'Network', 'Countries', num('Incidents'), num('Addresses')],
            infra.asns.map((a) => [
              a.asn === null ? 'unknown' : `AS${a.asn}`,
              a.name ?? '',
              a.countries.join(', '),
              num(a.value),
              num(a.addresses),
            ]),
          ) +
          table(
            ['Country', num('Incidents'), num('Addresses')],
            infra.countries.map((c) => [c.country, num(c.value), num(c.addresses)]),
          ),
  });
  const res = r.resolution;
  out.push({
    title: 'Time to resolution',
    html:
      res.medianHours === null
        ? none('No incident was resolved this week.')
        : `<p>${n(res.value)} incidents were resolved in a median of <strong>${res.medianHours} hours</strong>${res.previousMedianHours === null ? '' : ` (the week before: ${res.previousMedianHours} hours)`}.</p>`,
  });
  out.push({
    title: 'Notable incidents',
    html:
      r.notable.items.length === 0
        ? none('No TLP:CLEAR incident to tell of this week.')
        : `<ul>${r.notable.items.map((i) => `<li>#${i.number} · ${escapeHtml(i.line)}</li>`).join('\n')}</ul>`,
  });
  return out;
}

export function weeklyHtml(r: WeeklyReport): string {
  const title = `Weekly report ${r.week}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)} · TLP:${escapeHtml(r.tlp)}</title><style>${STYLE}</style></head>
<body>
<p>${tlpLabel(r.tlp)}</p>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${r.publisher ? `${escapeHtml(r.publisher)} · ` : ''}${escapeHtml(weekDates(r.period))} (${escapeHtml(r.period.from)} – ${escapeHtml(r.period.to)}) · generated ${escapeHtml(r.generatedAt)}</p>
<p class="summary">${escapeHtml(r.summary)}</p>
${headline(r)}
${sections(r)
  .map((s) => `<section><h2>${escapeHtml(s.title)}</h2>\n${s.html}</section>`)
  .join('\n')}
<footer>Every figure in this report is traceable: the JSON form lists, per figure, the query that counted it and the case ids behind it. ${tlpLabel(r.tlp)}</footer>
</body></html>
`;
}
