/**
 * Built bucket prefilters shared between the worker threads of one scan: the first worker to meet a
 * bucket builds it and writes its typed arrays into one SharedArrayBuffer; a worker meeting it
 * while it is being built waits (no CPU spent) and then reads it there, zero-copy. Each worker
 * compiles the same rules, so a bucket is named by its index in the rule set's bucket order; the
 * record also holds the bucket's key and item count, and anything that does not fit (arena full,
 * another key, a builder that never finished) falls back to building locally.
 *
 *   const buffer = createPrefilterArena();                 // main thread, once per scan
 *   new Worker(url, { workerData: { prefilterArena: buffer } });
 *   compileRuleSet(load, mapping, { prefilterArena: new PrefilterArena(buffer) });   // in each worker
 */
import type { BucketState } from './prefilter.js';

const EMPTY = 0;
const BUILDING = 1;
const READY = 2;
const FAILED = 3;
/** Int32 header: the next free byte, the slot count; then (state, record offset) per slot. */
const HEADER = 2;
const SLOTS = 1 << 14;
/** Reserved address space; pages are only committed as records are written. */
const DEFAULT_BYTES = 512 * 1024 * 1024;
/** How long a worker waits for another's build before building the bucket itself. */
const WAIT_MS = 60_000;

export function createPrefilterArena(bytes = DEFAULT_BYTES): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes);
  const ints = new Int32Array(buffer);
  ints[0] = (HEADER + 2 * SLOTS) * 4;
  ints[1] = SLOTS;
  return buffer;
}

type Blob = Int32Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike> | Uint8Array<ArrayBufferLike>;

export class PrefilterArena {
  readonly #buffer: SharedArrayBuffer;
  readonly #ints: Int32Array<SharedArrayBuffer>;
  /** Buckets this thread built or adopted, for the scan's figures. */
  built = 0;
  adopted = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.#buffer = buffer;
    this.#ints = new Int32Array(buffer);
  }

  /** The bucket at `slot`: adopted from the arena, or built here (and published when first). */
  share<P extends { state(): BucketState }>(
    slot: number,
    key: string,
    items: number,
    adopt: (state: BucketState) => P,
    build: () => P,
  ): P {
    const ints = this.#ints;
    if (slot >= ints[1]!) return this.#buildHere(build);
    const at = HEADER + 2 * slot;
    const prior = Atomics.compareExchange(ints, at, EMPTY, BUILDING);
    if (prior === EMPTY) {
      const built = this.#buildHere(build);
      let published = false;
      try {
        published = this.#write(at, key, items, built.state());
      } finally {
        Atomics.store(ints, at, published ? READY : FAILED);
        Atomics.notify(ints, at);
      }
      return built;
    }
    if (prior === BUILDING) Atomics.wait(ints, at, BUILDING, WAIT_MS);
    if (Atomics.load(ints, at) === READY) {
      const state = this.#read(Atomics.load(ints, at + 1), key, items);
      if (state !== undefined) {
        this.adopted++;
        return adopt(state);
      }
    }
    return this.#buildHere(build);
  }

  #buildHere<P>(build: () => P): P {
    this.built++;
    return build();
  }

  /**
   * One record: meta length and blob count, then per blob its byte offset, length and kind, the
   * meta (JSON, UTF-16, typed arrays replaced by blob numbers), then the blobs, 8-byte aligned.
   */
  #write(at: number, key: string, items: number, state: BucketState): boolean {
    const blobs: Blob[] = [];
    const meta = JSON.stringify({ key, items, state }, (_, value: unknown) =>
      value instanceof Int32Array || value instanceof Uint16Array || value instanceof Uint8Array
        ? { blob: blobs.push(value) - 1 }
        : value,
    );
    const headBytes = align(4 * (2 + 3 * blobs.length) + 2 * meta.length);
    let size = headBytes;
    for (const b of blobs) size += align(b.byteLength);
    const start = Atomics.add(this.#ints, 0, size);
    if (start + size > this.#buffer.byteLength) return false;
    const head = new Int32Array(this.#buffer, start, 2 + 3 * blobs.length);
    head[0] = meta.length;
    head[1] = blobs.length;
    const text = new Uint16Array(this.#buffer, start + 4 * (2 + 3 * blobs.length), meta.length);
    for (let i = 0; i < meta.length; i++) text[i] = meta.charCodeAt(i);
    let offset = start + headBytes;
    blobs.forEach((b, i) => {
      head[2 + 3 * i] = offset;
      head[3 + 3 * i] = b.length;
      head[4 + 3 * i] = b.BYTES_PER_ELEMENT;
      new Uint8Array(this.#buffer, offset, b.byteLength).set(
        new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
      );
      offset += align(b.byteLength);
    });
    Atomics.store(this.#ints, at + 1, start);
    return true;
  }

  #read(start: number, key: string, items: number): BucketState | undefined {
    const buffer = this.#buffer;
    const counts = new Int32Array(buffer, start, 2);
    const metaLength = counts[0]!;
    const blobCount = counts[1]!;
    const head = new Int32Array(buffer, start, 2 + 3 * blobCount);
    const text = new Uint16Array(buffer, start + 4 * (2 + 3 * blobCount), metaLength);
    let meta = '';
    for (let i = 0; i < metaLength; i += 4096)
      meta += String.fromCharCode(...text.subarray(i, Math.min(metaLength, i + 4096)));
    const blob = (i: number): Blob => {
      const offset = head[2 + 3 * i]!;
      const length = head[3 + 3 * i]!;
      const kind = head[4 + 3 * i];
      return kind === 1
        ? new Uint8Array(buffer, offset, length)
        : kind === 2
          ? new Uint16Array(buffer, offset, length)
          : new Int32Array(buffer, offset, length);
    };
    const record = JSON.parse(meta, (_, value: unknown) =>
      typeof value === 'object' && value !== null && 'blob' in value && typeof value.blob === 'number'
        ? blob(value.blob)
        : value,
    ) as { key: string; items: number; state: BucketState };
    return record.key === key && record.items === items ? record.state : undefined;
  }
}

const align = (bytes: number): number => (bytes + 7) & ~7;
