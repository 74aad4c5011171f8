/**
 * What a feed parser is: a name, a sniff of content and file name, and a function from the report's
 * lines to harmonised events (or issues). Each parser under feeds/<feed>/ is a small declaration
 * built on the helpers here: lines with comments skipped, CSV records with their raw text, JSON lists.
 */
import { issue, type Issue } from '../../core/issue.js';
import { FeedEventBuilder, type FeedEvent, type FeedReport } from './event.js';

export interface FeedLine {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
}

export type FeedRecord = { readonly event: FeedEvent } | { readonly issue: Issue };

export interface FeedParser {
  /** Stable name used by `--feed` and in feed configuration, e.g. `shadowserver`, `spamhaus-drop`. */
  readonly name: string;
  readonly title: string;
  readonly provider: string;
  /**
   * How sure this parser is that it reads the content: 0 (no) … 1 (certain). `head` is the first
   * 64 KiB of text, `fileName` the report's base name.
   */
  sniff(head: string, fileName: string): number;
  parse(lines: AsyncIterable<FeedLine>, report: FeedReport): AsyncGenerator<FeedRecord>;
}

export interface ParseContext {
  readonly report: FeedReport;
  readonly file: string;
}

export function builder(report: FeedReport, line: number): FeedEventBuilder {
  return new FeedEventBuilder(report, { file: report.fileName, line });
}

export function lineIssue(report: FeedReport, line: number, code: string, message: string): FeedRecord {
  return { issue: issue(code, message, { file: report.fileName, line }) };
}

/**
 * A line-per-event feed: blank lines and comment lines skipped; `header` sees the comments (for a
 * "Last-Modified" line or a generation time); `row` turns one line into fields on the builder, or
 * returns a problem.
 */
