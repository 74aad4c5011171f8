/**
 * Bytes → text pieces for the line and JSON readers: files (gzip detected by magic and inflated as a
 * stream) or in-memory buffers, decoded as UTF-8 with a BOM dropped.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type ByteSource = { readonly path: string } | { readonly bytes: Uint8Array };

export async function readHead(source: ByteSource, size = 8192): Promise<Uint8Array> {
  if ('bytes' in source) return source.bytes.subarray(0, size);
  const handle = await open(source.path, 'r');
  try {
    const buffer = new Uint8Array(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** The source's bytes as a stream, gunzipped when it is gzip. */
export async function byteStream(source: ByteSource): Promise<Readable> {
  const head = await readHead(source, 2);
  const raw =
    'bytes' in source
      ? Readable.from([Buffer.from(source.bytes)])
      : createReadStream(source.path, { highWaterMark: 1 << 20 });
  return isGzip(head) ? raw.pipe(createGunzip()) : raw;
}

/** Decoded text pieces. */
export async function* textPieces(source: ByteSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of await byteStream(source)) {
    let text = decoder.decode(chunk as Uint8Array, { stream: true });
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** A line longer than this is cut and reported: hostile or broken input must not grow memory without bound. */
export const MAX_LINE = 4 * 1024 * 1024;

export interface Line {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
  readonly truncated: boolean;
}

export async function* lines(source: ByteSource): AsyncGenerator<Line> {
  let pending = '';
  let number = 0;
  let truncated = false;
  for await (const piece of textPieces(source)) {
    let start = 0;
    for (;;) {
      const nl = piece.indexOf('\n', start);
      if (nl < 0) break;
      let text = pending + piece.slice(start, nl);
      pending = '';
      if (text.endsWith('\r')) text = text.slice(0, -1);
      yield { text, number: ++number, truncated };
      truncated = false;
      start = nl + 1;
    }
    pending += piece.slice(start);
    if (pending.length > MAX_LINE) {
      pending = pending.slice(0, MAX_LINE);
      truncated = true;
    }
  }
  if (pending !== '')
    yield { text: pending.endsWith('\r') ? pending.slice(0, -1) : pending, number: number + 1, truncated };
}
