/**
 * Dedup keys of the embedded store (migration 15): the keys of a block's events in one row of
 * `event_block_keys`, an in-memory Bloom filter over every stored key in front of them, and the exact
 * check against the stored blocks' keys only where the filter says maybe. An event is stored only if
 * its key is new, so ingest stays idempotent with the unchanged content ids (core/ids.ts).
 *
 * Why not a row per key: `event_keys (ts, hash)` took each event's key at a random place of a
 * million-entry index (a batch spans years of log time), so every commit rewrote many of its pages.
 */
import { endianness } from 'node:os';
import type Database from 'better-sqlite3';
import { BLOCK_SPAN_MS, KEY_BYTES, type EventKey } from './event-blocks.js';

/** A block's keys, in the block's (time, id) order: so by time, and by hash within a millisecond. */
class BlockKeys {
  readonly ts: Float64Array;
  readonly words: Uint32Array;

  constructor(row: Buffer) {
    const n = Math.floor(row.length / KEY_BYTES);
    this.ts = new Float64Array(n);
    this.words = new Uint32Array(2 * n);
    const words = wordsOf(row);
    if (words !== undefined) {
      const times = new Float64Array(words.buffer, words.byteOffset, 2 * n);
      for (let i = 0; i < n; i++) {
        this.ts[i] = times[2 * i]!;
        this.words[2 * i] = words[4 * i + 2]!;
        this.words[2 * i + 1] = words[4 * i + 3]!;
      }
    } else
      for (let i = 0; i < n; i++) {
        this.ts[i] = row.readDoubleLE(i * KEY_BYTES);
        this.words[2 * i] = row.readUInt32LE(i * KEY_BYTES + 8);
        this.words[2 * i + 1] = row.readUInt32LE(i * KEY_BYTES + 12);
      }
  }

  has(key: EventKey): boolean {
    const ts = this.ts;
    // The first key at the time: the times are in order (the events are).
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < key.keyTs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < ts.length && ts[i] === key.keyTs; i++)
      if (this.words[2 * i] === key.keyHi && this.words[2 * i + 1] === key.keyLo) return true;
    return false;
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * A key row as 32-bit words read in place (4 per key: the time's two, then the hash's), where the
 * machine is little-endian like the rows; undefined elsewhere, where the bytes are read one by one.
 */
function wordsOf(row: Buffer): Uint32Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const length = Math.floor(row.length / KEY_BYTES) * 4;
  // Typed views need aligned offsets; a row that is not gets copied once.
  const aligned: Uint8Array = row.byteOffset % 8 === 0 ? row : new Uint8Array(row);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, length);
}

/** Hash functions of the filter: at 16 to 32 bits per key, about 1 in 2,000 new keys is a false maybe. */
const FILTER_HASHES = 7;
const FILTER_BITS_PER_KEY = 16;
/** 2³² bits (512 MiB) at most: indexes are 32-bit. Past 2²⁸ keys the filter errs more often, never wrongly. */
const FILTER_MAX_BITS = 2 ** 32;
/** 2¹⁸ keys at first (512 KiB): a store grows through a few sizes, each made from every stored key. */
const FILTER_MIN_KEYS = 1 << 18;

/**
 * A Bloom filter over event keys. The keys are SHA-1 bits already, so its hash functions are the two
 * words combined (double hashing), not hashes of them.
 */
class KeyFilter {
  readonly #words: Int32Array;
  readonly #mask: number;
  /** Keys it holds before it is made anew, larger. */
  readonly capacity: number;
  count = 0;

  constructor(capacity: number) {
    let bits = 1 << 20;
    while (bits < capacity * FILTER_BITS_PER_KEY && bits < FILTER_MAX_BITS) bits *= 2;
    this.#words = new Int32Array(bits / 32);
    this.#mask = (bits - 1) | 0;
    this.capacity = capacity;
  }

  add(key: EventKey): void {
    this.addWords(key.keyHi, key.keyLo);
  }

