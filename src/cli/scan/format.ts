/** Detection output for `vigil scan`: a readable timeline table, CSV, JSON lines and JSON, and the summary. */
import type { Detection, Level } from '../../core/detection.js';
import { LEVELS, levelRank } from '../../core/detection.js';
import type { FieldValue } from '../../core/event.js';
import { formatIsoMs } from '../../core/time.js';

export type ScanFormat = 'table' | 'csv' | 'jsonl' | 'json';

/** The documented JSONL shape: one detection per line. */
export function detectionToJson(d: Detection): Record<string, unknown> {
  const source: Record<string, unknown> = { file: d.source.file, kind: d.source.kind };
  if (d.source.recordId !== undefined) source.record_id = d.source.recordId;
  if (d.source.line !== undefined) source.line = d.source.line;
  if (d.source.offset !== undefined) source.offset = d.source.offset;
  return {
    timestamp: formatIsoMs(d.timestamp),
    kind: d.kind,
    rule_id: d.ruleId,
    rule_title: d.ruleTitle,
    level: d.level,
    host: d.host,
    tags: d.tags,
    source,
    fields: d.fields,
    ...(d.eventId !== undefined ? { event_id: d.eventId } : {}),
  };
}

/** Control characters from logs never reach a terminal raw: they could rewrite what the analyst sees. */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\t' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function valueText(value: FieldValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map(valueText).join(',');
  return String(value);
}

const KEY_FIELD_LIMIT = 160;

export function keyFieldsText(fields: Detection['fields']): string {
  const text = Object.entries(fields)
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(' ¦ ');
  return terminalSafe(text.length > KEY_FIELD_LIMIT ? `${text.slice(0, KEY_FIELD_LIMIT - 1)}…` : text);
}

function sourceText(d: Detection): string {
  const where =
    d.source.recordId !== undefined
      ? `#${d.source.recordId}`
      : d.source.line !== undefined
        ? `:${d.source.line}`
        : d.source.offset !== undefined
          ? `@${d.source.offset}`
          : '';
  return terminalSafe(`${d.source.file}${where}`);
}

const LEVEL_SHORT: Record<Level, string> = {
  informational: 'info',
  low: 'low',
  medium: 'med',
  high: 'high',
  critical: 'crit',
};

function attackTags(tags: readonly string[]): string {
  return tags
    .filter((t) => /^attack\.t\d/i.test(t))
    .map((t) => t.slice(7).toUpperCase())
    .join(',');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);
}

export function tableHeader(): string {
  return `${pad('TIME (UTC)', 24)} ${pad('HOST', 18)} ${pad('LEVEL', 5)} ${pad('RULE', 48)} ${pad('ATT&CK', 16)} FIELDS | SOURCE`;
}

export function tableRow(d: Detection): string {
  return [
    pad(formatIsoMs(d.timestamp) || '-', 24),
    pad(terminalSafe(d.host ?? '-'), 18),
    pad(LEVEL_SHORT[d.level], 5),
    pad(terminalSafe(d.ruleTitle), 48),
    pad(attackTags(d.tags), 16),
    `${keyFieldsText(d.fields)} | ${sourceText(d)} [${d.ruleId}]`,
  ].join(' ');
}

/** CSV cells that a spreadsheet would run as a formula are prefixed with a quote (CSV injection). */
export function csvCell(text: string): string {
  const neutral = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(neutral) ? `"${neutral.replace(/"/g, '""')}"` : neutral;
}

export const CSV_HEADER = 'timestamp,level,host,rule_title,rule_id,tags,fields,file,record';

export function csvRow(d: Detection): string {
  const record = d.source.recordId ?? d.source.line ?? d.source.offset ?? '';
  return [
    formatIsoMs(d.timestamp),
    d.level,
    d.host ?? '',
    d.ruleTitle,
    d.ruleId,
    d.tags.join(' '),
    Object.entries(d.fields)
      .map(([k, v]) => `${k}=${valueText(v)}`)
      .join('; '),
    d.source.file,
    String(record),
  ]
    .map(csvCell)
    .join(',');
}

export interface ScanSummary {
  readonly byLevel: Map<Level, number>;
  readonly byRule: Map<string, { title: string; level: Level; count: number }>;
  readonly byHost: Map<string, number>;
}

export function summarize(detections: Iterable<Detection>): ScanSummary {
  const byLevel = new Map<Level, number>();
  const byRule = new Map<string, { title: string; level: Level; count: number }>();
  const byHost = new Map<string, number>();
  for (const d of detections) {
    byLevel.set(d.level, (byLevel.get(d.level) ?? 0) + 1);
    const rule = byRule.get(d.ruleId);
    if (rule) rule.count++;
    else byRule.set(d.ruleId, { title: d.ruleTitle, level: d.level, count: 1 });
    const host = d.host ?? '-';
    byHost.set(host, (byHost.get(host) ?? 0) + 1);
  }
  return { byLevel, byRule, byHost };
}

export function summaryText(summary: ScanSummary, top = 15): string {
  const lines: string[] = [];
  const levels = [...LEVELS]
    .reverse()
    .filter((l) => summary.byLevel.has(l))
    .map((l) => `${l} ${summary.byLevel.get(l)}`);
  lines.push(`By level: ${levels.join(', ') || 'none'}`);
  const rules = [...summary.byRule.entries()].sort(
    (a, b) => levelRank(b[1].level) - levelRank(a[1].level) || b[1].count - a[1].count,
  );
  lines.push(`By rule (${rules.length}):`);
  for (const [id, r] of rules.slice(0, top)) {
    lines.push(`  ${String(r.count).padStart(6)}  ${pad(r.level, 13)} ${terminalSafe(r.title)} [${id}]`);
  }
  if (rules.length > top) lines.push(`  … ${rules.length - top} more rules`);
  const hosts = [...summary.byHost.entries()].sort((a, b) => b[1] - a[1]);
  lines.push(`By host (${hosts.length}):`);
  for (const [host, n] of hosts.slice(0, top))
    lines.push(`  ${String(n).padStart(6)}  ${terminalSafe(host)}`);
  if (hosts.length > top) lines.push(`  … ${hosts.length - top} more hosts`);
  return lines.join('\n');
}
