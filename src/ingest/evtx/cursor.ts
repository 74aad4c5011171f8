/** A bounds-checked little-endian reader over a DataView; every read names what it reads, so errors say where. */

export class EvtxFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'EvtxFormatError';
  }
}

export function truncated(what: string, offset: number, need: number, have: number): EvtxFormatError {
  return new EvtxFormatError(
    'evtx.truncated',
    `truncated ${what} at 0x${offset.toString(16)}: need ${need} bytes, have ${Math.max(0, have)}`,
    offset,
  );
}

const UTF16 = new TextDecoder('utf-16le');

/**
 * A Node Buffer over each ArrayBuffer we decode from (the file walk's two read buffers, or an
 * archive entry's bytes), made once; weakly held, so a finished input is not kept alive.
 */
const buffers = new WeakMap<ArrayBufferLike, Buffer>();

function bufferOver(arrayBuffer: ArrayBufferLike): Buffer {
  let buffer = buffers.get(arrayBuffer);
  if (buffer === undefined) {
    buffer = Buffer.from(arrayBuffer as ArrayBuffer);
    buffers.set(arrayBuffer, buffer);
  }
  return buffer;
}

/**
 * Buffer's own UTF-16 decoder, which `toString('utf16le', …)` calls after checking its arguments
 * and looking up the encoding (a third of the cost on short strings). Not in Node's typings, so
 * looked up, with toString when missing; our offsets are already checked against the view.
 */
const ucs2Slice = (Buffer.prototype as unknown as { ucs2Slice?: (start: number, end: number) => string })
  .ucs2Slice;

/**
 * `chars` UTF-16LE code units at `offset` of `view`, exactly as TextDecoder('utf-16le') decodes them.
 * Buffer's utf16le toString is several times faster on the short strings records are made of, but keeps
 * lone surrogates and a leading BOM; those rare strings go through TextDecoder, which replaces
 * the one with U+FFFD and drops the other.
 */
export function utf16At(view: DataView, offset: number, chars: number): string {
  if (chars === 0) return '';
  const start = view.byteOffset + offset;
  const buffer = bufferOver(view.buffer);
  const end = start + chars * 2;
  const s = ucs2Slice ? ucs2Slice.call(buffer, start, end) : buffer.toString('utf16le', start, end);
  if (s.charCodeAt(0) === 0xfeff || !(s as unknown as WellFormed).isWellFormed()) {
    return UTF16.decode(new Uint8Array(view.buffer, start, chars * 2));
  }
  return s;
}

/** ES2024's String.prototype.isWellFormed (in Node 20; our lib setting is ES2023). */
interface WellFormed {
  isWellFormed(): boolean;
}

export class ByteCursor {
  pos: number;

  constructor(
    readonly view: DataView,
    pos: number,
    /** Reads past this offset are errors (a record's or value's end, not the buffer's). */
    public end: number = view.byteLength,
  ) {
    this.pos = pos;
  }

  need(what: string, n: number): void {
    if (this.pos + n > this.end) throw truncated(what, this.pos, n, this.end - this.pos);
  }

  u8(what: string): number {
    this.need(what, 1);
    return this.view.getUint8(this.pos++);
  }

  u16(what: string): number {
    this.need(what, 2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(what, 4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what: string): bigint {
    this.need(what, 8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  skip(what: string, n: number): void {
    this.need(what, n);
    this.pos += n;
  }

  bytes(what: string, n: number): Uint8Array {
    this.need(what, n);
    const b = new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, n);
    this.pos += n;
    return b;
  }

  /** `chars` UTF-16 code units. */
  utf16(what: string, chars: number): string {
    if (chars === 0) return '';
    this.need(what, chars * 2);
    const s = utf16At(this.view, this.pos, chars);
    this.pos += chars * 2;
    return s;
  }
}

export function decodeUtf16(bytes: Uint8Array): string {
  return UTF16.decode(bytes);
}
