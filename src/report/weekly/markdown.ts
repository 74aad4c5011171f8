/** The weekly report as Markdown: the same sections as the HTML, tables instead of charts, every string escaped. */
import { escapeMarkdown as md } from '../incident.js';
import { weekDates, type Change, type WeeklyReport } from './model.js';

const n = (x: number): string => x.toLocaleString('en-US');

function signed(c: Change): string {
  const pct = c.changePercent === null ? '' : ` (${c.changePercent > 0 ? '+' : ''}${c.changePercent} %)`;
  if (c.change === 0) return `±0${pct}`;
  return `${c.change > 0 ? '+' : '−'}${n(Math.abs(c.change))}${pct}`;
}

function rows(header: readonly string[], data: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...data.map((r) => `| ${r.map(md).join(' | ')} |`),
  ].join('\n');
}

export function weeklyMarkdown(r: WeeklyReport): string {
  const out: string[] = [
    `**TLP:${r.tlp}**`,
    '',
    `# Weekly report ${r.week}`,
    '',
    `${r.publisher ? `${md(r.publisher)} · ` : ''}${weekDates(r.period)} (${r.period.from} – ${r.period.to}), generated ${r.generatedAt}.`,
    '',
    md(r.summary),
    '',
    rows(
      ['Figure', 'This week', 'The week before', 'Change'],
      [
        ['Incidents handled', n(r.handled.value), n(r.handled.previous), signed(r.handled)],
        ['New incidents', n(r.opened.value), n(r.opened.previous), signed(r.opened)],
        ['Resolved', n(r.resolved.value), n(r.resolved.previous), signed(r.resolved)],
        ['Cross-border', n(r.crossBorder.total.value), n(r.crossBorder.previous), ''],
        ['Notifications sent', n(r.notifications.total.value), '', ''],
        ['Data-security breaches', r.breaches === null ? 'no data' : n(r.breaches.total.value), '', ''],
        [
          'Vulnerabilities warned of',
          r.vulnerabilities === null ? 'no data' : n(r.vulnerabilities.cves),
          '',
          '',
        ],
        [
          'Median hours to resolution',
          r.resolution.medianHours === null ? '–' : String(r.resolution.medianHours),
          r.resolution.previousMedianHours === null ? '–' : String(r.resolution.previousMedianHours),
          '',
        ],
      ],
    ),
    '',
    '## Incidents handled by RSIT class and type',
    '',
  ];
  if (r.incidents.byClass.length === 0) out.push('No incidents were handled this week.', '');
  else
    out.push(
      rows(
        ['RSIT class', 'This week', 'The week before', 'Change'],
        r.incidents.byClass.map((c) => [c.rsitClass, n(c.value), n(c.previous), signed(c)]),
      ),
      '',
      rows(
        ['RSIT class', 'Type', 'This week', 'The week before', 'Change'],
        r.incidents.byType.map((t) => [t.rsitClass, t.rsitType, n(t.value), n(t.previous), signed(t)]),
      ),
      '',
    );
  out.push(
    '## Cross-border incidents',
    '',
    `${n(r.crossBorder.total.value)} of ${n(r.handled.value)} incidents handled (${Math.round(r.crossBorder.share * 100)} %) were cross-border; the week before, ${n(r.crossBorder.previous)}.`,
    '',
  );
  if (r.crossBorder.byCountry.length > 0)
    out.push(
      rows(
        ['Counterpart country', 'Incidents', 'Share of cross-border'],
        r.crossBorder.byCountry.map((c) => [c.country, n(c.value), `${Math.round(c.share * 100)} %`]),
      ),
      '',
    );
  out.push('## Notifications by party and outcome', '');
  if (r.notifications.byParty.length === 0) out.push('No notifications were sent this week.', '');
  else
    out.push(
      rows(
        ['Party', 'Outcome', 'Notifications'],
        r.notifications.byParty.flatMap((p) => p.outcomes.map((o) => [p.party, o.outcome, n(o.value)])),
      ),
      '',
    );
  out.push('## Data-security breaches', '');
  if (r.breaches === null)
    out.push('No breach figures were available for this week (the intake gave none).', '');
  else {
    out.push(`${n(r.breaches.total.value)} data-security breaches were found.`, '');
    if (r.breaches.byType.length > 0)
      out.push(
        rows(
          ['Type', 'Breaches'],
          r.breaches.byType.map((b) => [b.type, n(b.count)]),
        ),
        '',
      );
    if (r.breaches.byOrganisation && r.breaches.byOrganisation.length > 0)
      out.push(
        rows(
          ['Organisation', 'Breaches'],
          r.breaches.byOrganisation.map((b) => [b.organisation, n(b.count)]),
        ),
        '',
      );
  }
  out.push('## Vulnerabilities warned of', '');
  const v = r.vulnerabilities;
  if (v === null) out.push('No advisory data was available for this week.', '');
  else if (v.advisories.length === 0) out.push('The CERT published no advisories this week.', '');
  else
    out.push(
      `${n(v.cves)} vulnerabilities in ${n(v.advisories.length)} advisories, affecting ${n(v.byProduct.length)} products.`,
      '',
      rows(
        ['Vendor', 'Product', 'Severity', 'CVSS', 'CVEs', 'Advisories'],
        v.byProduct.map((p) => [
          p.vendor,
          p.product,
          p.severity,
          p.cvss === null ? '' : String(p.cvss),
          p.cves.join(', '),
          p.advisoryIds.join(', '),
        ]),
      ),
      '',
    );
  out.push('## Most active attacker infrastructure', '');
  if (r.infrastructure.asns.length === 0)
    out.push('No attacker infrastructure was recorded in this week’s incidents.', '');
  else
    out.push(
      rows(
        ['ASN', 'Network', 'Countries', 'Incidents', 'Addresses'],
        r.infrastructure.asns.map((a) => [
          a.asn === null ? 'unknown' : `AS${a.asn}`,
          a.name ?? '',
          a.countries.join(', '),
          n(a.value),
          n(a.addresses),
        ]),
      ),
      '',
      rows(
        ['Country', 'Incidents', 'Addresses'],
        r.infrastructure.countries.map((c) => [c.country, n(c.value), n(c.addresses)]),
      ),
      '',
    );
  out.push('## Time to resolution', '');
  out.push(
    r.resolution.medianHours === null
      ? 'No incident was resolved this week.'
      : `${n(r.resolution.value)} incidents were resolved in a median of ${r.resolution.medianHours} hours${r.resolution.previousMedianHours === null ? '' : ` (the week before: ${r.resolution.previousMedianHours} hours)`}.`,
    '',
  );
  out.push('## Notable incidents', '');
  if (r.notable.items.length === 0) out.push('No TLP:CLEAR incident to tell of this week.', '');
  else out.push(...r.notable.items.map((i) => `- \\#${i.number} · ${md(i.line)}`), '');
  out.push(
    '---',
    '',
    `Every figure is traceable: the JSON form lists, per figure, the query and the case ids behind it. **TLP:${r.tlp}**`,
    '',
  );
  return out.join('\n');
}
