/**
 * Our EVTX parser's public face: records of an .evtx file as Events (evtx_dump-shaped `raw`, flat
 * Sigma-ready `fields`), or as libevtx-style XML and evtx_dump-style JSON for `vigil evtx dump`.
 */
import type { Event } from '../../core/event.js';
import type { ReadResult } from '../../core/reader.js';
import { filetimeToMs } from '../../core/time.js';
import { evtxJsonTimestamp, flattenEvtxJson } from '../winjson/flatten.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from './file-header.js';
import {
  walkEvtxBytes,
  walkEvtxFile,
  walkEvtxFileBlocks,
  type EvtxItem,
  type EvtxRecord,
} from './records.js';
import { renderJson } from './render-json.js';
import { renderXml } from './render-xml.js';

export interface EvtxReadOptions {
  /** Also carve records out of chunk slack space, as libevtx's `-m recovered` does. */
  readonly recover?: boolean;
  /** Name used in sources and issues (defaults to the path). */
  readonly displayName?: string;
  /** Only chunks [firstChunk, endChunk) — see evtxChunkRanges. */
  readonly firstChunk?: number;
  readonly endChunk?: number;
}

/**
 * Splits an .evtx file into `parts` chunk ranges of about equal size, so worker threads can parse one
 * large file together (chunks are self-contained: each has its own string and template tables).
 */
export function evtxChunkRanges(fileSize: number, parts: number): { firstChunk: number; endChunk: number }[] {
  const chunks = Math.max(1, Math.ceil((fileSize - FILE_HEADER_SIZE) / CHUNK_SIZE));
  const n = Math.max(1, Math.min(parts, chunks));
  const ranges = [];
  for (let i = 0; i < n; i++) {
    const firstChunk = Math.floor((i * chunks) / n);
    const endChunk = i === n - 1 ? Number.MAX_SAFE_INTEGER : Math.floor(((i + 1) * chunks) / n);
    ranges.push({ firstChunk, endChunk });
  }
  return ranges;
}

export type { EvtxItem, EvtxRecord };
export { hasEvtxMagic } from './file-header.js';

export function recordToXml(record: EvtxRecord): string {
  return renderXml(record.nodes);
}

export function recordToJson(record: EvtxRecord): Record<string, unknown> {
  return renderJson(record.nodes);
}

/** The record as an Event; `record.nodes` may be resolved or not (renderJson fills templates in). */
export function recordToEvent(record: EvtxRecord, file: string): Event {
  const raw = renderJson(record.nodes);
  const fields = flattenEvtxJson(raw);
  const fromSystem = evtxJsonTimestamp(fields);
  return {
    timestamp: Number.isNaN(fromSystem) ? filetimeToMs(record.slot.written) : fromSystem,
    source: { kind: 'evtx', file, offset: record.fileOffset, recordId: Number(record.slot.recordId) },
    fields,
    raw,
  };
}

function toResult(item: EvtxItem, file: string): ReadResult {
  return item.ok ? { ok: true, event: recordToEvent(item.record, file) } : item;
}

/** Every record of an .evtx file, one result each, in file order; streams chunk by chunk. */
export async function* readEvtxFile(path: string, options: EvtxReadOptions = {}): AsyncGenerator<ReadResult> {
  const file = options.displayName ?? path;
  for await (const items of walkEvtxFileBlocks(path, file, { ...options, unresolved: true }))
    for (const item of items) yield toResult(item, file);
}

/** The same for an .evtx already in memory (an archive entry). */
export async function* readEvtxBytes(
  bytes: Uint8Array,
  options: EvtxReadOptions = {},
): AsyncGenerator<ReadResult> {
  const file = options.displayName ?? '<memory>';
  for (const item of walkEvtxBytes(bytes, file, { ...options, unresolved: true })) yield toResult(item, file);
  await Promise.resolve();
}

/** Resolved records (for XML/JSON dumps). */
export function walkEvtx(path: string, options: EvtxReadOptions = {}): AsyncGenerator<EvtxItem> {
  return walkEvtxFile(path, options.displayName ?? path, options);
}
