/** Our EVTX parser's public face. (Placeholder signature until the parser lands.) */
import type { ReadResult } from '../../core/reader.js';

export interface EvtxReadOptions {
  /** Also carve records out of chunk slack space, as libevtx's -r does. */
  readonly recover?: boolean;
  /** Name used in sources and issues (defaults to the path). */
  readonly displayName?: string;
}

/** Every record of an .evtx file, one result each, in file order. */
export async function* readEvtxFile(
  _path: string,
  _options: EvtxReadOptions = {},
): AsyncGenerator<ReadResult> {
  await Promise.resolve();
  yield* [];
  throw new Error('EVTX parser not implemented yet');
}
