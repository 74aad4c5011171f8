/** CRC-32 (IEEE 802.3), as EVTX file and chunk headers use it, over byte ranges. */
import * as zlib from 'node:zlib';

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's native CRC-32 (Node ≥ 20.15), several times faster than the table; the table otherwise. */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC of the concatenated ranges `[start, end)` of `bytes`. */
export function crc32(bytes: Uint8Array, ranges: readonly (readonly [number, number])[]): number {
  if (native) {
    let value = 0;
    for (const [start, end] of ranges) if (end > start) value = native(bytes.subarray(start, end), value);
    return value >>> 0;
  }
  let crc = 0xffffffff;
  for (const [start, end] of ranges) {
    for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
