/**
 * Zeek logs: TSV with `#separator`, `#fields` and `#types` headers (`-` unset, `(empty)` empty,
 * set/vector split into arrays, numbers typed), and Zeek JSON (one object per line).
 */
import { putField, hasField } from '../../core/fields.js';
import { HeaderFields } from '../../core/shaped-fields.js';
import { basename } from 'node:path';
import type { FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { parseTimestamp } from '../../core/time.js';
import { flattenJson, isRecord } from '../flatten-json.js';
import type { JsonItem } from '../json-values.js';
import { lines, type ByteSource } from '../text-stream.js';

const NUMERIC = new Set(['count', 'int', 'double', 'port', 'time', 'interval']);

function typed(
  value: string,
  type: string | undefined,
  setSeparator: string,
  unset: string,
  empty: string,
): FieldValue {
  if (value === unset) return null;
  if (type?.startsWith('set[') || type?.startsWith('vector[')) {
    if (value === empty) return [];
    const inner = type.slice(type.indexOf('[') + 1, -1);
    return value.split(setSeparator).map((v) => typed(v, inner, setSeparator, unset, empty));
  }
  if (value === empty) return '';
  if (type && NUMERIC.has(type)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if (type === 'bool') return value === 'T';
  return value;
}

function unescapeSeparator(text: string): string {
  return text.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** `conn.log`, `conn.00:00:00-01:00:00.log.gz`, `dns.json` → conn, dns. */
export function logTypeFromName(file: string): string | undefined {
  const m = /^([a-z_0-9]+?)(?:[.-]|$)/i.exec(basename(file.split('!').pop() ?? file));
  return m?.[1]?.toLowerCase();
}

export async function* readZeekTsv(source: ByteSource, file: string): AsyncGenerator<ReadResult> {
  let separator = '\t';
  let setSeparator = ',';
  let unset = '-';
  let empty = '(empty)';
  let names: string[] | undefined;
  let shape: HeaderFields | undefined;
  let types: string[] = [];
  let path = logTypeFromName(file);
  for await (const line of lines(source)) {
    const text = line.text;
    if (text === '') continue;
    if (text.startsWith('#')) {
      const [key, ...rest] = text.split(text.startsWith('#separator') ? ' ' : separator);
      const value = rest.join(separator);
      if (key === '#separator') separator = unescapeSeparator(value);
      else if (key === '#set_separator') setSeparator = value;
      else if (key === '#unset_field') unset = value;
      else if (key === '#empty_field') empty = value;
      else if (key === '#fields') shape = new HeaderFields((names = rest));
      else if (key === '#types') types = rest;
      else if (key === '#path') path = value;
      continue;
    }
    if (line.truncated) {
      // A cut line would be a record with a silently shortened last value.
      yield {
        ok: false,
        issue: issue('zeek.line.too-long', 'line too long, cut and skipped', { file, line: line.number }),
      };
      continue;
    }
    if (!names) {
      yield {
        ok: false,
        issue: issue('zeek.fields.missing', 'record before any #fields header', { file, line: line.number }),
      };
      continue;
    }
    const values = text.split(separator);
    if (values.length !== names.length) {
      yield {
        ok: false,
        issue: issue('zeek.record.columns', `${values.length} values for ${names.length} fields`, {
          file,
          line: line.number,
        }),
      };
      continue;
    }
    const fields = shape!.build<FieldValue>((i) => typed(values[i]!, types[i], setSeparator, unset, empty));
    yield {
      ok: true,
      event: {
        timestamp: parseTimestamp(fields.ts),
        source: { kind: 'zeek', file, line: line.number, ...(path ? { logType: path } : {}) },
        fields,
      },
    };
  }
}

/**
 * The json-streaming-logs package writes `id_orig_h` where Zeek itself writes `id.orig_h`; rules
 * and analytics use Zeek's names.
 */
function withDottedEndpoints(fields: Record<string, FieldValue>): Record<string, FieldValue> {
  if (!hasField(fields, 'id_orig_h')) return fields;
  const out: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(fields))
    putField(out, /^id_(orig|resp)_[hp]$/.test(key) ? key.replace('_', '.') : key, value);
  return out;
}

export async function* readZeekJson(
  items: AsyncIterable<JsonItem>,
  file: string,
): AsyncGenerator<ReadResult> {
  const fromName = logTypeFromName(file);
  for await (const item of items) {
    if (!item.ok) {
      yield { ok: false, issue: issue('zeek.json.invalid', item.message, { file, line: item.line }) };
      continue;
    }
    if (!isRecord(item.value)) {
      yield { ok: false, issue: issue('zeek.record.shape', 'not a JSON object', { file, line: item.line }) };
      continue;
    }
    const fields = withDottedEndpoints(flattenJson(item.value));
    // json-streaming-logs writes the log's name as @stream.
    const path = typeof fields._path === 'string' ? fields._path : fields['@stream'];
    const logType = typeof path === 'string' ? path : fromName;
    yield {
      ok: true,
      event: {
        timestamp: parseTimestamp(fields.ts),
        source: { kind: 'zeek', file, line: item.line, ...(logType ? { logType } : {}) },
        fields,
      },
    };
  }
}
