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
 *   const rows = await batch([...inserts, ...windows.duplicateUpdates(d)]); // inserts `RETURNING ${STORED_COLUMNS}`
 *   await windows.stored(rows);            // the new rows join the tail; a full tail is written as a run
 */
import { eventId } from '../cases/intake/index.js';
import type { SqlDb } from './sql.js';

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The statement's RETURNING rows are wanted (as arrays of column values). */
  readonly returning?: boolean;
}

/** Statements run in order in one transaction; the rows the `returning` ones gave, in order. */
export type SqlBatch = (statements: readonly SqlStatement[]) => Promise<unknown[][]>;

/** What an event insert returns for `stored`, in this order. */
export const STORED_COLUMNS = 'seq, dedup_key, window_start, last_seen';

export interface StoredWindow {
  readonly eventId: string;
  readonly windowStart: number;
  readonly lastSeen: number;
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

export class FeedWindows {
  readonly #tail = new Map<number, TailWindow>();
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
    // The table for every key, the tail too: out-of-order times can put a later window in a run.
    for (let i = 0; i < keys.length; i += KEYS_PER_SELECT) {
      const part = keys.slice(i, i + KEYS_PER_SELECT);
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
    await this.batch(statements);
    this.#tail.clear();
    this.#tailSize = 0;
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const [row] = await this.db.all<{ upto_seq: number }>('SELECT upto_seq FROM feed_windows_indexed WHERE id = 1');
      this.#seenSeq = Number(row?.upto_seq ?? 0);
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
