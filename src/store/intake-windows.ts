/**
 * The dedup windows of stored feed events, kept without a random-key index on the event table.
 * A dedup key is a hash, so an index on it takes every new event at a random page: that was the
 * costliest part of intake. Instead the windows go into `feed_windows` in large sorted runs (one
 * sweep over the table per run), and the events stored since the last run — the rows of
 * `feed_events` above `feed_windows_indexed.upto_seq`, appended in sequence order — are the log of
 * the windows not yet in it: held in memory (the tail) and read back from the events on restart.
 *
 *   const windows = new FeedWindows(db, batch);
 *   await windows.latest([key]);           // the latest window of each key, from the table and the tail
 *   const rows = await batch([...inserts, windows.duplicateUpdate(d)]); // inserts `RETURNING ${STORED_COLUMNS}`
 *   await windows.stored(rows);            // the new rows join the tail; a full tail is written as a run
 */
import { eventId } from '../cases/intake/index.js';
import type { SqlDb } from './sql.js';

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The statement's RETURNING rows are wanted (as arrays of column values). */
  readonly returning?: boolean;
  /**
   * An INSERT into a rowid table (SQLite only): the batch gives `[last rowid, rows inserted]` for it.
   * The transaction holds the write lock, so its new rows have the consecutive ids up to the last,
   * in the order of its VALUES: what RETURNING would say, without its cost (~1.5–2 µs a row measured).
   */
  readonly lastRowId?: boolean;
}

/** Statements run in order in one transaction; the rows the `returning` (and `lastRowId`) ones gave, in order. */
export type SqlBatch = (statements: readonly SqlStatement[]) => Promise<unknown[][]>;

/** What an event insert returns for `stored`, in this order. */
export const STORED_COLUMNS = 'seq, dedup_key, window_start, last_seen';

export interface StoredWindow {
  readonly eventId: string;
  readonly windowStart: number;
  readonly lastSeen: number;
}

/** The rows one `lastRowId` insert stored: `[last seq, rows]` from the batch, and each row's window in order. */
export interface StoredInsert {
  readonly last: number;
  readonly rows: number;
  readonly windows: readonly { readonly dedupKey: number; readonly windowStart: number }[];
  readonly lastSeen: readonly number[];
}

/** A window of an event stored since the last run; `older` holds the key's earlier ones in the tail. */
interface TailWindow {
  readonly windowStart: number;
  readonly seq: number;
  lastSeen: number;
  readonly older: TailWindow | undefined;
}

/** Windows per run: larger runs sweep the table less often; the tail is this many small objects in memory. */
export const WINDOW_RUN = 200_000;
const TAIL_PAGE = 50_000;
const MET_KEPT = 100_000;
const KEYS_PER_SELECT = 500;
const ROWS_PER_INSERT = 300;

/** An event id is `<dedup key>.<window start, base 36>`. */
export function splitId(id: string): [number, number] {
  const dot = id.lastIndexOf('.');
  return [parseInt(id.slice(0, dot), 36), parseInt(id.slice(dot + 1), 36)];
}

const DUPLICATE_SET = 'UPDATE feed_events SET duplicates = duplicates + ?, last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END';

/** Past this many windows in the table when the store opens, no key filter is built (every key is looked up). */
const FILTERED_MAX = 4_000_000;
const FILTER_PAGE = 50_000;

/**
 * A Bloom filter over the keys of the window table: most keys of a report were never seen, and
 * looking each up in the table was a good part of the store's time. 2^25 bits and 3 probes: about
 * 3 % false positives at 4 M keys (those are looked up as before), never a false negative.
 */
export class KeyFilter {
  static readonly BITS = 2 ** 25;
  readonly #bits = new Uint32Array(KeyFilter.BITS / 32);

