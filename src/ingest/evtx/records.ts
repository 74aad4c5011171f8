/**
 * Walks an EVTX file chunk by chunk and yields each record's resolved tree, or an issue for what is
 * damaged. Streams: one read buffer of a few chunks, whatever the file size.
 */
import { open } from 'node:fs/promises';
import type { Issue } from '../../core/issue.js';
import { issue } from '../../core/issue.js';
import { parseTokens, resolve } from './binxml/deserialize.js';
import type { XmlNode } from './binxml/nodes.js';
import { Chunk, CHUNK_HEADER_SIZE, chunkMagic, RECORD_MAGIC, type RecordSlot } from './chunk.js';
import { ByteCursor, EvtxFormatError } from './cursor.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseFileHeader } from './file-header.js';

export interface EvtxWalkOptions {
  readonly recover?: boolean;
  /**
   * Read only chunks [firstChunk, endChunk): how one large file is shared between worker threads.
   * File-header issues are reported by the range that starts at chunk 0.
   */
  readonly firstChunk?: number;
  readonly endChunk?: number;
  /**
   * Leave template instances in `nodes` unresolved (template body plus this record's values), for
   * renderers that fill them in as they go (renderJson) rather than walk a resolved tree.
   */
  readonly unresolved?: boolean;
}

export interface EvtxRecord {
  readonly chunkIndex: number;
  /** Byte offset of the record in the file. */
  readonly fileOffset: number;
  readonly slot: RecordSlot;
  /** The resolved tree; with `unresolved`, the parsed tokens with their template instances. */
  readonly nodes: readonly XmlNode[];
}

export type EvtxItem =
  { readonly ok: true; readonly record: EvtxRecord } | { readonly ok: false; readonly issue: Issue };

/** Chunks read per I/O call. */
const CHUNKS_PER_READ = 16;

function recordIssue(
  file: string,
  chunkIndex: number,
  base: number,
  error: unknown,
  recordId?: bigint,
): Issue {
  const e = error instanceof EvtxFormatError ? error : undefined;
  const where = {
    file,
    chunk: chunkIndex,
    offset: base + (e?.offset ?? 0),
    ...(recordId !== undefined ? { recordId: Number(recordId) } : {}),
  };
  return issue(e?.code ?? 'evtx.record.failed', e?.message ?? String(error), where);
}

/** Parses one record's Binary XML into its resolved tree. */
export function parseRecord(chunk: Chunk, slot: RecordSlot, unresolved = false): readonly XmlNode[] {
  const cur = new ByteCursor(chunk.view, slot.offset + 24, slot.offset + slot.size - 4);
  const tokens = parseTokens(chunk, cur, false);
  return unresolved ? tokens : resolve(tokens, []);
}

/** Every record of one chunk (and its slack, when recovering). */
export function* chunkItems(
  bytes: Uint8Array,
  chunkIndex: number,
  fileOffset: number,
  file: string,
  options: EvtxWalkOptions,
  declaredChunks = Number.MAX_SAFE_INTEGER,
): Generator<EvtxItem> {
  const magic = chunkMagic(bytes);
  if (magic === 'empty') return;
  if (magic === 'bad') {
    // Read on only when records start where they should and the header counts this chunk in;
    // leftovers past the count (common in dirty files) are skipped with a warning.
    const looksLikeRecords =
      bytes.length > CHUNK_HEADER_SIZE + 8 &&
      new DataView(bytes.buffer, bytes.byteOffset + CHUNK_HEADER_SIZE, 4).getUint32(0, true) ===
        RECORD_MAGIC &&
      chunkIndex < declaredChunks;
    yield {
      ok: false,
      issue: issue(
        'evtx.chunk.bad-magic',
        `chunk without ElfChnk magic ${looksLikeRecords ? 'read anyway' : 'skipped'}`,
        { file, chunk: chunkIndex, offset: fileOffset },
        'warning',
      ),
    };
    if (!looksLikeRecords) return;
  }
  if (bytes.length < CHUNK_SIZE) {
    yield {
      ok: false,
      issue: issue(
        'evtx.chunk.truncated',
        `chunk has ${bytes.length} of ${CHUNK_SIZE} bytes`,
        { file, chunk: chunkIndex, offset: fileOffset },
        'warning',
      ),
    };
  }
  const chunk = new Chunk(bytes);
  if (!chunk.header.headerCrcOk) {
    yield {
      ok: false,
      issue: issue(
        'evtx.chunk.bad-header-crc',
        'chunk header CRC32 does not match',
        { file, chunk: chunkIndex, offset: fileOffset },
        'warning',
      ),
    };
  }
  if (!chunk.header.dataCrcOk) {
    yield {
      ok: false,
      issue: issue(
        'evtx.chunk.bad-data-crc',
        'chunk records CRC32 does not match',
        { file, chunk: chunkIndex, offset: fileOffset },
        'warning',
      ),
    };
  }
  for (const slot of chunk.records()) {
    if (slot instanceof EvtxFormatError) {
      yield { ok: false, issue: recordIssue(file, chunkIndex, fileOffset, slot) };
      break;
    }
    if (!slot.sizeCopyOk) {
      yield {
        ok: false,
        issue: issue(
          'evtx.record.size-mismatch',
          'record size copy does not match its size; parsed anyway',
          { file, chunk: chunkIndex, offset: fileOffset + slot.offset, recordId: Number(slot.recordId) },
          'warning',
        ),
      };
    }
    yield parseSlot(chunk, slot, chunkIndex, fileOffset, file, options);
  }
  if (options.recover) {
    for (const slot of chunk.slackRecords()) {
      const item = parseSlot(chunk, slot, chunkIndex, fileOffset, file, options);
      // A carved record that does not parse was most likely overwritten: not worth an issue.
      if (item.ok) yield item;
    }
  }
}

