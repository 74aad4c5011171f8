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
    // `_write_ts` is on every json-streaming-logs record, also those without `ts` (loaded_scripts).
    if (('_path' in v && ('ts' in v || '_write_ts' in v)) || 'id.orig_h' in v || ('uid' in v && 'ts' in v))
      return 'zeek-json';
    if (v['@proc'] === 'zeek' && '@stream' in v) return 'zeek-json';
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
    const layout = jsonLayout(t);
    const first = layout === 'lines' ? firstObjectLine(t) : undefined;
    if (first !== undefined) return { format: jsonFormatOf(first), layout };
    // Pretty-printed, concatenated, an array, or a first line longer than the head: the keys that show.
    let format: EvidenceFormat = 'jsonl';
    if (/"Event"\s*:\s*\{[\s\S]*"System"\s*:/.test(t)) format = 'evtx-json';
    else if (/"event_type"\s*:/.test(t)) format = 'suricata';
    else if (/"winlog"\s*:/.test(t)) format = 'ecs';
    else if (/"EventID"\s*:/.test(t) && /"(Hostname|SourceName|Channel)"\s*:/.test(t)) format = 'winjson';
    else if (/"_path"\s*:|"id\.orig_h"\s*:|"@proc"\s*:\s*"zeek"/.test(t)) format = 'zeek-json';
    return { format, layout };
  }
  return looksLikeCsv(t) ? { format: 'csv' } : null;
}

/** Complete lines of the head (the last one may be cut unless the head ends with a newline). */
function completeLines(t: string): string[] {
  const all = t.split('\n');
  all.pop();
  return all.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * JSON lines when any of the first lines, starting at column 0, is an object by itself (so one broken
 * first line does not turn a JSON-lines file into one unterminated value), or when the first line is
 * longer than the head; an array or pretty-printed values otherwise.
 */
function jsonLayout(t: string): JsonLayout {
  if (t[0] === '[') return 'values';
  if (!t.includes('\n')) return 'lines';
  return firstObjectLine(t) !== undefined ? 'lines' : 'values';
}

function firstObjectLine(t: string): Record<string, unknown> | undefined {
  const candidates = t.includes('\n') ? completeLines(t) : [t];
  for (const line of candidates.slice(0, 64)) {
    if (line[0] !== '{') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length > 0
      )
        return value as Record<string, unknown>;
    } catch {
      // a broken or partial line: look at the next
    }
  }
  return undefined;
}

/** The head's records split by `d` outside double quotes (RFC 4180), blank lines left out. */
function delimitedRecords(t: string, d: string): { complete: string[][]; partial?: string[] } {
  const complete: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < t.length && complete.length < 32; i++) {
    const c = t[i]!;
    if (quoted) {
      if (c === '"' && t[i + 1] === '"') {
        cell += c;
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === d) {
      cells.push(cell);
      cell = '';
    } else if (c === '\n') {
      cells.push(cell.endsWith('\r') ? cell.slice(0, -1) : cell);
      if (!(cells.length === 1 && cells[0]!.trim() === '')) complete.push(cells);
      cells = [];
      cell = '';
    } else cell += c;
  }
  if (complete.length >= 32 || (cells.length === 0 && cell === '')) return { complete };
  return { complete, partial: [...cells, cell] };
}

/** A header names columns; a sentence (prose, a README) does not. */
function headerLike(cells: readonly string[]): boolean {
  const names = cells.map((c) => c.trim());
  // A drawn table (Markdown `| a | b |`) has nothing before its first and after its last border.
  if (names[0] === '' && names[names.length - 1] === '') return false;
  if (names.some((n) => n.length > 64 || n.split(/\s+/).length > 5)) return false;
  return !/[.!?]$/.test(names[names.length - 1] ?? '');
}

/**
 * CSV when one delimiter splits a header into ≥ 2 cells and most records after it (at least one) into
 * as many, quoted cells counting as one — a broken row is the reader's issue, not a reason to skip the
 * file — and the header reads as column names rather than prose.
 */
function looksLikeCsv(t: string): boolean {
  // NULs in the header are binary or UTF-16; one in a value is just hostile data, not a reason to skip.
  const nl = t.indexOf('\n');
  if (t.slice(0, nl < 0 ? 2048 : nl).includes('\u0000')) return false;
  for (const d of [',', '\t', ';', '|']) {
    const { complete, partial } = delimitedRecords(t, d);
    const header = complete[0];
    if (!header || header.length < 2 || !headerLike(header)) continue;
    const rows = complete.slice(1);
    // The last record may be cut at the end of the head: it counts only when it is whole.
    if (partial?.length === header.length) rows.push(partial);
    const matching = rows.filter((r) => r.length === header.length).length;
    if (matching >= 1 && matching * 2 > rows.length) return true;
  }
  return false;
}

/** The format of content starting with `head`. */
export function sniffFormat(head: Uint8Array, _name?: string): Sniffed | null {
  if (startsWith(head, [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00])) return 'evtx';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  return sniffText(TEXT.decode(head))?.format ?? null;
}
