/**
 * The weekly report's charts, drawn on the server as SVG strings (no browser, no script): d3-scale
 * for the axes and bands (nice ticks, padding) and d3-shape for the stacked bars and the share
 * donut's arcs. Every label is escaped; coordinates are rounded so golden files stay stable.
 */
import { scaleBand, scaleLinear } from 'd3-scale';
import { arc, pie, stack } from 'd3-shape';
import { escapeHtml } from '../incident.js';
import type { WeeklyReport } from './model.js';

const FONT = 'font-family="system-ui,sans-serif"';
const NOW = '#b3261e';
const BEFORE = '#c9c9c9';
const OUTCOME_COLOURS = [
  '#2e7d32',
  '#1565c0',
  '#f9a825',
  '#6d4c41',
  '#8e24aa',
  '#00838f',
  '#d84315',
  '#546e7a',
];

const r = (x: number): number => Math.round(x * 10) / 10;

function svg(width: number, height: number, label: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" ${FONT} font-size="11">${body}</svg>`;
}

function empty(label: string): string {
  return svg(
    640,
    40,
    label,
    `<text x="8" y="24" fill="#555">${escapeHtml(label)}: nothing to draw this week</text>`,
  );
}

/** A value axis along the bottom, with nice ticks; whole numbers only, since everything drawn is a count. */
function axis(x: (v: number) => number, ticks: readonly number[], y: number, top: number): string {
  return ticks
    .filter((t) => Number.isInteger(t))
    .map(
      (t) =>
        `<line x1="${r(x(t))}" y1="${top}" x2="${r(x(t))}" y2="${y}" stroke="#eee"/><text x="${r(x(t))}" y="${y + 14}" text-anchor="middle" fill="#555">${t}</text>`,
    )
    .join('');
}

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly previous?: number;
}

/** Horizontal bars, one per row; with `previous`, a thin grey bar for the week before under each. */
export function barChart(label: string, rows: readonly Bar[], options: { unit?: string } = {}): string {
  if (rows.length === 0) return empty(label);
  const width = 640;
  const left = 190;
  const right = 50;
  const top = 8;
  const band = 26;
  const height = top + rows.length * band + 28;
  const max = Math.max(1, ...rows.map((b) => Math.max(b.value, b.previous ?? 0)));
  const x = scaleLinear()
    .domain([0, max])
    .nice(5)
    .range([left, width - right]);
  const y = scaleBand<number>()
    .domain(rows.map((_, i) => i))
    .range([top, top + rows.length * band])
    .paddingInner(0.25);
  const withPrevious = rows.some((b) => b.previous !== undefined);
  const parts = [axis(x, x.ticks(5), top + rows.length * band, top)];
  rows.forEach((b, i) => {
    const y0 = y(i)!;
    const h = y.bandwidth();
    const mainH = withPrevious ? h * 0.65 : h;
    parts.push(
      `<text x="${left - 6}" y="${r(y0 + h / 2 + 4)}" text-anchor="end">${escapeHtml(b.label.slice(0, 40))}</text>`,
      `<rect x="${left}" y="${r(y0)}" width="${r(x(b.value) - left)}" height="${r(mainH)}" fill="${NOW}"><title>${escapeHtml(b.label)}: ${b.value}${options.unit ?? ''}</title></rect>`,
      `<text x="${r(x(b.value) + 4)}" y="${r(y0 + mainH / 2 + 4)}">${b.value}${escapeHtml(options.unit ?? '')}</text>`,
    );
    if (b.previous !== undefined)
      parts.push(
        `<rect x="${left}" y="${r(y0 + mainH + 1)}" width="${r(x(b.previous) - left)}" height="${r(h - mainH - 1)}" fill="${BEFORE}"><title>the week before: ${b.previous}</title></rect>`,
      );
  });
  if (withPrevious)
    parts.push(
      `<rect x="${left}" y="${height - 12}" width="10" height="8" fill="${NOW}"/><text x="${left + 14}" y="${height - 4}">this week</text>`,
      `<rect x="${left + 90}" y="${height - 12}" width="10" height="8" fill="${BEFORE}"/><text x="${left + 104}" y="${height - 4}">the week before</text>`,
    );
  return svg(width, height, label, parts.join(''));
}

