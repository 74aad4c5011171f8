/** The 4 KiB EVTX file header: magic, chunk count, version, flags and its CRC. */
import { EvtxFormatError } from './cursor.js';
import { crc32 } from './crc32.js';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
const MAGIC = 'ElfFile\0';

export interface FileHeader {
  readonly firstChunk: bigint;
  readonly lastChunk: bigint;
  readonly nextRecordId: bigint;
  readonly minorVersion: number;
  readonly majorVersion: number;
  readonly chunkCount: number;
  /** 0x1 dirty (not closed cleanly), 0x2 full. */
  readonly flags: number;
  readonly checksumOk: boolean;
}

export function hasEvtxMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export function parseFileHeader(bytes: Uint8Array): FileHeader {
  if (bytes.length < 128) {
    throw new EvtxFormatError('evtx.file.truncated', `file header needs 128 bytes, have ${bytes.length}`, 0);
  }
  if (!hasEvtxMagic(bytes))
    throw new EvtxFormatError('evtx.file.bad-magic', 'not an EVTX file (no ElfFile magic)', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 128);
  return {
    firstChunk: view.getBigUint64(8, true),
    lastChunk: view.getBigUint64(16, true),
    nextRecordId: view.getBigUint64(24, true),
    minorVersion: view.getUint16(36, true),
    majorVersion: view.getUint16(38, true),
    chunkCount: view.getUint16(42, true),
    flags: view.getUint32(120, true),
    checksumOk: crc32(bytes, [[0, 120]]) === view.getUint32(124, true),
  };
}
