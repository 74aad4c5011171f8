/** Generic JSON lines: any object, flattened with dots; the time from the usual timestamp keys. */
import type { FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { parseTimestamp } from '../../core/time.js';
import { flattenJson, isRecord } from '../flatten-json.js';
import type { JsonItem } from '../json-values.js';

const TIME_KEYS = [
  '@timestamp',
  'timestamp',
  'time',
  'ts',
  'eventTime',
  'date',
  'datetime',
  'Timestamp',
  'TimeCreated',
];

export function genericTimestamp(fields: Record<string, FieldValue>): number {
  for (const key of TIME_KEYS) {
    const t = parseTimestamp(fields[key]);
    if (!Number.isNaN(t)) return t;
  }
  return Number.NaN;
}

export async function* readJsonLines(
  items: AsyncIterable<JsonItem>,
  file: string,
): AsyncGenerator<ReadResult> {
  for await (const item of items) {
    if (!item.ok) {
      yield { ok: false, issue: issue('jsonl.json.invalid', item.message, { file, line: item.line }) };
      continue;
    }
    if (!isRecord(item.value)) {
      yield { ok: false, issue: issue('jsonl.record.shape', 'not a JSON object', { file, line: item.line }) };
      continue;
    }
    const fields = flattenJson(item.value);
    yield {
      ok: true,
      event: {
        timestamp: genericTimestamp(fields),
        source: { kind: 'jsonl', file, line: item.line },
        fields,
      },
    };
  }
}
