/**
 * RFC 4180 CSV over a whole text (imports are small; the HTTP body limit bounds them): `,` between
 * cells, `"` quoting with `""` for a quote, CRLF or LF between records, line breaks inside quotes.
 * A broken record (a stray quote, an unclosed quote) is reported with the line it starts on, and
 * reading goes on at the next line, so one bad row never hides the rows after it.
 */

export interface CsvRow {
  readonly cells: readonly string[];
  /** The line the record starts on, from 1. */
  readonly line: number;
}

export interface CsvProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedCsv {
  readonly rows: readonly CsvRow[];
  readonly problems: readonly CsvProblem[];
}

/** Byte offsets of line starts, to resume after a broken record. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function parseCsv(input: string): ParsedCsv {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const starts = lineStarts(text);
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const recordLine = line;
    const cells: string[] = [];
    let cell = '';
    let broken: string | undefined;
    let done = false;
    let quotedCell = false;
    while (!done) {
      if (i >= text.length) {
        cells.push(cell);
        break;
      }
      const c = text[i]!;
      if (c === '"' && cell === '' && !quotedCell) {
        // A quoted cell: to the closing quote, `""` standing for one quote.
        quotedCell = true;
        i++;
        let closed = false;
        while (i < text.length) {
          const q = text[i]!;
          if (q === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (q === '\n') line++;
          cell += q;
          i++;
        }
        if (!closed) {
          broken = 'a quote opened here is never closed';
          break;
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
          broken = 'text after a closing quote (a quote inside a cell must be doubled and the cell quoted)';
          break;
        }
        continue;
      }
      if (c === '"') {
        broken = 'a quote inside an unquoted cell (quote the cell and double the quote)';
        break;
      }
      if (c === ',') {
        cells.push(cell);
        cell = '';
        quotedCell = false;
        i++;
        continue;
      }
      if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
        cells.push(cell);
        i += c === '\r' ? 2 : 1;
        line++;
        done = true;
        continue;
      }
      cell += c;
      i++;
    }
    if (broken !== undefined) {
      problems.push({ line: recordLine, message: broken });
      // Resume at the line after the one the broken record started on.
      line = recordLine + 1;
      i = starts[recordLine] ?? text.length;
      continue;
    }
    // A blank line is no record.
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ cells, line: recordLine });
  }
  return { rows, problems };
}

function quote(cell: string): string {
  return /[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Rows → RFC 4180 text, CRLF after every record. */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => `${r.map(quote).join(',')}\r\n`).join('');
}