  addWords(hi: number, lo: number): void {
    this.count++;
    const step = lo | 1;
    for (let i = 0; i < FILTER_HASHES; i++) {
      const bit = (hi + Math.imul(i, step)) & this.#mask;
      this.#words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mayHave(key: EventKey): boolean {
    const step = key.keyLo | 1;
    for (let i = 0; i < FILTER_HASHES; i++) {
      const bit = (key.keyHi + Math.imul(i, step)) & this.#mask;
      if ((this.#words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Decoded block keys kept for exact checks: a re-ingest checks the same blocks again and again. */
const KEYS_CACHE_BLOCKS = 256;
/** Maybes past which the repeats within one add are found through a map, not by scanning. */
const SCAN_REPEATS_UP_TO = 32;
/** Rows read at once when the filter is made from the stored keys. */
const KEY_ROWS_PER_READ = 500;

/**
 * The dedup keys of the events store. Every method runs inside the add's transaction, which must
 * take the write lock first (BEGIN IMMEDIATE): the filter is brought up to date with blocks other
 * connections stored, and nobody may store more until the add commits.
 */
export class EventKeys {
  readonly #keysAfter: Database.Statement;
  readonly #keysOf: Database.Statement;
  readonly #candidates: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #storedCount: Database.Statement;
  readonly #cache = new Map<number, BlockKeys>();
  #filter: KeyFilter | undefined;
  /** The last block whose keys the filter holds, as committed. */
  #upTo = 0;
  /** The last block this add stored, made #upTo when it commits. */
  #pending = 0;

  constructor(db: Database.Database) {
    this.#keysAfter = db
      .prepare('SELECT block, keys FROM event_block_keys WHERE block > ? ORDER BY block LIMIT ?')
      .raw();
    this.#keysOf = db.prepare('SELECT keys FROM event_block_keys WHERE block = ?').pluck();
    // The blocks that can hold an event of [from, to]: a block spans at most BLOCK_SPAN_MS.
    this.#candidates = db
      .prepare('SELECT block, ts_min, ts_max FROM event_blocks WHERE ts_min >= ? AND ts_min <= ? AND ts_max >= ?')
      .raw();
    this.#insert = db.prepare('INSERT INTO event_block_keys (block, keys) VALUES (?, ?)');
    this.#storedCount = db.prepare('SELECT coalesce(sum(count), 0) FROM event_blocks').pluck();
  }

  /**
   * Per key, whether its event is new: not stored, and not earlier in `keys`. The new ones are in the
   * filter afterwards (if the add rolls back they stay there: a false maybe costs an exact check only).
   */
  newAmong(keys: readonly EventKey[]): boolean[] {
    const filter = this.#filterFor(keys.length);
    const isNew = new Array<boolean>(keys.length).fill(true);
    const maybe: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (filter.mayHave(key)) maybe.push(i);
      // In the filter at once, so a repeat later in `keys` is a maybe.
      else filter.add(key);
    }
    if (maybe.length === 0) return isNew;
    const stored = this.#stored(keys, maybe);
    const earlier = this.#earlierRepeats(keys, maybe);
    maybe.forEach((i, m) => {
      isNew[i] = !stored[m] && !earlier[m];
      if (isNew[i]) filter.add(keys[i]!);
    });
    return isNew;
  }

  /** Stores the keys of one block (KEY_BYTES each, in the block's order). */
  addBlock(block: number, keys: Buffer): void {
    this.#insert.run(block, keys);
    if (block > this.#pending) this.#pending = block;
  }

  /** After the add's transaction: what it stored is in the filter if it committed, else not. */
  settle(committed: boolean): void {
    if (committed && this.#pending > this.#upTo) this.#upTo = this.#pending;
    this.#pending = this.#upTo;
  }

  /** The filter with every stored key, made on first use and again, larger, when `more` keys would fill it. */
  #filterFor(more: number): KeyFilter {
    let filter = this.#filter;
    if (filter === undefined || filter.count + more > filter.capacity) {
      const stored = Number(this.#storedCount.get());
      filter = this.#filter = new KeyFilter(Math.max(FILTER_MIN_KEYS, 2 * (stored + more)));
      this.#upTo = 0;
    }
    // Blocks stored since, by this connection before or by another one.
    for (;;) {
      const rows = this.#keysAfter.all(this.#upTo, KEY_ROWS_PER_READ) as [number, Buffer][];
      for (const [block, row] of rows) {
        const words = wordsOf(row);
        if (words !== undefined) for (let w = 0; w < words.length; w += 4) filter.addWords(words[w + 2]!, words[w + 3]!);
        else
          for (let at = 0; at + KEY_BYTES <= row.length; at += KEY_BYTES)
            filter.addWords(row.readUInt32LE(at + 8), row.readUInt32LE(at + 12));
        this.#upTo = block;
      }
      if (rows.length < KEY_ROWS_PER_READ) break;
    }
    this.#pending = this.#upTo;
    return filter;
  }

  /**
   * Per maybe, whether its key is in a stored block. The maybes are taken in time order a day at a
   * time, so a re-ingest reads each day's blocks once, not once per event.
   */
  #stored(keys: readonly EventKey[], maybe: readonly number[]): boolean[] {
    const stored = new Array<boolean>(maybe.length).fill(false);
    const order = maybe.map((_, m) => m).sort((a, b) => keys[maybe[a]!]!.keyTs - keys[maybe[b]!]!.keyTs);
    for (let w = 0; w < order.length; ) {
      const from = keys[maybe[order[w]!]!]!.keyTs;
      let end = w;
      while (end < order.length && keys[maybe[order[end]!]!]!.keyTs <= from + BLOCK_SPAN_MS) end++;
      const to = keys[maybe[order[end - 1]!]!]!.keyTs;
      // An event's time lies within a millisecond of its key's (the key truncates it).
      const blocks = this.#candidates.all(from - 1 - BLOCK_SPAN_MS, to + 1, from - 1) as [number, number, number][];
      for (let o = w; o < end; o++) {
        const key = keys[maybe[order[o]!]!]!;
        for (const [block, tsMin, tsMax] of blocks) {
          if (tsMin > key.keyTs + 1 || tsMax < key.keyTs - 1) continue;
          if (this.#blockKeys(block).has(key)) {
            stored[order[o]!] = true;
            break;
          }
        }
      }
      w = end;
    }
    return stored;
  }

  /** Per maybe, whether an event earlier in `keys` has its key (the first of the add is kept). */
  #earlierRepeats(keys: readonly EventKey[], maybe: readonly number[]): boolean[] {
    const same = (a: EventKey, b: EventKey): boolean =>
      a.keyTs === b.keyTs && a.keyHi === b.keyHi && a.keyLo === b.keyLo;
    if (maybe.length <= SCAN_REPEATS_UP_TO)
      return maybe.map((i) => {
        for (let j = 0; j < i; j++) if (same(keys[j]!, keys[i]!)) return true;
        return false;
      });
    const first = new Map<string, number>();
    keys.forEach((k, i) => {
      const name = `${k.keyTs}:${k.keyHi}:${k.keyLo}`;
      if (!first.has(name)) first.set(name, i);
    });
    return maybe.map((i) => first.get(`${keys[i]!.keyTs}:${keys[i]!.keyHi}:${keys[i]!.keyLo}`)! < i);
  }

  #blockKeys(block: number): BlockKeys {
    let keys = this.#cache.get(block);
    if (keys === undefined) {
      keys = new BlockKeys(this.#keysOf.get(block) as Buffer);
      if (this.#cache.size >= KEYS_CACHE_BLOCKS) this.#cache.clear();
      this.#cache.set(block, keys);
    }
    return keys;
  }
}
