/** CSV with a header row: RFC 4180 quoting (embedded separators, quotes and newlines), `,` `;` or tab. */
import { HeaderFields } from '../../core/shaped-fields.js';
import type { FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { genericTimestamp } from '../jsonl/reader.js';
import { textPieces, type ByteSource } from '../text-stream.js';

/** A record spanning more than this is broken quoting: reported, and reading resumes after it. */
const MAX_RECORD = 1024 * 1024;

export function detectDelimiter(headerLine: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, headerLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}

type CsvRecord =
  { readonly cells: string[]; readonly line: number } | { readonly error: string; readonly line: number };

/** Records as arrays of cells, each with the line it starts on. */
export async function* csvRecords(source: ByteSource): AsyncGenerator<CsvRecord> {
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let size = 0;
  let skipping = false;
  let justClosed = false;
  let delim: string | undefined;
  let head = '';
  for await (const piece of textPieces(source)) {
    let text = piece;
    if (delim === undefined) {
      head += piece;
      const nl = head.indexOf('\n');
      if (nl < 0 && head.length < 65536) continue;
      delim = detectDelimiter(nl < 0 ? head : head.slice(0, nl));
      text = head;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (skipping) {
        // After an oversized record, reading resumes at the next line.
        if (c === '\n') {
          skipping = false;
          size = 0;
          recordLine = ++line;
        }
        continue;
      }
      if (++size > MAX_RECORD) {
        yield { error: quoted ? 'record too long (unclosed quote?)' : 'record too long', line: recordLine };
        quoted = false;
        afterQuote = false;
        justClosed = false;
        cells = [];
        cell = '';
        skipping = true;
        i--;
        continue;
      }
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i++;
          } else {
            quoted = false;
            afterQuote = true;
            justClosed = true;
          }
        } else {
          if (c === '\n') line++;
          cell += c;
        }
        continue;
      }
      if (justClosed && c === '"') {
        // The second quote of a `""` that fell on the next piece: a quote, and still quoted.
        cell += '"';
        quoted = true;
        afterQuote = false;
        justClosed = false;
        continue;
      }
      justClosed = false;
      if (c === '"' && cell === '' && !afterQuote) quoted = true;
      else if (c === delim) {
        cells.push(cell);
        cell = '';
        afterQuote = false;
      } else if (c === '\n') {
        cells.push(cell.endsWith('\r') ? cell.slice(0, -1) : cell);
        if (!(cells.length === 1 && cells[0] === '')) yield { cells, line: recordLine };
        cells = [];
        cell = '';
        afterQuote = false;
        size = 0;
        recordLine = ++line;
      } else if (!afterQuote) cell += c;
    }
  }
  if (delim === undefined && head !== '') {
    // A file without a newline: one header line only.
    yield { cells: head.split(detectDelimiter(head)), line: 1 };
    return;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell.endsWith('\r') ? cell.slice(0, -1) : cell);
    yield quoted
      ? { error: 'input ends inside a quoted cell', line: recordLine }
      : { cells, line: recordLine };
  }
}

export async function* readCsv(source: ByteSource, file: string): AsyncGenerator<ReadResult> {
  let header: string[] | undefined;
  let shape: HeaderFields | undefined;
  for await (const record of csvRecords(source)) {
    if ('error' in record) {
      yield { ok: false, issue: issue('csv.record.invalid', record.error, { file, line: record.line }) };
      continue;
    }
    if (!header) {
      header = record.cells.map((h) => h.trim());
      shape = new HeaderFields(header);
      continue;
    }
    if (record.cells.length !== header.length) {
      yield {
        ok: false,
        issue: issue('csv.record.columns', `${record.cells.length} cells for ${header.length} columns`, {
          file,
          line: record.line,
        }),
      };
      continue;
    }
    const cells = record.cells;
    const fields = shape!.build<FieldValue>((i) => (cells[i] === '' ? null : cells[i]!));
    yield {
      ok: true,
      event: {
        timestamp: genericTimestamp(fields),
        source: { kind: 'csv', file, line: record.line },
        fields,
      },
    };
  }
}
