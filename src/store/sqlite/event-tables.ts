/**
 * Writing event blocks into their tables (migration 13 made them): the block row, its postings, and
 * the dedup keys that make ingest idempotent. Shared by ingest and by the migration that moved the
 * per-event rows of earlier versions into blocks.
 */
import type Database from 'better-sqlite3';
import { idKey, type EncodedBlock } from './event-blocks.js';

/** Keys per INSERT statement: one call into SQLite per 50 events instead of per event. */
const KEYS_PER_STATEMENT = 50;

export class EventTables {
  readonly #insertBlock: Database.Statement;
  readonly #insertTerm: Database.Statement;
  readonly #insertKey: Database.Statement;
  readonly #insertKeys: Database.Statement;
  readonly #params = new Array<number>(KEYS_PER_STATEMENT * 2);

  constructor(db: Database.Database) {
    this.#insertBlock = db.prepare(
      'INSERT INTO event_blocks (ts_min, ts_max, count, meta, fields) VALUES (?, ?, ?, ?, ?)',
    );
    this.#insertTerm = db.prepare('INSERT OR IGNORE INTO event_terms (term, block) VALUES (?, ?)');
    const keys = (n: number): string =>
      `INSERT OR IGNORE INTO event_keys (ts, hash) VALUES ${new Array<string>(n).fill('(?, ?)').join(', ')} RETURNING ts, hash`;
    this.#insertKey = db.prepare(keys(1)).raw();
    this.#insertKeys = db.prepare(keys(KEYS_PER_STATEMENT)).raw();
  }

  /**
   * Records the ids' keys and says, per id, whether it is new: not stored before and not earlier in
   * `ids` (OR IGNORE checks each row as it goes in, so a repeat within one statement is skipped too).
   */
  addKeys(ids: readonly string[]): boolean[] {
    const isNew = new Array<boolean>(ids.length).fill(true);
    const params = this.#params;
    let i = 0;
    for (; i + KEYS_PER_STATEMENT <= ids.length; i += KEYS_PER_STATEMENT) {
      for (let r = 0; r < KEYS_PER_STATEMENT; r++) {
        const [ts, hash] = idKey(ids[i + r]!);
        params[2 * r] = ts;
        params[2 * r + 1] = hash;
      }
      const inserted = this.#insertKeys.all(params) as [number, number][];
      // Nearly always every key is new; only otherwise find which.
      if (inserted.length < KEYS_PER_STATEMENT) this.#markOld(ids, i, KEYS_PER_STATEMENT, inserted, isNew);
    }
    for (; i < ids.length; i++) {
      const [ts, hash] = idKey(ids[i]!);
      if ((this.#insertKey.all(ts, hash)).length === 0) isNew[i] = false;
    }
    return isNew;
  }

  #markOld(
    ids: readonly string[],
    from: number,
    n: number,
    inserted: readonly [number, number][],
    isNew: boolean[],
  ): void {
    const fresh = new Set(inserted.map(([ts, hash]) => `${ts}:${hash}`));
    for (let r = from; r < from + n; r++) {
      const [ts, hash] = idKey(ids[r]!);
      const key = `${ts}:${hash}`;
      // The first event with a key took the insert; a repeat of it in the same statement did not.
      isNew[r] = fresh.delete(key);
    }
  }

  /** Stores one block and its postings; returns its number. */
  addBlock(block: EncodedBlock): number {
    const id = Number(
      this.#insertBlock.run(block.tsMin, block.tsMax, block.count, block.meta, block.fields).lastInsertRowid,
    );
    for (const term of block.terms) this.#insertTerm.run(term, id);
    return id;
  }
}
