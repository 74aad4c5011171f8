/** What the intake's parsing thread and the store's thread say to each other (intake-worker.ts, index.ts). */
import type { DedupRule, PreparedBatch } from '../../cases/intake/index.js';
import type { Organisation, Party } from '../../enrich/constituency/index.js';
import type { SharedGeoTables } from '../../enrich/geo.js';
import type { FeedOptions, FeedReport } from '../../ingest/feeds/index.js';

/** What a worker needs to parse and enrich a report, as the caller of runIntakeInWorker gives it. */
export interface ReportSetup {
  /** The feed parser's name (FeedParsers). */
  readonly parser: string;
  readonly parsers: FeedOptions;
  readonly report: FeedReport;
  readonly organisations: readonly Organisation[];
  readonly parties: readonly Party[];
  readonly homeCountry: string;
}

export interface IntakeWorkerData extends ReportSetup {
  /** A report file the worker reads itself; without it the bytes come from the parent as `chunk` messages. */
  readonly path: string | null;
  readonly feed: string;
  readonly rule: DedupRule;
  readonly cases: boolean;
  readonly batchSize: number;
  /** The parent's ASN/country database, in shared memory. */
  readonly geo: SharedGeoTables;
}

/** Parent → worker. */
export type ToIntakeWorker =
  | { readonly type: 'chunk'; readonly bytes: Uint8Array }
  | { readonly type: 'end' }
  /** The parent has taken in a batch: the worker may prepare further. */
  | { readonly type: 'taken' };

/** Worker → parent. */
export type FromIntakeWorker =
  | { readonly type: 'more' }
  | { readonly type: 'batch'; readonly batch: PackedBatch }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined };

/**
 * A prepared batch as it crosses threads. Copying a message costs per string, so the columns of few
 * distinct values (owner, country, case group, taxonomy, type) go as codes into one list of words,
 * and the compact forms and addresses as one text with each entry's end. A worker prepares every
 * event compacted, so there are no field objects to send.
 */
export interface PackedBatch {
  readonly records: number;
  readonly issueCount: number;
  readonly issueSamples: PreparedBatch['issueSamples'];
  readonly size: number;
  readonly observed: Float64Array;
  readonly sourceTimes: Float64Array;
  readonly issues: Int32Array;
  readonly templates: Int32Array;
  readonly newTemplates: PreparedBatch['newTemplates'];
  readonly newGroups: PreparedBatch['newGroups'];
  readonly words: readonly (string | null)[];
  /** Per event WORD_COLUMNS codes into `words`. */
  readonly codes: Int32Array;
  readonly text: string;
  /** Per event the end of its dedup key's text in `text`, of its compact form, then of its address (negative: none). */
  readonly ends: Int32Array;
}

const WORD_COLUMNS = 5;

export function packBatch(b: PreparedBatch): PackedBatch {
  const words: (string | null)[] = [];
  const codeOf = new Map<string | null, number>();
  const codes = new Int32Array(b.size * WORD_COLUMNS);
  const code = (word: string | null): number => {
    let c = codeOf.get(word);
    if (c === undefined) {
      codeOf.set(word, (c = words.length));
      words.push(word);
    }
    return c;
  };
  // Neighbouring events mostly share their words: the last one of each column is checked first.
  const lastWords: (string | null | undefined)[] = new Array<undefined>(WORD_COLUMNS).fill(undefined);
  const lastCodes = new Int32Array(WORD_COLUMNS);
  const put = (at: number, column: number, word: string | null): void => {
    if (word !== lastWords[column]) {
      lastWords[column] = word;
      lastCodes[column] = code(word);
    }
    codes[at] = lastCodes[column]!;
  };
  const ends = new Int32Array(b.size * 3);
  const keyTexts = b.keyTexts;
  if (keyTexts === null) throw new Error('a packed batch leaves its keys to be hashed on the store\'s thread');
  const pieces: string[] = [];
  let end = 0;
  for (let i = 0; i < b.size; i++) {
    const w = i * WORD_COLUMNS;
    put(w, 0, b.organisations[i]!);
    put(w + 1, 1, b.countries[i]!);
    put(w + 2, 2, b.groups[i]!);
    put(w + 3, 3, b.taxonomies[i]!);
    put(w + 4, 4, b.types[i]!);
    const keyText = keyTexts[i]!;
    pieces.push(keyText);
    ends[3 * i] = end += keyText.length;
    const compact = b.compact[i];
    if (compact === null || compact === undefined) throw new Error('a packed batch holds compacted events only');
    pieces.push(compact);
    ends[3 * i + 1] = end += compact.length;
    const ip = b.sourceIps[i];
    if (ip === null || ip === undefined) ends[3 * i + 2] = -1;
    else {
      pieces.push(ip);
      ends[3 * i + 2] = end += ip.length;
    }
  }
  return {
    records: b.records, issueCount: b.issueCount, issueSamples: b.issueSamples, size: b.size,
    observed: b.observed, sourceTimes: b.sourceTimes, issues: b.issues, templates: b.templates,
    newTemplates: b.newTemplates, newGroups: b.newGroups, words, codes, text: pieces.join(''), ends,
  };
}

export function unpackBatch(p: PackedBatch): PreparedBatch {
  const n = p.size;
  const organisations = new Array<string>(n);
  const countries = new Array<string | null>(n);
  const groups = new Array<string | null>(n);
  const taxonomies = new Array<string>(n);
  const types = new Array<string>(n);
  const compact = new Array<string | null>(n);
  const sourceIps = new Array<string | null>(n);
  const keyTexts = new Array<string>(n);
  const { words, codes, text, ends } = p;
  let start = 0;
  for (let i = 0, w = 0; i < n; i++) {
    organisations[i] = words[codes[w++]!]!;
    countries[i] = words[codes[w++]!]!;
    groups[i] = words[codes[w++]!]!;
    taxonomies[i] = words[codes[w++]!]!;
    types[i] = words[codes[w++]!]!;
    const keyEnd = ends[3 * i]!;
    keyTexts[i] = text.slice(start, keyEnd);
    const compactEnd = ends[3 * i + 1]!;
    compact[i] = text.slice(keyEnd, compactEnd);
    start = compactEnd;
    const ipEnd = ends[3 * i + 2]!;
    if (ipEnd < 0) sourceIps[i] = null;
    else {
      sourceIps[i] = text.slice(start, ipEnd);
      start = ipEnd;
    }
  }
  return {
    records: p.records, issueCount: p.issueCount, issueSamples: p.issueSamples, size: n, keys: null, keyTexts, observed: p.observed,
    sourceTimes: p.sourceTimes, organisations, countries, groups, taxonomies, types, sourceIps, issues: p.issues,
    fields: new Array<null>(n).fill(null), raws: new Array<undefined>(n).fill(undefined), compact, templates: p.templates,
    newTemplates: p.newTemplates, newGroups: p.newGroups,
  };
}
