/** Suricata EVE JSON (one object per line, or a JSON array): fields flattened with dots, `raw` kept. */
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { parseTimestamp } from '../../core/time.js';
import { flattenJson, isRecord } from '../flatten-json.js';
import type { JsonItem } from '../json-values.js';

export async function* readSuricata(
  items: AsyncIterable<JsonItem>,
  file: string,
): AsyncGenerator<ReadResult> {
  for await (const item of items) {
    if (!item.ok) {
      yield { ok: false, issue: issue('suricata.json.invalid', item.message, { file, line: item.line }) };
      continue;
    }
    if (!isRecord(item.value)) {
      yield {
        ok: false,
        issue: issue('suricata.record.shape', 'not a JSON object', { file, line: item.line }),
      };
      continue;
    }
    const fields = flattenJson(item.value);
    const logType = typeof fields.event_type === 'string' ? fields.event_type : undefined;
    yield {
      ok: true,
      event: {
        timestamp: parseTimestamp(fields.timestamp),
        source: { kind: 'suricata', file, line: item.line, ...(logType ? { logType } : {}) },
        fields,
        raw: item.value,
      },
    };
  }
}
