/** JSON lines: one value per line; a bad line is an error at that line and the next line still reads. */
import { lines, type ByteSource } from './text-stream.js';
import type { JsonItem } from './json-values.js';

export async function* jsonLines(source: ByteSource): AsyncGenerator<JsonItem> {
  for await (const line of lines(source)) {
    const text = line.text.trim();
    if (text === '') continue;
    if (line.truncated) {
      yield { ok: false, message: 'line too long, cut', line: line.number };
      continue;
    }
    try {
      yield { ok: true, value: JSON.parse(text), line: line.number };
    } catch (error) {
      yield { ok: false, message: (error as Error).message, line: line.number };
    }
  }
}
