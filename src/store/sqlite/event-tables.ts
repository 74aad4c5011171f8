/**
 * Writing event blocks into their tables (migration 13 made them): the block row and its postings.
 * Shared by ingest and by the migration that moved the per-event rows of earlier versions into
 * blocks; the blocks' dedup keys are event-keys.ts's.
 */
import type Database from 'better-sqlite3';
import type { EncodedBlock } from './event-blocks.js';

export class EventTables {
  readonly #insertBlock: Database.Statement;
  readonly #insertTerm: Database.Statement;

  constructor(db: Database.Database) {
    this.#insertBlock = db.prepare(
      'INSERT INTO event_blocks (ts_min, ts_max, count, meta, fields) VALUES (?, ?, ?, ?, ?)',
    );
    this.#insertTerm = db.prepare('INSERT OR IGNORE INTO event_terms (term, block) VALUES (?, ?)');
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
