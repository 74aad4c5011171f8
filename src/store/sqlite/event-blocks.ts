/**
 * Event blocks: the embedded store keeps events not one row each but in blocks of consecutive events
 * of one `add` (time order, at most BLOCK_EVENTS events within BLOCK_SPAN_MS). A block row holds the
 * small per-event columns as JSON arrays (`meta`) and every event's fields as one UTF-8 blob with
 * per-event end offsets, so a query decodes only the events that match. Block postings (host, user,
 * address, kind → block) and the time of the block's first event narrow a query to candidate blocks;
 * the filters below then give exactly what the per-event SQL of earlier versions gave.
 *
 * See docs/architecture.md ("Embedded store") for the tables.
 */
import { hash } from 'node:crypto';
import { pivotFields } from '../../core/accessors.js';
import type { Event, EventFields, SourceRef } from '../../core/event.js';
import { eventIdOfDigest, eventIdPrefix, eventIdTime, stableJson } from '../../core/ids.js';
import type { EventQuery, StoredEvent } from '../types.js';

/** Events per block at most: big enough that the row and its postings cost little per event. */
export const BLOCK_EVENTS = 1000;
/**
 * Time a block spans at most (from its first event): a query for a time range then reads blocks
 * whose first event lies in [from − span, to] through the (ts_min) index, and sparse or shuffled
 * logs still give blocks narrow in time.
 */
export const BLOCK_SPAN_MS = 86_400_000;

/**
 * An event id's key: its milliseconds (the id's prefix) and the first 64 bits of its SHA-1, as two
 * words. Two different events share it only with the same millisecond and a 1-in-2⁶⁴ chance.
 */
export interface EventKey {
  readonly keyTs: number;
  readonly keyHi: number;
  readonly keyLo: number;
}

/** The key of an id `<ms>.<sha1>` (as core/ids.ts writes it). */
export function keyOfId(id: string): EventKey {
  const dot = id.indexOf('.');
  const time = dot > 0 ? Number(id.slice(0, dot)) : 0;
  return {
    keyTs: Number.isFinite(time) ? time : 0,
    keyHi: parseInt(id.slice(dot + 1, dot + 9), 16) || 0,
    keyLo: parseInt(id.slice(dot + 9, dot + 17), 16) || 0,
  };
}

/** Bytes per key in a block's row: the time (float64), then the two hash words (uint32), little-endian. */
export const KEY_BYTES = 16;

export function writeKey(out: Buffer, at: number, key: EventKey): void {
  out.writeDoubleLE(key.keyTs, at);
  out.writeUInt32LE(key.keyHi, at + 8);
  out.writeUInt32LE(key.keyLo, at + 12);
}

/** One event as a block keeps it, before its fields are written to the block's blob. */
export interface BlockEvent extends EventKey {
  readonly id: string;
  /** The SHA-1 of the id, in hex: what the id holds after its time. */
  readonly digest: string;
  readonly ts: number;
  readonly source: SourceRef;
  readonly host: string | null;
  readonly user: string | null;
  readonly srcIp: string | null;
  readonly dstIp: string | null;
  /** The fields as the stable JSON the id hashes, in UTF-8: bytes start to end of `bytes`. */
  readonly fields: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * A growing byte buffer for the fields of one add. The JSON goes to bytes as soon as it is made, so
 * the strings die young: kept until the batch is sorted, 5,000 strings of 1 KB outlived the young
 * generation and cost more in garbage collection than the rest of the ingest.
 */
export class ByteArena {
  #buffer = Buffer.allocUnsafe(1 << 20);
  #used = 0;

  get buffer(): Buffer {
    return this.#buffer;
  }

  /** Where `text` went, as [start, end) of `buffer` (valid until the next write that grows it). */
  write(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.#used + text.length * 3 > this.#buffer.length) this.#grow(text.length * 3);
    this.#used += this.#buffer.write(text, this.#used, 'utf8');
    return this.#used;
  }

