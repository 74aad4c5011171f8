/**
 * Which reader a file needs, decided by its content (never its name): EVTX magic, archive magic,
 * W3C and Zeek headers, the keys of the first JSON record, a consistent CSV delimiter.
 */
import { windowsShape } from './winjson/reader.js';

export type EvidenceFormat =
  'evtx' | 'evtx-json' | 'winjson' | 'ecs' | 'w3c' | 'zeek' | 'zeek-json' | 'suricata' | 'jsonl' | 'csv';

export type Sniffed = EvidenceFormat | 'gzip' | 'zip';

/** Whether a JSON format is one value per line or pretty-printed/concatenated/array values. */
export type JsonLayout = 'lines' | 'values';

const TEXT = new TextDecoder('utf-8', { fatal: false });

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

export function jsonFormatOf(value: unknown): EvidenceFormat {
  const windows = windowsShape(value);
  if (windows) return windows;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if ('event_type' in v && ('src_ip' in v || 'flow_id' in v || 'timestamp' in v)) return 'suricata';
    if (('_path' in v && 'ts' in v) || 'id.orig_h' in v || ('uid' in v && 'ts' in v)) return 'zeek-json';
  }
  return 'jsonl';
}

/** The format, and for JSON how values are laid out. */
export function sniffText(text: string): { format: EvidenceFormat; layout?: JsonLayout } | null {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t === '') return null;
  if (/^#Software: Microsoft|^#Version: [\d.]+\s*\n(#[^\n]*\n)*#Fields:|^#Fields:/.test(t))
    return { format: 'w3c' };
  if (/^#separator |^#fields\t/.test(t)) return { format: 'zeek' };
  if (t[0] === '{' || t[0] === '[') {
    const firstLine = t.slice(0, t.indexOf('\n') < 0 ? t.length : t.indexOf('\n')).trim();
    try {
      const value: unknown = JSON.parse(firstLine);
      if (!Array.isArray(value)) return { format: jsonFormatOf(value), layout: 'lines' };
    } catch {
      // Pretty-printed, concatenated or an array: look at the keys that show in the head.
    }
    if (/"Event"\s*:\s*\{[\s\S]*"System"\s*:/.test(t)) return { format: 'evtx-json', layout: 'values' };
    if (/"event_type"\s*:/.test(t)) return { format: 'suricata', layout: 'values' };
    if (/"winlog"\s*:/.test(t)) return { format: 'ecs', layout: 'values' };
    if (/"EventID"\s*:/.test(t) && /"(Hostname|SourceName|Channel)"\s*:/.test(t))
      return { format: 'winjson', layout: 'values' };
    if (/"_path"\s*:|"id\.orig_h"\s*:/.test(t)) return { format: 'zeek-json', layout: 'values' };
    return { format: 'jsonl', layout: 'values' };
  }
  const lines = t
    .split('\n')
    .slice(0, 6)
    .filter((l) => l.trim() !== '');
  if (lines.length >= 1 && !t.slice(0, 2048).includes('\u0000')) {
    for (const d of [',', '\t', ';', '|']) {
      const counts = lines.map((l) => l.split(d).length - 1);
      const complete = t.includes('\n') ? counts.slice(0, -1) : counts;
      if (counts[0]! >= 1 && complete.every((c) => c === counts[0])) return { format: 'csv' };
    }
  }
  return null;
}

/** The format of content starting with `head`. */
export function sniffFormat(head: Uint8Array, _name?: string): Sniffed | null {
  if (startsWith(head, [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00])) return 'evtx';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  return sniffText(TEXT.decode(head))?.format ?? null;
}
