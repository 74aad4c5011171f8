/**
 * Benchmark inputs built from the shared corpora (never committed): a large .evtx made of every
 * intact chunk of evtx-attack-samples, repeated, behind one valid file header.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../src/ingest/evtx/crc32.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from '../src/ingest/evtx/file-header.js';

export const SHARED_DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');
export const BENCH_DIR = join(tmpdir(), 'vigil-bench');

function evtxFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) evtxFiles(path, out);
    else if (name.endsWith('.evtx')) out.push(path);
  }
  return out;
}

/** Full, well-formed chunks of the attack samples (the ones evtxexport and we both read whole). */
export function attackChunks(): { chunks: Uint8Array[]; header: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let header: Uint8Array | undefined;
  for (const path of evtxFiles(join(SHARED_DATA, 'evtx-attack-samples'))) {
    const bytes = readFileSync(path);
    if (bytes.length < FILE_HEADER_SIZE + CHUNK_SIZE) continue;
    header ??= bytes.subarray(0, FILE_HEADER_SIZE);
    for (let at = FILE_HEADER_SIZE; at + CHUNK_SIZE <= bytes.length; at += CHUNK_SIZE) {
      const chunk = bytes.subarray(at, at + CHUNK_SIZE);
      const magic = Buffer.from(chunk.subarray(0, 8)).toString('latin1');
      const view = new DataView(chunk.buffer, chunk.byteOffset, CHUNK_SIZE);
      const headerCrcOk =
        crc32(chunk, [
          [0, 120],
          [128, 512],
        ]) === view.getUint32(124, true);
      if (magic === 'ElfChnk\0' && headerCrcOk) chunks.push(chunk);
    }
  }
  if (!header) throw new Error('no evtx samples found under ' + SHARED_DATA);
  return { chunks, header };
}

/** A synthetic .evtx of at least `megabytes` MB; built once and reused. */
export function largeEvtx(megabytes: number): string {
  const path = join(BENCH_DIR, `attack-samples-${megabytes}MB.evtx`);
  if (existsSync(path)) return path;
  mkdirSync(BENCH_DIR, { recursive: true });
  const { chunks, header } = attackChunks();
  const count = Math.min(0xffff, Math.ceil((megabytes * 1024 * 1024) / CHUNK_SIZE));
  const file = new Uint8Array(FILE_HEADER_SIZE + count * CHUNK_SIZE);
  file.set(header, 0);
  for (let i = 0; i < count; i++) file.set(chunks[i % chunks.length]!, FILE_HEADER_SIZE + i * CHUNK_SIZE);
  const view = new DataView(file.buffer, 0, FILE_HEADER_SIZE);
  view.setBigUint64(8, 0n, true); // first chunk
  view.setBigUint64(16, BigInt(count - 1), true); // last chunk
  view.setUint16(42, count, true);
  view.setUint32(120, 0, true); // clean, not full
  view.setUint32(124, crc32(file, [[0, 120]]), true);
  writeFileSync(path, file);
  return path;
}