function parseSlot(
  chunk: Chunk,
  slot: RecordSlot,
  chunkIndex: number,
  fileOffset: number,
  file: string,
  options: EvtxWalkOptions,
): EvtxItem {
  try {
    const nodes = parseRecord(chunk, slot, options.unresolved);
    return { ok: true, record: { chunkIndex, fileOffset: fileOffset + slot.offset, slot, nodes } };
  } catch (error) {
    return { ok: false, issue: recordIssue(file, chunkIndex, fileOffset, error, slot.recordId) };
  }
}

function declaredChunkCount(header: Uint8Array): number {
  try {
    return parseFileHeader(header).chunkCount;
  } catch {
    return 0;
  }
}

function* headerIssues(header: Uint8Array, file: string): Generator<EvtxItem> {
  try {
    const parsed = parseFileHeader(header);
    if (!parsed.checksumOk) {
      yield {
        ok: false,
        issue: issue('evtx.file.bad-crc', 'file header CRC32 does not match', { file, offset: 0 }, 'warning'),
      };
    }
  } catch (error) {
    const e = error as EvtxFormatError;
    yield { ok: false, issue: issue(e.code ?? 'evtx.file.bad-header', e.message, { file, offset: 0 }) };
  }
}

/** Records of an .evtx file read in chunk-sized blocks. */
export async function* walkEvtxFile(
  path: string,
  file: string,
  options: EvtxWalkOptions = {},
): AsyncGenerator<EvtxItem> {
  for await (const items of walkEvtxFileBlocks(path, file, options)) yield* items;
}

/**
 * The same walk one read block at a time: each iterable (to be used up before the next is asked
 * for) holds the items of a few chunks, so a caller pays one asynchronous step per block rather
 * than per record.
 */
export async function* walkEvtxFileBlocks(
  path: string,
  file: string,
  options: EvtxWalkOptions = {},
): AsyncGenerator<Iterable<EvtxItem>> {
  const handle = await open(path, 'r');
  try {
    const header = new Uint8Array(FILE_HEADER_SIZE);
    const { bytesRead } = await handle.read(header, 0, FILE_HEADER_SIZE, 0);
    const headerItems = [...headerIssues(header.subarray(0, bytesRead), file)];
    const firstChunk = options.firstChunk ?? 0;
    const endChunk = options.endChunk ?? Number.MAX_SAFE_INTEGER;
    if (firstChunk === 0) yield headerItems;
    if (headerItems.some((i) => !i.ok && i.issue.severity === 'error')) return;
    const declared = declaredChunkCount(header.subarray(0, bytesRead));
    let position = FILE_HEADER_SIZE + firstChunk * CHUNK_SIZE;
    let chunkIndex = firstChunk;
    // Two buffers: the next block is read while this one is parsed.
    const buffers = [
      new Uint8Array(CHUNK_SIZE * CHUNKS_PER_READ),
      new Uint8Array(CHUNK_SIZE * CHUNKS_PER_READ),
    ];
    const readBlock = (buffer: Uint8Array, fromChunk: number, at: number) => {
      const wanted = Math.min(buffer.length, (endChunk - fromChunk) * CHUNK_SIZE);
      const read = handle
        .read(buffer, 0, wanted, at)
        .then(({ bytesRead }) => ({ buffer, wanted, got: bytesRead }));
      // Marked handled: a read still in flight when the caller stops early must not become an
      // unhandled rejection. Awaiting `read` still throws.
      read.catch(() => undefined);
      return read;
    };
    let block = 0;
    let pending = chunkIndex < endChunk ? readBlock(buffers[0]!, chunkIndex, position) : undefined;
    while (pending) {
      const { buffer, wanted, got } = await pending;
      if (got === 0) break;
      const nextChunk = chunkIndex + Math.ceil(got / CHUNK_SIZE);
      block ^= 1;
      pending =
        got === wanted && nextChunk < endChunk
          ? readBlock(buffers[block]!, nextChunk, position + got)
          : undefined;
      yield blockItems(buffer, got, chunkIndex, position, file, options, declared);
      chunkIndex = nextChunk;
      position += got;
    }
  } finally {
    await handle.close();
  }
}

function* blockItems(
  buffer: Uint8Array,
  got: number,
  firstChunk: number,
  position: number,
  file: string,
  options: EvtxWalkOptions,
  declared: number,
): Generator<EvtxItem> {
  let chunkIndex = firstChunk;
  for (let at = 0; at < got; at += CHUNK_SIZE, chunkIndex++) {
    const bytes = buffer.subarray(at, Math.min(at + CHUNK_SIZE, got));
    yield* chunkItems(bytes, chunkIndex, position + at, file, options, declared);
  }
}

/** Records of an .evtx held in memory (an archive entry). */
export function* walkEvtxBytes(
  bytes: Uint8Array,
  file: string,
  options: EvtxWalkOptions = {},
): Generator<EvtxItem> {
  const headerItems = [...headerIssues(bytes.subarray(0, FILE_HEADER_SIZE), file)];
  yield* headerItems;
  if (headerItems.some((i) => !i.ok && i.issue.severity === 'error')) return;
  const declared = declaredChunkCount(bytes.subarray(0, FILE_HEADER_SIZE));
  let chunkIndex = 0;
  for (let at = FILE_HEADER_SIZE; at < bytes.length; at += CHUNK_SIZE, chunkIndex++) {
    yield* chunkItems(
      bytes.subarray(at, Math.min(at + CHUNK_SIZE, bytes.length)),
      chunkIndex,
      at,
      file,
      options,
      declared,
    );
  }
}
