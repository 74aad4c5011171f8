/**
 * Writing event blocks into their tables (migration 13 made them): the block row and its postings.
 * Shared by ingest and by the migration that moved the per-event rows of earlier versions into
 * blocks; the blocks' dedup keys are event-keys.ts's.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { EncodedBlock } from './event-blocks.js';

/**
 * How a block row keeps its fields (event_blocks.codec, migration 16): as they are (blocks stored
 * before it), or compressed with Brotli at quality 0. The meta stays JSON text either way.
 *
 * Why: SQLite's cost, and the kernel's, grew with the bytes (WAL frames, then the checkpoint's read
 * and write of each page). At 1 M events of evtx-attack-samples (1.2 KB stored an event) the kernel
 * alone took 3.7 of 15.1 µs an event. Brotli at quality 0 makes their fields 10× smaller for ≈ 1.3 µs
 * an event (deflate at level 1: 2 µs for 11×; LZ4: as slow, 9×), and the ingest took 12.8 µs, 0.7 of
 * them in the kernel. The meta is not compressed: mostly ids, it shrank only 2.8×, for ≈ 1 µs an event.
 */
export const RAW_CODEC = 0;
export const BROTLI_CODEC = 1;

const BROTLI_FAST = {
  [constants.BROTLI_PARAM_QUALITY]: 0,
  [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
};

function compress(bytes: Buffer): Buffer {
  return brotliCompressSync(bytes, {
    params: { ...BROTLI_FAST, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
}

/** A block's fields blob, from its row. */
export function fieldsBytes(stored: Buffer, codec: number): Buffer {
  return codec === BROTLI_CODEC ? brotliDecompressSync(stored) : stored;
}

export class EventTables {
  readonly #insertBlock: Database.Statement;
  readonly #insertTerm: Database.Statement;
  readonly #codec: number;

  /**
   * `codec` RAW_CODEC writes rows as migration 13 defined them, for the migrations that run before
   * the codec column exists.
   */
  constructor(db: Database.Database, codec: number = BROTLI_CODEC) {
    this.#codec = codec;
    this.#insertBlock = db.prepare(
      codec === RAW_CODEC
        ? 'INSERT INTO event_blocks (ts_min, ts_max, count, meta, fields) VALUES (?, ?, ?, ?, ?)'
        : 'INSERT INTO event_blocks (ts_min, ts_max, count, meta, fields, codec) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#insertTerm = db.prepare('INSERT OR IGNORE INTO event_terms (term, block) VALUES (?, ?)');
  }

  /** Stores one block and its postings; returns its number. */
  addBlock(block: EncodedBlock): number {
    const row =
      this.#codec === RAW_CODEC
        ? this.#insertBlock.run(block.tsMin, block.tsMax, block.count, block.meta, block.fields)
        : this.#insertBlock.run(
            block.tsMin,
            block.tsMax,
            block.count,
            block.meta,
            compress(block.fields),
            BROTLI_CODEC,
          );
    const id = Number(row.lastInsertRowid);
    for (const term of block.terms) this.#insertTerm.run(term, id);
    return id;
  }
}