export function lineFeed(options: {
  readonly comment?: RegExp;
  readonly header?: (line: string, state: Record<string, string>) => void;
  readonly row: (line: string, b: FeedEventBuilder, state: Readonly<Record<string, string>>) => string | void;
}): FeedParser['parse'] {
  const comment = options.comment ?? /^\s*(#|;|\/\/)/;
  return async function* (lines, report) {
    const state: Record<string, string> = {};
    for await (const line of lines) {
      const text = line.text;
      if (text.trim() === '') continue;
      if (comment.test(text)) {
        options.header?.(text, state);
        continue;
      }
      const b = builder(report, line.number);
      const problem = options.row(text, b, state);
      if (typeof problem === 'string') {
        yield lineIssue(report, line.number, 'feed.line.unreadable', problem);
        continue;
      }
      // IntelMQ keeps the line without its trailing blanks.
      yield { event: b.finish(text.trimEnd()) };
    }
  };
}

export interface CsvRow {
  readonly cells: readonly string[];
  /** The physical lines the record spans, joined with "\n". */
  readonly raw: string;
  readonly line: number;
}

/** A record longer than this is broken quoting: reported, and reading resumes after it. */
const MAX_RECORD = 1024 * 1024;

/** Splits one CSV record (RFC 4180 quoting); null when a quote is still open at the end. */
export function splitCsv(text: string, delimiter: string): string[] | null {
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  const n = text.length;
  for (;;) {
    if (i < n && text.charCodeAt(i) === 34) {
      // quoted cell
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return null;
        cell += text.slice(i, q);
        if (text.charCodeAt(q + 1) === 34) {
          cell += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      const d = text.indexOf(delimiter, i);
      const end = d < 0 ? n : d;
      cell += text.slice(i, end);
      cells.push(cell);
      cell = '';
      if (d < 0) return cells;
      i = d + delimiter.length;
      continue;
    }
    const d = text.indexOf(delimiter, i);
    if (d < 0) {
      cells.push(text.slice(i));
      return cells;
    }
    cells.push(text.slice(i, d));
    i = d + delimiter.length;
  }
}

/** CSV records over lines: quoted newlines join lines; `skip` drops comment lines between records. */
export async function* csvRows(
  lines: AsyncIterable<FeedLine>,
  report: FeedReport,
  options: { readonly delimiter?: string; readonly skip?: RegExp } = {},
): AsyncGenerator<CsvRow | { readonly issue: Issue }> {
  const delimiter = options.delimiter ?? ',';
  let pending: string | undefined;
  let start = 0;
  for await (const line of lines) {
    if (pending === undefined) {
      if (line.text === '' || options.skip?.test(line.text)) continue;
      pending = line.text;
      start = line.number;
    } else pending += `\n${line.text}`;
    const cells = splitCsv(pending, delimiter);
    if (cells === null) {
      if (pending.length > MAX_RECORD) {
        yield {
          issue: issue('feed.csv.unclosed-quote', `a quoted cell is still open after ${MAX_RECORD} bytes`, {
            file: report.fileName,
            line: start,
          }),
        };
        pending = undefined;
      }
      continue;
    }
    yield { cells, raw: pending, line: start };
    pending = undefined;
  }
  if (pending !== undefined)
    yield {
      issue: issue('feed.csv.unclosed-quote', 'the file ends inside a quoted cell', {
        file: report.fileName,
        line: start,
      }),
    };
}

/** Reads all lines into one text, at most `limit` characters (JSON documents are not streamed). */
export async function wholeText(lines: AsyncIterable<FeedLine>, limit = 256 * 1024 * 1024): Promise<string | null> {
  const parts: string[] = [];
  let size = 0;
  for await (const line of lines) {
    size += line.text.length + 1;
    if (size > limit) return null;
    parts.push(line.text);
  }
  return parts.join('\n');
}

/**
 * A JSON feed that is one list of objects (or an object holding one under `key`): each object becomes
 * one event; `raw` is the object re-serialised as a one-element list, as IntelMQ keeps it.
 */
export function jsonListFeed(options: {
  readonly key?: string;
  readonly row: (item: Record<string, unknown>, b: FeedEventBuilder) => string | void;
}): FeedParser['parse'] {
  return async function* (lines, report) {
    const text = await wholeText(lines);
    if (text === null) {
      yield lineIssue(report, 1, 'feed.json.too-large', 'the JSON document is larger than 256 MiB');
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      yield lineIssue(report, 1, 'feed.json.invalid', (error as Error).message);
      return;
    }
    const list = options.key !== undefined && doc !== null && typeof doc === 'object' && !Array.isArray(doc)
      ? (doc as Record<string, unknown>)[options.key]
      : doc;
    if (!Array.isArray(list)) {
      yield lineIssue(report, 1, 'feed.json.not-a-list', `expected a JSON list${options.key ? ` under "${options.key}"` : ''}`);
      return;
    }
    for (let i = 0; i < list.length; i++) {
      const item: unknown = list[i];
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        yield { issue: issue('feed.json.not-an-object', `item ${i} is not an object`, { file: report.fileName, path: `/${i}` }) };
        continue;
      }
      const b = new FeedEventBuilder(report, { file: report.fileName, line: 1, path: `/${i}` });
      const problem = options.row(item as Record<string, unknown>, b);
      if (typeof problem === 'string') {
        yield { issue: issue('feed.json.unreadable', problem, { file: report.fileName, path: `/${i}` }) };
        continue;
      }
      yield { event: b.finish(pythonJson([item])) };
    }
  };
}

/** JSON lines: one object per line. */
export function jsonLinesFeed(options: {
  readonly row: (item: Record<string, unknown>, b: FeedEventBuilder) => string | void;
}): FeedParser['parse'] {
  return async function* (lines, report) {
    for await (const line of lines) {
      if (line.text.trim() === '') continue;
      let item: unknown;
      try {
        item = JSON.parse(line.text);
      } catch (error) {
        yield lineIssue(report, line.number, 'feed.json.invalid', (error as Error).message);
        continue;
      }
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        yield lineIssue(report, line.number, 'feed.json.not-an-object', 'the line is not a JSON object');
        continue;
      }
      const b = builder(report, line.number);
      const problem = options.row(item as Record<string, unknown>, b);
      if (typeof problem === 'string') {
        yield lineIssue(report, line.number, 'feed.json.unreadable', problem);
        continue;
      }
      yield { event: b.finish(line.text) };
    }
  };
}

/** A string property of a parsed JSON object (own properties only). */
export function prop(item: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(item, key) ? item[key] : undefined;
}

/**
 * JSON as Python's json.dumps writes it (`", "` and `": "` separators, non-ASCII as \\uXXXX): the
 * form IntelMQ keeps in `raw` for an item of a JSON list, so our `raw` is the same bytes.
 */
export function pythonJson(value: unknown, depth = 0): string {
  if (depth > 64) return 'null';
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v, depth + 1)).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v, depth + 1)}`)
      .join(', ')}}`;
  return 'null';
}

function pythonFloat(n: number): string {
  // Python writes a whole float as `1.0`; JSON.parse has lost that, so `1` here (docs/feeds.md).
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
}
