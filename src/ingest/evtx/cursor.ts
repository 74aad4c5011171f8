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
    return chars === 0 ? '' : UTF16.decode(this.bytes(what, chars * 2));
  }
}

export function decodeUtf16(bytes: Uint8Array): string {
  return UTF16.decode(bytes);
}