  copy(from: Buffer, start: number, end: number): number {
    if (this.#used + (end - start) > this.#buffer.length) this.#grow(end - start);
    // TypedArray#set copies in a builtin; Buffer#copy crossed into C++ for each event's kilobyte.
    this.#buffer.set(from.subarray(start, end), this.#used);
    this.#used += end - start;
    return this.#used;
  }

  get used(): number {
    return this.#used;
  }

  clear(): void {
    this.#used = 0;
  }

  #grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#used + need));
    this.#buffer.copy(next, 0, 0, this.#used);
    this.#buffer = next;
  }
}

/** The 32-bit word of lower-case hex digits at..at+8 (a digest's), as parseInt of that slice gives it, without the slice. */
function hexWord(hex: string, at: number): number {
  let word = 0;
  for (let i = at; i < at + 8; i++) {
    const c = hex.charCodeAt(i);
    word = word * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return word;
}

/**
 * An event as a block keeps it: content id, the fields as the stable JSON the id hashes (in `arena`),
 * common fields. The id's input — its prefix, then the JSON — is written to the arena and hashed
 * there, so the JSON is encoded once and never joined to the prefix as text; the block keeps the
 * JSON's bytes only. The id is eventIdAndFields's, byte for byte (test/store/block-event.test.ts).
 */
export function toBlockEvent(e: Event, arena: ByteArena): BlockEvent {
  const fieldsJson = stableJson(e.fields);
  const prefixStart = arena.used;
  const start = arena.write(eventIdPrefix(e));
  const end = arena.write(fieldsJson);
  const bytes = arena.buffer;
  const digest = hash('sha1', bytes.subarray(prefixStart, end), 'hex');
  const c = pivotFields(e);
  return {
    id: eventIdOfDigest(e.timestamp, digest),
    digest,
    // The key of that id (keyOfId), without reading it back.
    keyTs: eventIdTime(e.timestamp),
    keyHi: hexWord(digest, 0),
    keyLo: hexWord(digest, 8),
    ts: Number.isFinite(e.timestamp) ? e.timestamp : 0,
    source: e.source,
    host: c.host,
    user: c.user,
    srcIp: c.srcIp,
    dstIp: c.dstIp,
    fields: bytes,
    start,
    end,
  };
}

/** The per-event columns of a block, one array each, index i for the block's i-th event. */
export interface BlockMeta {
  readonly ts: number[];
  readonly id: string[];
  readonly kind: SourceRef['kind'][];
  /**
   * Per event, its file: an index into `files` (meta version 1 since migration 15: a block's events
   * mostly come from a few files, and a path per event was 40 % of the columns), or the path itself
   * (blocks stored before, and meta version 2 once decoded).
   */
  readonly file: (number | string)[];
  /** The block's files, each once, in order of first use. */
  readonly files?: string[];
  readonly offset: (number | null)[];
  readonly line: (number | null)[];
  readonly recordId: (number | null)[];
  readonly logType: (string | null)[];
  readonly host: (string | null)[];
  readonly user: (string | null)[];
  readonly srcIp: (string | null)[];
  readonly dstIp: (string | null)[];
  /** Byte offset in the fields blob where event i's JSON ends (it starts where i − 1's ends). */
  readonly end: number[];
}

export interface EncodedBlock {
  readonly tsMin: number;
  readonly tsMax: number;
  readonly count: number;
  readonly meta: string;
  readonly fields: Buffer;
  readonly terms: readonly string[];
  /** The events' keys, KEY_BYTES each, in the block's order (its row of event_block_keys). */
  readonly keys: Buffer;
}

/**
 * SQLite's NOCASE and lower() fold ASCII letters only; the block filters and terms fold the same way,
 * so `İ` or `É` match exactly what they matched in SQL.
 */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

export const hostTerm = (host: string): string => `h:${asciiLower(host)}`;
export const userTerm = (user: string): string => `u:${asciiLower(user)}`;
export const ipTerm = (ip: string): string => `i:${ip}`;
export const kindTerm = (kind: string): string => `k:${kind}`;

/**
 * A block's meta as stored since meta version 2: the per-event columns of BlockMeta, with the block's
 * strings (kinds, files, hosts, users, log types, addresses) each once in `strings` and per event an
 * index into them (−1 for none), and the ids as their SHA-1s, 20 bytes each, in base64 (an id is its
 * time's whole milliseconds and that hash). Why: ids and repeated names were two thirds of the
 * meta's bytes; on evtx-attack-samples the meta went from 152 to 88 bytes an event.
 */
interface StoredMetaV2 {
  readonly v: 2;
  readonly ts: number[];
  readonly digests: string;
  readonly strings: string[];
  readonly kind: number[];
  readonly file: number[];
  readonly offset: (number | null)[];
  readonly line: (number | null)[];
  readonly recordId: (number | null)[];
  readonly logType: number[];
  readonly host: number[];
  readonly user: number[];
  readonly srcIp: number[];
  readonly dstIp: number[];
  readonly end: number[];
}

const DIGEST_BYTES = 20;

/** A block's meta, from its stored JSON text: version 2 (above), or the arrays of BlockMeta (version 1). */
export function decodeMeta(text: string): BlockMeta {
  const stored = JSON.parse(text) as BlockMeta | StoredMetaV2;
  if (!('v' in stored)) return stored;
  const strings = stored.strings;
  const column = (indexes: readonly number[]): (string | null)[] =>
    indexes.map((i) => (i < 0 ? null : strings[i]!));
  const digests = Buffer.from(stored.digests, 'base64');
  const id = stored.ts.map(
    (ts, i) => `${eventIdTime(ts)}.${digests.toString('hex', i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES)}`,
  );
  return {
    ts: stored.ts,
    id,
    kind: column(stored.kind) as SourceRef['kind'][],
    file: column(stored.file) as string[],
    offset: stored.offset,
    line: stored.line,
    recordId: stored.recordId,
    logType: column(stored.logType),
    host: column(stored.host),
    user: column(stored.user),
    srcIp: column(stored.srcIp),
    dstIp: column(stored.dstIp),
    end: stored.end,
  };
}

/** Encodes events (already in (ts, id) order) as one block. */
export class BlockWriter {
  readonly #bytes = new ByteArena();
  #keys: Buffer = Buffer.allocUnsafe(BLOCK_EVENTS * KEY_BYTES);
  #digests: Buffer = Buffer.allocUnsafe(BLOCK_EVENTS * DIGEST_BYTES);
  readonly #ts: number[] = [];
  readonly #offset: (number | null)[] = [];
  readonly #line: (number | null)[] = [];
  readonly #recordId: (number | null)[] = [];
  readonly #end: number[] = [];
  readonly #strings = new StringColumns();
  readonly #kind = this.#strings.column();
  readonly #file = this.#strings.column();
  readonly #logType = this.#strings.column();
  readonly #host = this.#strings.column();
  readonly #user = this.#strings.column();
  readonly #srcIp = this.#strings.column();
  readonly #dstIp = this.#strings.column();
  readonly #terms = new Set<string>();

  get count(): number {
    return this.#ts.length;
  }

  /** The time of the block's first event, or undefined while it is empty. */
  get firstTs(): number | undefined {
    return this.#ts[0];
  }

  add(e: BlockEvent): void {
    const end = this.#bytes.copy(e.fields, e.start, e.end);
    const n = this.#ts.length;
    if ((n + 1) * KEY_BYTES > this.#keys.length) {
      this.#keys = grown(this.#keys);
      this.#digests = grown(this.#digests);
    }
    writeKey(this.#keys, n * KEY_BYTES, e);
    // The meta keeps the hash only and makes the id again from it and the time: the id must be
    // exactly that (every id core/ids.ts has made since migration 11 is).
    const written = this.#digests.write(e.digest, n * DIGEST_BYTES, DIGEST_BYTES, 'hex');
    if (written !== DIGEST_BYTES || e.digest.length !== 2 * DIGEST_BYTES)
      throw new Error(`event id ${JSON.stringify(e.id)} is not <ms>.<sha1>: its block cannot be written`);
    const s = e.source;
    this.#ts.push(e.ts);
    this.#offset.push(s.offset ?? null);
    this.#line.push(s.line ?? null);
    this.#recordId.push(s.recordId ?? null);
    this.#end.push(end);
    this.#file.push(s.file);
    this.#logType.push(s.logType ?? null);
    // Consecutive events mostly share kind, host and user: their terms are made once per run.
    if (this.#kind.push(s.kind)) this.#terms.add(kindTerm(s.kind));
    if (this.#host.push(e.host) && e.host !== null) this.#terms.add(hostTerm(e.host));
    if (this.#user.push(e.user) && e.user !== null) this.#terms.add(userTerm(e.user));
    this.#srcIp.push(e.srcIp);
    this.#dstIp.push(e.dstIp);
    if (e.srcIp !== null) this.#terms.add(ipTerm(e.srcIp));
    if (e.dstIp !== null) this.#terms.add(ipTerm(e.dstIp));
  }

  /** The block so far, and the writer emptied for the next. */
  finish(): EncodedBlock {
    const ts = this.#ts;
    const n = ts.length;
    const meta: StoredMetaV2 = {
      v: 2,
      ts,
      digests: this.#digests.toString('base64', 0, n * DIGEST_BYTES),
      strings: this.#strings.strings,
      kind: this.#kind.indexes,
      file: this.#file.indexes,
      offset: this.#offset,
      line: this.#line,
      recordId: this.#recordId,
      logType: this.#logType.indexes,
      host: this.#host.indexes,
      user: this.#user.indexes,
      srcIp: this.#srcIp.indexes,
      dstIp: this.#dstIp.indexes,
      end: this.#end,
    };
    const block: EncodedBlock = {
      tsMin: ts[0]!,
      tsMax: ts[n - 1]!,
      count: n,
      meta: JSON.stringify(meta),
      fields: this.#bytes.buffer.subarray(0, this.#bytes.used),
      terms: [...this.#terms],
      keys: Buffer.from(this.#keys.subarray(0, n * KEY_BYTES)),
    };
    for (const column of [ts, this.#offset, this.#line, this.#recordId, this.#end]) column.length = 0;
    this.#strings.clear();
    this.#terms.clear();
    this.#bytes.clear();
    return block;
  }
}

function grown(buffer: Buffer): Buffer {
  const more = Buffer.allocUnsafe(2 * buffer.length);
  buffer.copy(more);
  return more;
}

/** A block's string columns over one table of the block's strings. */
class StringColumns {
  strings: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #columns: StringColumn[] = [];

  column(): StringColumn {
    const column = new StringColumn(this);
    this.#columns.push(column);
    return column;
  }

  indexOf(value: string): number {
    let index = this.#index.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.#index.set(value, index);
    }
    return index;
  }

  clear(): void {
    this.strings = [];
    this.#index.clear();
    for (const column of this.#columns) column.clear();
  }
}

class StringColumn {
  indexes: number[] = [];
  #last: string | null = null;
  #lastIndex = -1;

  constructor(private readonly table: StringColumns) {}

  /** Adds the event's value; true when it differs from the previous event's (or is the first). */
  push(value: string | null): boolean {
    if (value === this.#last && this.indexes.length > 0) {
      this.indexes.push(this.#lastIndex);
      return false;
    }
    this.#last = value;
    this.#lastIndex = value === null ? -1 : this.table.indexOf(value);
    this.indexes.push(this.#lastIndex);
    return true;
  }

  clear(): void {
    this.indexes = [];
    this.#last = null;
    this.#lastIndex = -1;
  }
}

/** Cuts events in (ts, id) order into blocks: a new block at BLOCK_EVENTS or past BLOCK_SPAN_MS. */
export function* encodeBlocks(events: Iterable<BlockEvent>, writer = new BlockWriter()): Generator<EncodedBlock> {
  for (const e of events) {
    const first = writer.firstTs;
    if (first !== undefined && (writer.count >= BLOCK_EVENTS || e.ts - first > BLOCK_SPAN_MS))
      yield writer.finish();
    writer.add(e);
  }
  if (writer.count > 0) yield writer.finish();
}

/** Orders events as the store returns them: time, then id (as SQLite's BINARY collation: ids are ASCII). */
export function compareTsId(aTs: number, aId: string, bTs: number, bId: string): number {
  return aTs - bTs || (aId < bId ? -1 : aId > bId ? 1 : 0);
}

/**
 * The filters of an EventQuery that the per-event columns decide, prepared once per query. Field and
 * text filters need the event's fields and are in FieldsFilter.
 */
export class ColumnFilter {
  readonly #from: number;
  readonly #to: number;
  readonly #host: string | undefined;
  readonly #hostUnder: string | undefined;
  readonly #user: string | undefined;
  readonly #kind: string | undefined;
  readonly #ip: string | undefined;
  readonly #after: EventQuery['after'];

  constructor(query: EventQuery) {
    this.#from = query.from ?? -Infinity;
    this.#to = query.to ?? Infinity;
    this.#host = query.host === undefined ? undefined : asciiLower(query.host);
    // `WS-014` finds `WS-014.corp.example` too: analysts type short names.
    this.#hostUnder = this.#host === undefined ? undefined : `${this.#host}.`;
    this.#user = query.user === undefined ? undefined : asciiLower(query.user);
    this.#kind = query.kind;
    this.#ip = query.ip;
    this.#after = query.after;
  }

  matches(m: BlockMeta, i: number): boolean {
    const ts = m.ts[i]!;
    if (ts < this.#from || ts > this.#to) return false;
    const after = this.#after;
    if (after !== undefined && compareTsId(ts, m.id[i]!, after.timestamp, after.id) <= 0) return false;
    if (this.#host !== undefined) {
      const host = m.host[i];
      if (host === null || host === undefined) return false;
      const lower = asciiLower(host);
      if (lower !== this.#host && !lower.startsWith(this.#hostUnder!)) return false;
    }
    if (this.#user !== undefined) {
      const user = m.user[i];
      if (user === null || user === undefined || asciiLower(user) !== this.#user) return false;
    }
    if (this.#kind !== undefined && m.kind[i] !== this.#kind) return false;
    if (this.#ip !== undefined && m.srcIp[i] !== this.#ip && m.dstIp[i] !== this.#ip) return false;
    return true;
  }
}

/** How SQLite writes a REAL as text (CAST(x AS TEXT)); asked of SQLite itself, as JavaScript writes some differently. */
export type RealText = (value: number) => string;

/**
 * The field = value and free-text filters over an event's stored JSON, as SQL gave them:
 * `json_each(fields)` has the key and `lower(CAST(value AS TEXT)) = lower(?)`, and the text is a
 * substring of `lower(fields)`, searched as JSON escapes it. Both first search a block's bytes at
 * once (SQLite's lower() folds ASCII only, so folding the UTF-8 bytes A–Z is the same), and only the
 * events with a hit are decoded.
 */
export class FieldsFilter {
  readonly #name: string | undefined;
  readonly #nameBytes: Buffer | undefined;
  readonly #value: string | undefined;
  readonly #textBytes: Buffer | undefined;
  readonly #realText: RealText;

  constructor(query: EventQuery, realText: RealText) {
    this.#realText = realText;
    if (query.field !== undefined) {
      this.#name = query.field.name;
      // The key as the JSON writes it: an event without these bytes cannot have the field.
      this.#nameBytes = Buffer.from(`${JSON.stringify(query.field.name)}:`);
      this.#value = asciiLower(query.field.value);
    }
    if (query.text !== undefined)
      this.#textBytes = Buffer.from(asciiLower(JSON.stringify(query.text).slice(1, -1)));
  }

  get needed(): boolean {
    return this.#nameBytes !== undefined || this.#textBytes !== undefined;
  }

  /**
   * For one block: a test of its i-th event that gives the event's fields if it passes (parsed on the
   * way, so a match is not parsed twice), else undefined.
   */
  forBlock(blob: Buffer, ends: readonly number[]): (i: number) => EventFields | undefined {
    const byName = this.#nameBytes === undefined ? undefined : eventsContaining(blob, this.#nameBytes, ends);
    const byText =
      this.#textBytes === undefined ? undefined : eventsContaining(asciiLowerBytes(blob), this.#textBytes, ends);
    return (i) => {
      if ((byName !== undefined && !byName[i]) || (byText !== undefined && !byText[i])) return undefined;
      const fields = JSON.parse(blob.toString('utf8', i === 0 ? 0 : ends[i - 1], ends[i])) as EventFields;
      if (this.#name !== undefined) {
        if (!Object.hasOwn(fields, this.#name)) return undefined;
        const text = this.#valueText(fields[this.#name]);
        if (text === undefined || asciiLower(text) !== this.#value) return undefined;
      }
      return fields;
    };
  }

  /** The value as SQLite's CAST(json_each.value AS TEXT) writes it; undefined for JSON null (SQL NULL). */
  #valueText(value: unknown): string | undefined {
    if (typeof value === 'string') return value;
    // json_each gives true and false as the integers 1 and 0.
    if (typeof value === 'boolean') return value ? '1' : '0';
    if (typeof value === 'number') {
      // JSON integers within 64 bits are SQLite INTEGERs, written as digits; the rest are REALs.
      if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) return String(value);
      return this.#realText(value);
    }
    if (value === null || value === undefined) return undefined;
    return JSON.stringify(value);
  }
}

/** A copy of UTF-8 bytes with A–Z folded to a–z (bytes of other characters are all ≥ 0x80). */
function asciiLowerBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 0x20;
  }
  return out;
}

/** Per event of a block (its JSON ends at `ends[i]`): whether `needle` lies wholly within it. */
function eventsContaining(blob: Buffer, needle: Buffer, ends: readonly number[]): boolean[] {
  const hit = new Array<boolean>(ends.length).fill(false);
  let event = 0;
  let from = 0;
  for (;;) {
    const at = blob.indexOf(needle, from);
    if (at < 0) return hit;
    while (event < ends.length && ends[event]! <= at) event++;
    if (event >= ends.length) return hit;
    if (at + needle.length <= ends[event]!) {
      hit[event] = true;
      // One hit is enough: go on from the next event.
      from = ends[event]!;
    } else from = at + 1;
  }
}

function fileOf(m: BlockMeta, i: number): string {
  const file = m.file[i]!;
  return typeof file === 'number' ? m.files![file]! : file;
}

/** The i-th event of a block as stored, its fields parsed from the blob unless given. */
export function storedEvent(m: BlockMeta, blob: Buffer, i: number, fields?: EventFields): StoredEvent {
  const start = i === 0 ? 0 : m.end[i - 1]!;
  const offset = m.offset[i] ?? null;
  const line = m.line[i] ?? null;
  const recordId = m.recordId[i] ?? null;
  const logType = m.logType[i] ?? null;
  const source: SourceRef = {
    kind: m.kind[i]!,
    file: fileOf(m, i),
    ...(offset !== null ? { offset } : {}),
    ...(line !== null ? { line } : {}),
    ...(recordId !== null ? { recordId } : {}),
    ...(logType !== null ? { logType } : {}),
  };
  return {
    id: m.id[i]!,
    event: {
      timestamp: m.ts[i]!,
      source,
      fields: fields ?? (JSON.parse(blob.toString('utf8', start, m.end[i])) as EventFields),
    },
    host: m.host[i] ?? null,
    user: m.user[i] ?? null,
    srcIp: m.srcIp[i] ?? null,
    dstIp: m.dstIp[i] ?? null,
  };
}
