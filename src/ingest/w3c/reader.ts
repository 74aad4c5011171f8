/**
 * W3C extended logs (IIS, Exchange): `#Fields:` names the columns (and may change mid-file), values
 * are space-separated, `-` means none, `date` + `time` are UTC. Exchange writes the same headers with
 * comma-separated, CSV-quoted values and one `date-time` (or `DateTime`) column.
 */
import { HeaderFields } from '../../core/shaped-fields.js';
import type { FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { parseTimestamp } from '../../core/time.js';
import { lines, type ByteSource } from '../text-stream.js';

/** One comma-separated line, `"…"` quoting with `""` for a quote. */
function splitCsvLine(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += c;
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

function timestampOf(fields: Record<string, FieldValue>): number {
  const date = fields.date;
  const time = fields.time;
  if (typeof date === 'string' && typeof time === 'string') return Date.parse(`${date}T${time}Z`);
  return parseTimestamp(fields['date-time'] ?? fields.DateTime);
}

export async function* readW3c(source: ByteSource, file: string): AsyncGenerator<ReadResult> {
  let names: string[] | undefined;
  let shape: HeaderFields | undefined;
  let commas = false;
  for await (const line of lines(source)) {
    const text = line.text;
    if (text === '') continue;
    if (text.startsWith('#')) {
      if (text.startsWith('#Fields:')) {
        const spec = text.slice(8).trim();
        commas = spec.includes(',');
        names = commas ? spec.split(',').map((n) => n.trim()) : spec.split(/\s+/);
        shape = new HeaderFields(names);
      }
      continue;
    }
    if (line.truncated) {
      yield {
        ok: false,
        issue: issue('w3c.line.too-long', 'line too long, cut and skipped', { file, line: line.number }),
      };
      continue;
    }
    if (!names) {
      yield {
        ok: false,
        issue: issue('w3c.fields.missing', 'record before any #Fields: header', { file, line: line.number }),
      };
      continue;
    }
    const values = commas ? splitCsvLine(text) : text.split(' ');
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
    const fields = shape!.build<FieldValue>((i) => {
      const v = values[i]!;
      return v === '-' || (commas && v === '') ? null : v;
    });
    yield {
      ok: true,
      event: { timestamp: timestampOf(fields), source: { kind: 'w3c', file, line: line.number }, fields },
    };
  }
}
