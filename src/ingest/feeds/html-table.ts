/**
 * The rows of the tables in an HTML page, streamed: each `<tr>` becomes its cells' text (tags
 * dropped, entities decoded, blanks collapsed), whether it holds header cells, its source text
 * (`raw`) and the line it starts on. For feeds published only as a web page (IntelMQ's html_table).
 *
 *   for await (const row of htmlTableRows(lines, report)) if ('cells' in row) …
 */
import { Parser } from 'htmlparser2';
import { issue, type Issue } from '../../core/issue.js';
import type { FeedReport } from './event.js';
import type { FeedLine } from './parser.js';

export interface HtmlRow {
  readonly cells: readonly string[];
  readonly header: boolean;
  readonly raw: string;
  readonly line: number;
}

/** A row longer than this is not a table row but a broken page: reported, and reading goes on. */
const MAX_ROW = 1024 * 1024;

export async function* htmlTableRows(lines: AsyncIterable<FeedLine>, report: FeedReport): AsyncGenerator<HtmlRow | { readonly issue: Issue }> {
  const done: (HtmlRow | { issue: Issue })[] = [];
  // The page's text from `base` on: enough to cut out the row being read.
  let seen = '';
  let base = 0;
  let line = 0;
  let row: { cells: string[]; header: boolean; start: number; line: number } | undefined;
  let cell: string | undefined;
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'tr') row = { cells: [], header: false, start: parser.startIndex, line };
        else if (row && (name === 'td' || name === 'th')) {
          cell = '';
          if (name === 'th') row.header = true;
        }
      },
      ontext(text) {
        if (cell !== undefined) cell += text;
      },
      onclosetag(name) {
        if (row && cell !== undefined && (name === 'td' || name === 'th')) {
          row.cells.push(cell.replace(/\s+/g, ' ').trim());
          cell = undefined;
        } else if (row && name === 'tr') {
          done.push({ cells: row.cells, header: row.header, raw: seen.slice(row.start - base, parser.endIndex + 1 - base), line: row.line });
          row = undefined;
          cell = undefined;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  for await (const l of lines) {
    line = l.number;
    seen += `${l.text}\n`;
    parser.write(`${l.text}\n`);
    yield* done.splice(0);
    // Keep only the text of the row still open.
    const keepFrom = row ? row.start : base + seen.length;
    if (keepFrom - base > 0) {
      seen = seen.slice(keepFrom - base);
      base = keepFrom;
    }
    if (row && seen.length > MAX_ROW) {
      yield { issue: issue('feed.html.row-too-long', `a table row is still open after ${MAX_ROW} characters`, { file: report.fileName, line: row.line }) };
      row = undefined;
      cell = undefined;
    }
  }
  parser.end();
  yield* done.splice(0);
}
