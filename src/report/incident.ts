/**
 * The incident report a coordinator can send: one self-contained HTML file (inline CSS and SVG, no
 * scripts, nothing fetched) or Markdown. Every string from the evidence is escaped: host names,
 * commands and paths are attacker-controlled.
 */
import type { Incident } from '../investigate/index.js';
import { formatBytes } from '../investigate/index.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markdown-safe: table pipes, emphasis and HTML characters escaped, newlines flattened. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const NO_WORKING_DAY = "None of the attacker's actions falls in a working day (Monday–Friday 09:00–18:00) under any UTC offset";

/** The inferred working day in words: the offset and its fit, or that none fits. */
function workingDayText(activity: Incident['activity']): string {
  if (activity.best_utc_offset === null) return activity.actions > 0 ? NO_WORKING_DAY : 'No actions to place in a working day';
  return `Best fitting offset: ${offsetLabel(activity.best_utc_offset)}, fit ${Math.round(activity.fit * 100)} %`;
}

function offsetLabel(offset: number | null): string {
  if (offset === null) return 'unknown';
  const sign = offset >= 0 ? '+' : '−';
  return `UTC${sign}${String(Math.abs(offset)).padStart(2, '0')}:00`;
}

/** Bars of attacker actions per UTC hour, with the inferred working day shaded. */
export function activityChart(incident: Incident): string {
  const { by_hour_utc: hours, best_utc_offset: offset } = incident.activity;
  const width = 720;
  const height = 180;
  const max = Math.max(1, ...hours);
  const barWidth = (width - 40) / 24;
  const parts: string[] = [];
  if (offset !== null) {
    // Local 09:00–18:00 in UTC hours.
    for (let local = 9; local < 18; local++) {
      const utc = (((local - offset) % 24) + 24) % 24;
      parts.push(
        `<rect x="${30 + utc * barWidth}" y="10" width="${barWidth}" height="${height - 40}" fill="#eef4ff"/>`,
      );
    }
  }
  hours.forEach((n, h) => {
    const barHeight = ((height - 40) * n) / max;
    parts.push(
      `<rect x="${30 + h * barWidth + 2}" y="${height - 30 - barHeight}" width="${barWidth - 4}" height="${barHeight}" fill="#b3261e"><title>${n} actions at ${h}:00 UTC</title></rect>`,
      `<text x="${30 + h * barWidth + barWidth / 2}" y="${height - 14}" font-size="10" text-anchor="middle">${h}</text>`,
    );
  });
  parts.push(
    `<text x="${width / 2}" y="${height - 1}" font-size="11" text-anchor="middle">hour (UTC); shaded: 09:00–18:00 at ${offsetLabel(offset)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Attacker activity by UTC hour">${parts.join('')}</svg>`;
}

/** Hosts on a circle around the entry host, with the spread as arrows. */
export function spreadGraph(incident: Incident): string {
  const names = incident.hosts.map((h) => h.name);
  const shown = names.slice(0, 60);
  const size = 520;
  const centre = size / 2;
  const radius = size / 2 - 60;
  const position = new Map<string, { x: number; y: number }>();
  position.set(incident.entry.host, { x: centre, y: centre });
  const ring = shown.filter((n) => n !== incident.entry.host);
  ring.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, ring.length) - Math.PI / 2;
    position.set(n, { x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle) });
  });
  const parts: string[] = [
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
  ];
  const hostOf = (name: string) => name.split('.')[0]!;
  for (const edge of incident.spread) {
    const from = position.get(hostOf(edge.from));
    const to = position.get(hostOf(edge.to));
    if (!from || !to) continue;
    parts.push(
      `<line x1="${from.x}" y1="${from.y}" x2="${to.x}" y2="${to.y}" stroke="#777" marker-end="url(#arrow)"><title>${escapeHtml(edge.via)}</title></line>`,
    );
  }
  // Hosts reached by an update push fan out from the entry host.
  for (const h of incident.hosts) {
    if (h.how_reached.startsWith('update push') && position.has(h.name)) {
      const to = position.get(h.name)!;
      parts.push(
        `<line x1="${centre}" y1="${centre}" x2="${to.x}" y2="${to.y}" stroke="#c77" stroke-dasharray="3 3"/>`,
      );
    }
  }
  for (const [name, p] of position) {
    const entry = name === incident.entry.host;
    parts.push(
      `<circle cx="${p.x}" cy="${p.y}" r="${entry ? 14 : 8}" fill="${entry ? '#b3261e' : '#3a5a9b'}"/>`,
      `<text x="${p.x}" y="${p.y - (entry ? 18 : 12)}" font-size="10" text-anchor="middle">${escapeHtml(name)}</text>`,
    );
  }
  if (names.length > shown.length)
    parts.push(
      `<text x="10" y="${size - 8}" font-size="11">${names.length - shown.length} more hosts not drawn</text>`,
    );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="Spread between hosts">${parts.join('')}</svg>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function summaryOf(incident: Incident): string {
  const parts = [
    `${incident.entry.host} was compromised on ${incident.entry.time.slice(0, 10)}` +
      (incident.entry.from_ip ? ` from ${incident.entry.from_ip}` : '') +
      ` (${incident.entry.technique ?? incident.entry.rule}).`,
  ];
  if (incident.web_shells.length > 0) parts.push(`A web shell was planted: ${incident.web_shells[0]!.path}.`);
  if (incident.hosts.length > 1)
    parts.push(
      `${incident.hosts.length - 1} further host${incident.hosts.length === 2 ? ' was' : 's were'} reached from it.`,
    );
  const exfil = incident.infrastructure.filter((x) => x.roles.includes('exfiltration'));
  if (exfil.length > 0) {
    const where = [...new Set(exfil.map((x) => x.country).filter((c): c is string => c !== null))].sort();
    const bytes = exfil.reduce((n, x) => n + x.bytes_out, 0);
    const servers = `${exfil.length} server${exfil.length === 1 ? '' : 's'}`;
    parts.push(
      `${formatBytes(bytes)} went out to ${servers}${where.length > 0 ? ` in ${where.join(', ')}` : ''}.`,
    );
  }
  if (incident.activity.best_utc_offset !== null)
    parts.push(
      `The attacker's activity fits a working day at ${offsetLabel(incident.activity.best_utc_offset)} (${Math.round(incident.activity.fit * 100)} % of actions).`,
    );
  else if (incident.activity.actions > 0) parts.push(`${NO_WORKING_DAY}.`);
  if (incident.cross_border) parts.push('The incident is cross-border.');
  return parts.join(' ');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1c1c1c;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td{word-break:break-word}.meta{color:#555}.summary{font-size:15px;background:#fafafa;padding:.75rem;border-left:4px solid #b3261e}`;

function incidentBody(incident: Incident): string {
  const i = incident;
  const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>\n${body}`;
  return `<article>
<h1>${escapeHtml(i.title)}</h1>
<p class="meta">Incident ${escapeHtml(i.id)} · ${escapeHtml(i.first_seen)} – ${escapeHtml(i.last_seen)} · severity ${escapeHtml(i.severity)} · ${i.detections.count} detections${i.cross_border ? ' · cross-border' : ''}</p>
<p class="summary">${escapeHtml(summaryOf(i))}</p>
${section('Entry', table(['Host', 'Time', 'Technique', 'First detection', 'From'], [[i.entry.host, i.entry.time, i.entry.technique ?? '', i.entry.rule, i.entry.from_ip ?? '']]))}
${
  i.web_shells.length > 0
    ? section(
        'Web shells',
        table(
          ['Host', 'Path', 'Written', 'By'],
          i.web_shells.map((w) => [w.host, w.path, w.time, w.written_by]),
        ),
      )
    : ''
}
${
  i.web_commands.length > 0
    ? section(
        'Commands run by the web server',
        table(
          ['Time', 'Host', 'Command'],
          i.web_commands.slice(0, 200).map((c) => [c.time, c.host, c.command]),
        ),
      )
    : ''
}
${section(
  `Hosts in scope (${i.hosts.length})`,
  table(
    ['Host', 'First seen', 'How reached', 'Detections'],
    i.hosts.map((h) => [h.name, h.first_seen, h.how_reached, String(h.detections)]),
  ),
)}
${section('Spread', spreadGraph(i))}
${section(
  'Timeline',
  table(
    ['Time', 'Tactic', 'Technique', 'Host', 'Detection', 'Count'],
    i.timeline.map((t) => [t.time, t.tactic ?? '', t.technique ?? '', t.host ?? '', t.rule, String(t.count)]),
  ),
)}
${section(
  'Attacker infrastructure',
  table(
    ['Address', 'Country', 'ASN', 'Network', 'Role', 'First seen', 'Last seen', 'Data out'],
    i.infrastructure.map((x) => [
      x.ip,
      x.country ?? '',
      x.asn === null ? '' : `AS${x.asn}`,
      x.as_name ?? '',
      x.roles.join(', '),
      x.first_seen,
      x.last_seen,
      formatBytes(x.bytes_out),
    ]),
  ),
)}
<p>Data out in total: <strong>${escapeHtml(formatBytes(i.bytes_out_total))}</strong> (${i.bytes_out_total} bytes).</p>
${section('Activity by hour', activityChart(i))}
<p>By weekday (UTC): ${i.activity.by_weekday.map((n, d) => `${WEEKDAYS[d]} ${n}`).join(' · ')}. ${escapeHtml(workingDayText(i.activity))}.</p>
${section(
  'ATT&CK techniques',
  table(
    ['Technique', 'Name', 'Tactics', 'Detections'],
    i.techniques.map((t) => [t.id, t.name, t.tactics.join(', '), String(t.count)]),
  ),
)}
${section(
  'Why these belong together',
  `<ul>${i.links
    .slice(0, 100)
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join('\n')}</ul>`,
)}
</article>`;
}

/** One self-contained HTML document for one or more incidents. */
export function incidentHtml(incidents: Incident | readonly Incident[]): string {
  const list = Array.isArray(incidents) ? (incidents as readonly Incident[]) : [incidents as Incident];
  const title = list.length === 1 ? list[0]!.title : `${list.length} incidents`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${list.length === 0 ? '<p>No incidents.</p>' : list.map(incidentBody).join('\n<hr>\n')}
</body></html>
`;
}

export function incidentMarkdown(incident: Incident): string {
  const i = incident;
  const md = escapeMarkdown;
  const rows = (header: readonly string[], data: readonly (readonly string[])[]) =>
    [
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...data.map((r) => `| ${r.map(md).join(' | ')} |`),
    ].join('\n');
  return [
    `# ${md(i.title)}`,
    '',
    `Incident ${md(i.id)}, ${i.first_seen} – ${i.last_seen}, severity ${i.severity}, ${i.detections.count} detections${i.cross_border ? ', cross-border' : ''}.`,
    '',
    md(summaryOf(i)),
    '',
    '## Hosts in scope',
    '',
    rows(
      ['Host', 'First seen', 'How reached', 'Detections'],
      i.hosts.map((h) => [h.name, h.first_seen, h.how_reached, String(h.detections)]),
    ),
    '',
    '## Timeline',
    '',
    rows(
      ['Time', 'Tactic', 'Technique', 'Host', 'Detection'],
      i.timeline.map((t) => [t.time, t.tactic ?? '', t.technique ?? '', t.host ?? '', t.rule]),
    ),
    '',
    '## Attacker infrastructure',
    '',
    rows(
      ['Address', 'Country', 'ASN', 'Role', 'Data out'],
      i.infrastructure.map((x) => [
        x.ip,
        x.country ?? '',
        x.asn === null ? '' : `AS${x.asn}`,
        x.roles.join(', '),
        formatBytes(x.bytes_out),
      ]),
    ),
    '',
    `Activity: ${workingDayText(i.activity)}; by UTC hour ${i.activity.by_hour_utc.join(' ')}.`,
    '',
    '## Techniques',
    '',
    rows(
      ['Technique', 'Name', 'Tactics'],
      i.techniques.map((t) => [t.id, t.name, t.tactics.join(', ')]),
    ),
    '',
  ].join('\n');
}
