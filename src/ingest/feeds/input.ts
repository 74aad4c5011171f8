/**
 * Report bytes → lines for the feed parsers, streamed: a file (gzip inflated), a buffer, or any
 * byte stream (HTTP body, upload, e-mail attachment). Lines longer than MAX_LINE are cut, so hostile
 * input cannot grow memory without bound. The consumer pulls, so a slow store slows the reading
 * (backpressure) instead of queueing the report in memory.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MAX_LINE, textPieces, type ByteSource } from '../text-stream.js';
import type { FeedLine } from './parser.js';

export async function* linesOfPieces(pieces: AsyncIterable<string> | Iterable<string>): AsyncGenerator<FeedLine> {
  let pending = '';
  let number = 0;
  for await (const piece of pieces) {
    let start = 0;
    for (;;) {
      const nl = piece.indexOf('\n', start);
      if (nl < 0) break;
      let text = pending === '' ? piece.slice(start, nl) : pending + piece.slice(start, nl);
      pending = '';
      if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
      yield { text, number: ++number };
      start = nl + 1;
    }
    pending += piece.slice(start);
    if (pending.length > MAX_LINE) {
      yield { text: pending.slice(0, MAX_LINE), number: ++number };
      pending = '';
    }
  }
  if (pending !== '') yield { text: pending.endsWith('\r') ? pending.slice(0, -1) : pending, number: number + 1 };
}

export function sourceLines(source: ByteSource): AsyncGenerator<FeedLine> {
  return linesOfPieces(textPieces(source));
}

/** Text pieces of a byte stream, gunzipped when it starts with the gzip magic. */
export async function* streamPieces(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  let chunks: AsyncIterable<Uint8Array> = (async function* () {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  if (head[0] === 0x1f && head[1] === 0x8b) chunks = Readable.from(chunks).pipe(createGunzip());
  let bom = true;
  for await (const chunk of chunks) {
    let text = decoder.decode(chunk, { stream: true });
    if (bom) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      bom = false;
    }
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

export function streamLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<FeedLine> {
  return linesOfPieces(streamPieces(stream));
}

/** Lines of a text in memory (tests, e-mail attachments). */
export function arrayLines(text: string): AsyncGenerator<FeedLine> {
  return linesOfPieces([text]);
}