  add(key: number): void {
    const [a, b] = probes(key);
    for (let i = 0; i < 3; i++) {
      const bit = (a + Math.imul(i, b)) & (KeyFilter.BITS - 1);
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mayHold(key: number): boolean {
    const [a, b] = probes(key);
    for (let i = 0; i < 3; i++) {
      const bit = (a + Math.imul(i, b)) & (KeyFilter.BITS - 1);
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const probeOut: [number, number] = [0, 0];
/** Two probe seeds from a 53-bit key (itself a hash): its low 32 bits, and its high bits mixed in. */
function probes(key: number): [number, number] {
  const low = key % 4294967296 | 0;
  const high = Math.floor(key / 4294967296) | 0;
  probeOut[0] = low;
  probeOut[1] = Math.imul(high ^ (low >>> 13), 0x9e3779b1) | 1;
  return probeOut;
}

export class FeedWindows {
  readonly #tail = new Map<number, TailWindow>();
  /**
   * The keys of the window table while it is known to hold exactly the windows up to
   * `#indexedUpto` (its runs' mark): another writer's run moves the mark, and the filter is dropped.
   */
  #filter: KeyFilter | undefined;
  #indexedUpto = 0;
  #tailSize = 0;
  /** The highest event sequence number read into the tail (or covered by a run). */
  #seenSeq = 0;
  #loaded: Promise<void> | undefined;
  #changes: Promise<void> = Promise.resolve();
  /** Window starts of keys found in the table by `latest` (bounded): a key can have several. */
  readonly #met = new Map<number, number[]>();

  constructor(
    private readonly db: SqlDb,
    private readonly batch: SqlBatch,
    private readonly runSize = WINDOW_RUN,
  ) {}

  /** How many windows wait in memory for the next run. */
  get tailSize(): number {
    return this.#tailSize;
  }

  /** The latest window the store holds for each key (keys without one are absent). */
  async latest(keys: readonly number[]): Promise<Map<number, StoredWindow>> {
    await this.#load();
    const out = new Map<number, StoredWindow>();
    if (this.#filter !== undefined && (await this.#upto()) !== this.#indexedUpto) this.#filter = undefined;
    const filter = this.#filter;
    const asked = filter === undefined ? keys : keys.filter((k) => filter.mayHold(k));
    // The table for every key it may hold, the tail too: out-of-order times can put a later window in a run.
    for (let i = 0; i < asked.length; i += KEYS_PER_SELECT) {
      const part = asked.slice(i, i + KEYS_PER_SELECT);
      const rows = await this.db.all<{ dedup_key: number; window_start: number; last_seen: number }>(
        `SELECT w.dedup_key, w.window_start, e.last_seen FROM feed_windows w JOIN feed_events e ON e.seq = w.seq
          WHERE w.dedup_key IN (${part.map(() => '?').join(', ')})`,
        part,
      );
      if (this.#met.size + rows.length > MET_KEPT) this.#met.clear();
      for (const r of rows) {
        const key = Number(r.dedup_key);
        const start = Number(r.window_start);
        const starts = this.#met.get(key);
        if (starts) starts.push(start);
        else this.#met.set(key, [start]);
        const known = out.get(key);
        if (!known || start > known.windowStart) out.set(key, { eventId: eventId(key, start), windowStart: start, lastSeen: Number(r.last_seen) });
      }
    }
    for (const key of keys) {
      for (let t = this.#tail.get(key); t; t = t.older) {
        const known = out.get(key);
        if (!known || t.windowStart > known.windowStart) out.set(key, { eventId: eventId(key, t.windowStart), windowStart: t.windowStart, lastSeen: t.lastSeen });
      }
    }
    return out;
  }

  /**
   * Whether the store holds the window (key, start) already, as far as the tail and the last look-ups
   * tell: re-fed rows older than a key's latest window come back with a start that is stored.
   */
  holds(key: number, start: number): boolean {
    for (let t = this.#tail.get(key); t; t = t.older) if (t.windowStart === start) return true;
    return this.#met.get(key)?.includes(start) ?? false;
  }

  /** The statement counting duplicates on a kept event: by its sequence number when in the tail. */
  duplicateUpdate(d: { readonly eventId: string; readonly count: number; readonly lastSeen: number }): { sql: string; params: unknown[] } {
    const [key, start] = splitId(d.eventId);
    for (let t = this.#tail.get(key); t; t = t.older)
      if (t.windowStart === start) {
        if (d.lastSeen > t.lastSeen) t.lastSeen = d.lastSeen;
        return { sql: `${DUPLICATE_SET} WHERE seq = ?`, params: [d.count, d.lastSeen, d.lastSeen, t.seq] };
      }
    return {
      sql: `${DUPLICATE_SET} WHERE seq = (SELECT seq FROM feed_windows WHERE dedup_key = ? AND window_start = ?)`,
      params: [d.count, d.lastSeen, d.lastSeen, key, start],
    };
  }

  /**
   * After events were stored: they join the tail; a full tail is written as a run. Given the rows
   * the inserts returned (`STORED_COLUMNS`): when they are exactly the
   * rows after the last one read (nothing else was written in between, by another feed or process),
   * they join the tail as they are, without reading them back; otherwise the tail is read.
   */
  stored(rows: readonly (readonly unknown[])[]): Promise<void> {
    return this.#serial(async () => {
      if (rows.length === 0) return;
      let min = Infinity;
      let max = -Infinity;
      let ascending = true;
      let previous = -Infinity;
      for (const r of rows) {
        const seq = Number(r[0]);
        if (seq < min) min = seq;
        if (seq > max) max = seq;
        if (seq < previous) ascending = false;
        previous = seq;
      }
      if (min !== this.#seenSeq + 1 || max - min + 1 !== rows.length) {
        if (max > this.#seenSeq) await this.#readTail();
        return;
      }
      const inOrder = ascending ? rows : [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));
      for (const r of inOrder) this.#add(Number(r[1]), Number(r[2]), Number(r[0]), Number(r[3]));
      this.#seenSeq = max;
      if (this.#tailSize >= this.runSize) await this.#writeRun();
    });
  }

  /**
   * `stored` for inserts run as `lastRowId` statements, without their rows: read back instead when
   * they do not directly follow the last row read (another writer in between).
   */
  storedInOrder(inserts: readonly StoredInsert[]): Promise<void> {
    return this.#serial(async () => {
      let next = this.#seenSeq + 1;
      let max = this.#seenSeq;
      let follows = true;
      for (const insert of inserts) {
        if (insert.rows !== insert.windows.length || insert.last - insert.rows + 1 !== next) follows = false;
        next = insert.last + 1;
        if (insert.last > max) max = insert.last;
      }
      if (!follows) {
        if (max > this.#seenSeq) await this.#readTail();
        return;
      }
      for (const insert of inserts) {
        const first = insert.last - insert.rows + 1;
        for (let i = 0; i < insert.rows; i++) {
          const w = insert.windows[i]!;
          this.#add(w.dedupKey, w.windowStart, first + i, insert.lastSeen[i]!);
        }
      }
      this.#seenSeq = max;
      if (this.#tailSize >= this.runSize) await this.#writeRun();
    });
  }

  #add(key: number, windowStart: number, seq: number, lastSeen: number): void {
    this.#tail.set(key, { windowStart, seq, lastSeen, older: this.#tail.get(key) });
    this.#tailSize++;
  }

  /** Writes the tail into the window table now (a run), whatever its size. */
  writeRun(): Promise<void> {
    return this.#serial(() => this.#writeRun());
  }

  /** One tail change at a time: two feeds run at once on one store share it. */
  #serial(change: () => Promise<void>): Promise<void> {
    const next = this.#changes.then(async () => {
      await this.#load();
      await change();
    });
    this.#changes = next.catch(() => undefined);
    return next;
  }

  async #writeRun(): Promise<void> {
    if (this.#tailSize === 0) return;
    const keys = new Float64Array(this.#tailSize);
    const starts = new Float64Array(this.#tailSize);
    const seqs = new Float64Array(this.#tailSize);
    let n = 0;
    for (const [key, head] of this.#tail)
      for (let t: TailWindow | undefined = head; t; t = t.older) {
        keys[n] = key;
        starts[n] = t.windowStart;
        seqs[n++] = t.seq;
      }
    // Sorted, so the run is one sweep over the table's pages.
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => keys[a]! - keys[b]! || starts[a]! - starts[b]!);
    const statements: { sql: string; params: unknown[] }[] = [];
    for (let i = 0; i < n; i += ROWS_PER_INSERT) {
      const rows = Math.min(ROWS_PER_INSERT, n - i);
      const params = new Array<unknown>(rows * 3);
      for (let j = 0; j < rows; j++) {
        const at = order[i + j]!;
        params[3 * j] = keys[at];
        params[3 * j + 1] = starts[at];
        params[3 * j + 2] = seqs[at];
      }
      statements.push({ sql: insertRunSql(rows), params });
    }
    statements.push({
      sql: 'UPDATE feed_windows_indexed SET upto_seq = CASE WHEN upto_seq < ? THEN ? ELSE upto_seq END WHERE id = 1',
      params: [this.#seenSeq, this.#seenSeq],
    });
    // Into the filter before the table: a key in the filter and not (yet) in the table is only a look-up.
    const filter = this.#filter;
    if (filter !== undefined) for (let i = 0; i < n; i++) filter.add(keys[i]!);
    const upto = this.#seenSeq;
    await this.batch(statements);
    if (upto > this.#indexedUpto) this.#indexedUpto = upto;
    this.#tail.clear();
    this.#tailSize = 0;
  }

  async #upto(): Promise<number> {
    const [row] = await this.db.all<{ upto_seq: number }>('SELECT upto_seq FROM feed_windows_indexed WHERE id = 1');
    return Number(row?.upto_seq ?? 0);
  }

  /** The filter over the table's keys, unless the table is too large for one. */
  async #buildFilter(): Promise<KeyFilter | undefined> {
    const filter = new KeyFilter();
    let after = -1;
    for (let read = 0; read <= FILTERED_MAX; ) {
      const rows = await this.db.all<{ dedup_key: number }>(
        'SELECT DISTINCT dedup_key FROM feed_windows WHERE dedup_key > ? ORDER BY dedup_key LIMIT ?',
        [after, FILTER_PAGE],
      );
      for (const r of rows) filter.add(Number(r.dedup_key));
      read += rows.length;
      if (rows.length < FILTER_PAGE) return filter;
      after = Number(rows.at(-1)!.dedup_key);
    }
    return undefined;
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      this.#seenSeq = this.#indexedUpto = await this.#upto();
      this.#filter = await this.#buildFilter();
      // A run between reading the mark and the keys moved the mark: the next look-up drops the filter.
      await this.#readTail();
    })().catch((error: unknown) => {
      this.#loaded = undefined;
      throw error;
    });
    return this.#loaded;
  }

  /** Events stored after the last one read: into the tail, in pages, a run whenever it is full. */
  async #readTail(): Promise<void> {
    for (;;) {
      const rows = await this.db.all<{ seq: number; dedup_key: number; window_start: number; last_seen: number }>(
        'SELECT seq, dedup_key, window_start, last_seen FROM feed_events WHERE seq > ? ORDER BY seq LIMIT ?',
        [this.#seenSeq, TAIL_PAGE],
      );
      for (const r of rows) this.#add(Number(r.dedup_key), Number(r.window_start), Number(r.seq), Number(r.last_seen));
      if (rows.length > 0) this.#seenSeq = Number(rows.at(-1)!.seq);
      if (this.#tailSize >= this.runSize) await this.#writeRun();
      if (rows.length < TAIL_PAGE) return;
    }
  }
}

const insertRunSql = (rows: number): string =>
  `INSERT INTO feed_windows (dedup_key, window_start, seq) VALUES ${new Array<string>(rows).fill('(?, ?, ?)').join(', ')}
    ON CONFLICT (dedup_key, window_start) DO NOTHING`;
