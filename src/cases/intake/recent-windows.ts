/**
 * The dedup windows an intake run met lately, by key: what the pipeline checks every event against
 * before asking the store. Open-addressing tables over typed arrays, not a Map of window objects:
 * keyed by 53-bit numbers (heap numbers to V8), with an object and an id string per window, a Map of
 * 200,000 windows cost ~1.5 µs an event in look-ups and garbage. Two generations keep it bounded:
 * when the newer holds `capacity` windows, the older is forgotten (the store has its windows) and a
 * window met again in the older one moves into the newer.
 *
 *   const windows = new RecentWindows(200_000, 5000);
 *   const at = windows.find(key);                // a slot, or -1
 *   if (at < 0) windows.set(key, start, lastSeen); else windows.start(at);
 */

/** Keys are ≥ 0 (53 bits of a hash), so -1 marks an empty slot. */
const EMPTY = -1;

class Generation {
  readonly keys: Float64Array;
  readonly starts: Float64Array;
  readonly lastSeen: Float64Array;
  readonly pending: Uint32Array;
  readonly #shift: number;
  readonly #mask: number;
  size = 0;

  constructor(bits: number) {
    const slots = 2 ** bits;
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.starts = new Float64Array(slots);
    this.lastSeen = new Float64Array(slots);
    this.pending = new Uint32Array(slots);
    this.#shift = 32 - bits;
    this.#mask = slots - 1;
  }

  /** The key's slot, or the empty slot where it would go (`keys[slot]` tells which). */
  slotOf(key: number): number {
    // The key is itself a hash: its low 32 bits, multiplied to spread them over the table's bits.
    let slot = Math.imul(key >>> 0, 0x9e3779b1) >>> this.#shift;
    const keys = this.keys;
    for (;;) {
      const k = keys[slot]!;
      if (k === key || k === EMPTY) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.size = 0;
  }
}

export class RecentWindows {
  #newer: Generation;
  #older: Generation;

  /**
   * At least `capacity` windows are kept, at most about twice as many. `batch`: windows set between
   * two `settle`s at most (a batch's events and the store's answers for them).
   */
  constructor(
    readonly capacity: number,
    batch: number,
  ) {
    // Half full at most (a generation takes up to `capacity` plus one batch): short probes.
    const bits = Math.max(4, Math.ceil(Math.log2((capacity + 2 * batch) * 2)));
    this.#newer = new Generation(bits);
    this.#older = new Generation(bits);
  }

  /** The key's slot in the newer generation (moved there from the older one if need be), or -1. */
  find(key: number): number {
    const newer = this.#newer;
    const at = newer.slotOf(key);
    if (newer.keys[at] === key) return at;
    const older = this.#older;
    const old = older.slotOf(key);
    if (older.keys[old] !== key) return -1;
    newer.keys[at] = key;
    newer.starts[at] = older.starts[old]!;
    newer.lastSeen[at] = older.lastSeen[old]!;
    newer.pending[at] = 0;
    newer.size++;
    return at;
  }

  /** The key's window from now on (a later one replaces an earlier); its slot. */
  set(key: number, windowStart: number, lastSeen: number): number {
    const newer = this.#newer;
    const at = newer.slotOf(key);
    if (newer.keys[at] !== key) {
      newer.keys[at] = key;
      newer.size++;
    }
    newer.starts[at] = windowStart;
    newer.lastSeen[at] = lastSeen;
    newer.pending[at] = 0;
    return at;
  }

  key(slot: number): number {
    return this.#newer.keys[slot]!;
  }

  start(slot: number): number {
    return this.#newer.starts[slot]!;
  }

  lastSeen(slot: number): number {
    return this.#newer.lastSeen[slot]!;
  }

  /** Duplicates counted on the slot's window and not yet taken. */
  pending(slot: number): number {
    return this.#newer.pending[slot]!;
  }

  /** The duplicates counted on the slot's window, taken (for the store): the count is zero again. */
  take(slot: number): number {
    const count = this.#newer.pending[slot]!;
    this.#newer.pending[slot] = 0;
    return count;
  }

  /** One more duplicate on the slot's window, seen at `time`. */
  count(slot: number, time: number): void {
    const newer = this.#newer;
    newer.pending[slot]!++;
    if (time > newer.lastSeen[slot]!) newer.lastSeen[slot] = time;
  }

  /** Between batches (no slot is held): past `capacity`, the older generation goes. */
  settle(): void {
    const newer = this.#newer;
    if (newer.size >= this.capacity) {
      const older = this.#older;
      older.clear();
      this.#older = newer;
      this.#newer = older;
    }
  }
}