/** Notifications per party, stacked by outcome (d3-shape's stack over the outcome keys). */
export function notificationChart(report: WeeklyReport): string {
  const label = 'Notifications by party and outcome';
  const parties = report.notifications.byParty;
  if (parties.length === 0) return empty(label);
  const outcomes = [...new Set(parties.flatMap((p) => p.outcomes.map((o) => o.outcome)))].sort();
  const data = parties.map((p) => {
    const row: Record<string, number> = {};
    for (const o of outcomes) row[o] = p.outcomes.find((x) => x.outcome === o)?.value ?? 0;
    return row;
  });
  const series = stack<Record<string, number>>().keys(outcomes)(data);
  const width = 640;
  const left = 190;
  const top = 8;
  const band = 26;
  const legendRows = Math.ceil(outcomes.length / 4);
  const height = top + parties.length * band + 22 + legendRows * 16;
  const x = scaleLinear()
    .domain([0, Math.max(1, ...parties.map((p) => p.value))])
    .nice(5)
    .range([left, width - 50]);
  const y = scaleBand<number>()
    .domain(parties.map((_, i) => i))
    .range([top, top + parties.length * band])
    .paddingInner(0.25);
  const colour = (i: number) => OUTCOME_COLOURS[i % OUTCOME_COLOURS.length]!;
  const parts = [axis(x, x.ticks(5), top + parties.length * band, top)];
  parties.forEach((p, i) => {
    parts.push(
      `<text x="${left - 6}" y="${r(y(i)! + y.bandwidth() / 2 + 4)}" text-anchor="end">${escapeHtml(p.party.slice(0, 40))}</text>`,
    );
  });
  series.forEach((s, k) => {
    s.forEach(([a, b], i) => {
      if (b - a <= 0) return;
      parts.push(
        `<rect x="${r(x(a))}" y="${r(y(i)!)}" width="${r(x(b) - x(a))}" height="${r(y.bandwidth())}" fill="${colour(k)}"><title>${escapeHtml(`${parties[i]!.party}, ${s.key}: ${b - a}`)}</title></rect>`,
      );
    });
  });
  outcomes.forEach((o, k) => {
    const lx = left + (k % 4) * 110;
    const ly = top + parties.length * band + 30 + Math.floor(k / 4) * 16;
    parts.push(
      `<rect x="${lx}" y="${ly - 8}" width="10" height="8" fill="${colour(k)}"/><text x="${lx + 14}" y="${ly}">${escapeHtml(o.slice(0, 16))}</text>`,
    );
  });
  return svg(width, height, label, parts.join(''));
}

/** The cross-border share as a donut (d3-shape's pie and arc). */
export function shareDonut(report: WeeklyReport): string {
  const label = 'Cross-border share of the incidents handled';
  const border = report.crossBorder.total.value;
  const domestic = report.handled.value - border;
  if (report.handled.value === 0) return empty(label);
  const size = 180;
  const slices = pie<number>().sort(null)([border, domestic]);
  const shape = arc<{ startAngle: number; endAngle: number }>()
    .innerRadius(48)
    .outerRadius(80)
    .padAngle(0)
    .digits(1);
  const fills = [NOW, BEFORE];
  const names = ['cross-border', 'domestic'];
  const paths = slices
    .map((s, i) =>
      s.endAngle - s.startAngle <= 0
        ? ''
        : `<path d="${shape(s) ?? ''}" fill="${fills[i]}"><title>${names[i]}: ${s.value}</title></path>`,
    )
    .join('');
  const pct = Math.round(report.crossBorder.share * 100);
  return svg(
    size + 200,
    size,
    label,
    `<g transform="translate(${size / 2},${size / 2})">${paths}<text text-anchor="middle" y="6" font-size="18">${pct} %</text></g>` +
      `<rect x="${size + 10}" y="60" width="10" height="8" fill="${NOW}"/><text x="${size + 24}" y="68">cross-border ${border}</text>` +
      `<rect x="${size + 10}" y="80" width="10" height="8" fill="${BEFORE}"/><text x="${size + 24}" y="88">domestic ${domestic}</text>`,
  );
}

export function classChart(report: WeeklyReport): string {
  return barChart(
    'Incidents handled by RSIT class, this week and the week before',
    report.incidents.byClass.map((c) => ({ label: c.rsitClass, value: c.value, previous: c.previous })),
  );
}

export function countryChart(report: WeeklyReport): string {
  return barChart(
    'Cross-border incidents by counterpart country',
    report.crossBorder.byCountry.map((c) => ({ label: c.country, value: c.value })),
  );
}

export function asnChart(report: WeeklyReport): string {
  return barChart(
    'Incidents per attacker network (ASN)',
    report.infrastructure.asns.map((a) => ({
      label: a.asn === null ? 'unknown AS' : `AS${a.asn}${a.name ? ` ${a.name}` : ''}`,
      value: a.value,
    })),
  );
}
