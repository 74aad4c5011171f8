/**
 * One 64 KiB chunk: header (with its two CRCs), its string and template caches, and the walk over
 * its records. Recovery also carves records out of the slack space after the last one.
 */
import { parseTemplateBody, readNameAt, type ChunkContext } from './binxml/deserialize.js';
import type { XmlNode } from './binxml/nodes.js';
import { EvtxFormatError } from './cursor.js';
import { crc32 } from './crc32.js';
import { CHUNK_SIZE } from './file-header.js';

export const CHUNK_HEADER_SIZE = 512;
export const RECORD_MAGIC = 0x00002a2a;
const CHUNK_MAGIC = 'ElfChnk\0';

export interface ChunkHeader {
  readonly firstRecordNumber: bigint;
  readonly lastRecordNumber: bigint;
  readonly firstRecordId: bigint;
  readonly lastRecordId: bigint;
  readonly lastRecordOffset: number;
  readonly freeSpaceOffset: number;
  readonly headerCrcOk: boolean;
  readonly dataCrcOk: boolean;
}

export type ChunkMagic = 'ok' | 'empty' | 'bad';

export function chunkMagic(bytes: Uint8Array): ChunkMagic {
  let zero = true;
  let match = true;
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== 0) zero = false;
    if (bytes[i] !== CHUNK_MAGIC.charCodeAt(i)) match = false;
  }
  return match ? 'ok' : zero ? 'empty' : 'bad';
}

/** A record's place in its chunk and its header fields. */
export interface RecordSlot {
  readonly offset: number;
  readonly size: number;
  readonly recordId: bigint;
  readonly written: bigint;
  readonly recovered: boolean;
  readonly sizeCopyOk: boolean;
}

export class Chunk implements ChunkContext {
  readonly view: DataView;
  readonly header: ChunkHeader;
  readonly #names = new Map<number, string>();
  readonly #templates = new Map<number, readonly XmlNode[]>();

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const v = this.view;
    const freeSpaceOffset = v.getUint32(48, true);
    const dataEnd = Math.min(Math.max(freeSpaceOffset, CHUNK_HEADER_SIZE), bytes.length);
    this.header = {
      firstRecordNumber: v.getBigUint64(8, true),
      lastRecordNumber: v.getBigUint64(16, true),
      firstRecordId: v.getBigUint64(24, true),
      lastRecordId: v.getBigUint64(32, true),
      lastRecordOffset: v.getUint32(44, true),
      freeSpaceOffset,
      headerCrcOk:
        crc32(bytes, [
          [0, 120],
          [128, CHUNK_HEADER_SIZE],
        ]) === v.getUint32(124, true),
      dataCrcOk: crc32(bytes, [[CHUNK_HEADER_SIZE, dataEnd]]) === v.getUint32(52, true),
    };
  }

  nameAt(offset: number): string {
    let name = this.#names.get(offset);
    if (name === undefined) {
      if (offset + 8 > this.bytes.length) {
        throw new EvtxFormatError(
          'evtx.name.offset',
          `name offset 0x${offset.toString(16)} outside the chunk`,
          offset,
        );
      }
      name = readNameAt(this.view, offset);
      this.#names.set(offset, name);
    }
    return name;
  }

  templateAt(offset: number): readonly XmlNode[] {
    let body = this.#templates.get(offset);
    if (body === undefined) {
      if (offset < CHUNK_HEADER_SIZE || offset + 24 > this.bytes.length) {
        throw new EvtxFormatError(
          'evtx.template.offset',
          `template offset 0x${offset.toString(16)} outside the chunk`,
          offset,
        );
      }
      body = parseTemplateBody(this, offset);
      this.#templates.set(offset, body);
    }
    return body;
  }

  /** Checks a record header at `offset`; the slot, or why it is not a record. */
  recordAt(offset: number, limit: number, recovered: boolean): RecordSlot | EvtxFormatError {
    const v = this.view;
    if (offset + 28 > limit)
      return new EvtxFormatError('evtx.record.truncated', 'record header past the data', offset);
    if (v.getUint32(offset, true) !== RECORD_MAGIC) {
      return new EvtxFormatError('evtx.record.bad-magic', 'no record magic (**\\0\\0)', offset);
    }
    const size = v.getUint32(offset + 4, true);
    if (size < 28 || offset + size > limit) {
      return new EvtxFormatError(
        'evtx.record.bad-size',
        `record size ${size} does not fit the chunk`,
        offset,
      );
    }
    const copy = v.getUint32(offset + size - 4, true);
    // A carved record must prove itself with its size copy; an allocated one is parsed anyway and
    // the mismatch reported (Windows leaves some last records so).
    if (copy !== size && recovered) {
      return new EvtxFormatError(
        'evtx.record.size-mismatch',
        `record size ${size} but size copy ${copy}`,
        offset,
      );
    }
    return {
      offset,
      size,
      recordId: v.getBigUint64(offset + 8, true),
      written: v.getBigUint64(offset + 16, true),
      recovered,
      sizeCopyOk: copy === size,
    };
  }

  /**
   * Allocated records in order, up to the free-space offset. A damaged record ends the walk
   * (its size cannot be trusted) and is returned as the error.
   */
  *records(): Generator<RecordSlot | EvtxFormatError> {
    const limit = Math.min(this.header.freeSpaceOffset, this.bytes.length);
    let offset = CHUNK_HEADER_SIZE;
    while (offset + 4 <= limit) {
      if (this.view.getUint32(offset, true) === 0) return; // zero run: end of used space
      const slot = this.recordAt(offset, limit, false);
      yield slot;
      if (slot instanceof EvtxFormatError) return;
      offset += slot.size;
    }
  }

  /**
   * Records carved from slack space (after the free-space offset): magic, sane size and size copy.
   * Their header ids may repeat allocated ones (the chunk was reused), so they are not deduplicated.
   */
  *slackRecords(): Generator<RecordSlot> {
    const start = Math.max(CHUNK_HEADER_SIZE, Math.min(this.header.freeSpaceOffset, this.bytes.length));
    const v = this.view;
    for (let offset = start - (start % 8); offset + 28 <= this.bytes.length; offset += 8) {
      if (v.getUint32(offset, true) !== RECORD_MAGIC) continue;
      const slot = this.recordAt(offset, this.bytes.length, true);
      if (slot instanceof EvtxFormatError) continue;
      yield slot;
      offset += slot.size - 8;
    }
  }
}

export { CHUNK_SIZE };
