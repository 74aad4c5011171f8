/**
 * W3C extended logs (IIS, Exchange): `#Fields:` names the columns (and may change mid-file), values
 * are space-separated, `-` means none, `date` + `time` are UTC.
 */
import type { FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { lines, type ByteSource } from '../text-stream.js';

export async function* readW3c(source: ByteSource, file: string): AsyncGenerator<ReadResult> {
  let names: string[] | undefined;
  for await (const line of lines(source)) {
    const text = line.text;
    if (text === '') continue;
    if (text.startsWith('#')) {
      if (text.startsWith('#Fields:')) names = text.slice(8).trim().split(/\s+/);
      continue;
    }
    if (!names) {
      yield {
        ok: false,
        issue: issue('w3c.fields.missing', 'record before any #Fields: header', { file, line: line.number }),
      };
      continue;
    }
    const values = text.split(' ');
    if (values.length !== names.length) {
      yield {
        ok: false,
        issue: issue('w3c.record.columns', `${values.length} values for ${names.length} fields`, {
          file,
          line: line.number,
        }),
      };
      continue;
    }
    const fields: Record<string, FieldValue> = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i]!;
      fields[names[i]!] = v === '-' ? null : v;
    }
    const date = fields.date;
    const time = fields.time;
    const timestamp =
      typeof date === 'string' && typeof time === 'string' ? Date.parse(`${date}T${time}Z`) : Number.NaN;
    yield { ok: true, event: { timestamp, source: { kind: 'w3c', file, line: line.number }, fields } };
  }
}
