/**
 * A stream of JSON values however they are laid out: one per line, pretty-printed one after another,
 * or as the elements of one top-level array. Each value comes with the line it starts on; a value
 * that does not parse is an error at that line and the scan resumes after it.
 */
import { MAX_LINE, textPieces, type ByteSource } from './text-stream.js';

export type JsonItem =
  | { readonly ok: true; readonly value: unknown; readonly line: number }
  | { readonly ok: false; readonly message: string; readonly line: number };

/** A single value larger than this is reported and skipped. */
const MAX_VALUE = 16 * 1024 * 1024;

export async function* jsonValues(source: ByteSource): AsyncGenerator<JsonItem> {
  let depth = 0;
  let inString = false;
  let escape = false;
  let arrayMode = false;
  let started = false;
  let buf = '';
  let collecting = false;
  let valueLine = 0;
  let line = 1;
  let oversized = false;
  for await (const piece of textPieces(source)) {
    let segStart = collecting ? 0 : -1;
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (c === 10) line++;
      if (inString) {
        // JSON strings never hold a raw newline: an unterminated string ends at the line's end, so one
        // broken value is reported by JSON.parse and the brackets after it still balance.
        if (c === 10) {
          inString = false;
          escape = false;
        } else if (escape) escape = false;
        else if (c === 92) escape = true;
        else if (c === 34) inString = false;
        continue;
      }
      if (c === 34) {
        inString = true;
        if (!collecting && depth === (arrayMode ? 1 : 0)) {
          // A bare string value at top level: not an event; skip it.
        }
        continue;
      }
      if (c === 123 || c === 91) {
        if (!started && c === 91 && depth === 0) {
          started = true;
          arrayMode = true;
          depth = 1;
          continue;
        }
        started = true;
        if (!collecting && depth === (arrayMode ? 1 : 0)) {
          collecting = true;
          segStart = i;
          valueLine = line;
          buf = '';
          oversized = false;
        }
        depth++;
      } else if (c === 125 || c === 93) {
        depth--;
        if (collecting && depth === (arrayMode ? 1 : 0)) {
          const text = buf + piece.slice(segStart, i + 1);
          collecting = false;
          buf = '';
          if (oversized)
            yield { ok: false, message: `JSON value over ${MAX_VALUE} bytes skipped`, line: valueLine };
          else {
            try {
              yield { ok: true, value: JSON.parse(text), line: valueLine };
            } catch (error) {
              yield { ok: false, message: (error as Error).message, line: valueLine };
            }
          }
        } else if (depth < 0) {
          yield { ok: false, message: 'unbalanced closing bracket', line };
          depth = 0;
        }
      } else if (c === 10 && collecting && depth > (arrayMode ? 1 : 0) && inString) {
        // newline inside a string: invalid JSON, JSON.parse will say so
      }
    }
    if (collecting) {
      buf += piece.slice(Math.max(segStart, 0));
      if (buf.length > MAX_VALUE) {
        oversized = true;
        buf = '';
      }
    }
    // A line-oriented file with a broken line (unclosed string or brace) must not swallow the rest:
    // when a value spans more than MAX_LINE characters of one line we give up on it.
    if (collecting && !oversized && buf.length > MAX_LINE && !buf.includes('\n')) oversized = true;
  }
  if (collecting) yield { ok: false, message: 'input ends inside a JSON value', line: valueLine };
}
