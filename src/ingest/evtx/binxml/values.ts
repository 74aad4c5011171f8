/**
 * Substitution values: decoding each value type from its bytes, and rendering it the way libevtx
 * writes XML (`{GUID}`, 100-ns times, zero-padded hex) and the way evtx_dump writes JSON (numbers as
 * numbers, bare GUIDs, microsecond times, unpadded hex).
 */
import { EvtxFormatError, utf16At } from '../cursor.js';
import { ARRAY_BIT, ValueType } from './tokens.js';

export type Scalar = string | number | bigint | boolean | null;

export interface EvtxValue {
  readonly type: number;
  /** Decoded: string, number, bigint (64-bit values beyond 2^53, FILETIME, hex), boolean, bytes, or items. */
  readonly v: Scalar | Uint8Array | readonly EvtxValue[];
  /** Byte width where rendering depends on it (SizeT). */
  readonly width?: number;
}

export const NULL_VALUE: EvtxValue = { type: ValueType.Null, v: null };

const LATIN1 = new TextDecoder('latin1');

function stripNul(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `HEX[b]`: the byte as two upper-case hex digits. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b.toString(16).toUpperCase().padStart(2, '0'),
);

function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!;
  return out;
}

function hexAt(view: DataView, at: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += HEX[view.getUint8(at + i)]!;
  return out;
}

const DIGITS = '0123456789ABCDEF';
/** Character codes of a byte's two upper-case hex digits. */
const HIGH: readonly number[] = Array.from({ length: 256 }, (_, b) => DIGITS.charCodeAt(b >> 4));
const LOW: readonly number[] = Array.from({ length: 256 }, (_, b) => DIGITS.charCodeAt(b & 15));
const DASH = 0x2d;

/**
 * A GUID at `at`: the first three groups little-endian, the last two as bytes; upper case, no
 * braces. Made in one String.fromCharCode (a flat string), not by twenty concatenations.
 */
function guidAt(view: DataView, at: number): string {
  const b0 = view.getUint8(at);
  const b1 = view.getUint8(at + 1);
  const b2 = view.getUint8(at + 2);
  const b3 = view.getUint8(at + 3);
  const b4 = view.getUint8(at + 4);
  const b5 = view.getUint8(at + 5);
  const b6 = view.getUint8(at + 6);
  const b7 = view.getUint8(at + 7);
  const b8 = view.getUint8(at + 8);
  const b9 = view.getUint8(at + 9);
  const b10 = view.getUint8(at + 10);
  const b11 = view.getUint8(at + 11);
  const b12 = view.getUint8(at + 12);
  const b13 = view.getUint8(at + 13);
  const b14 = view.getUint8(at + 14);
  const b15 = view.getUint8(at + 15);
  // One group of the GUID per line.
  // prettier-ignore
  return String.fromCharCode(
    HIGH[b3]!, LOW[b3]!, HIGH[b2]!, LOW[b2]!, HIGH[b1]!, LOW[b1]!, HIGH[b0]!, LOW[b0]!, DASH,
    HIGH[b5]!, LOW[b5]!, HIGH[b4]!, LOW[b4]!, DASH,
    HIGH[b7]!, LOW[b7]!, HIGH[b6]!, LOW[b6]!, DASH,
    HIGH[b8]!, LOW[b8]!, HIGH[b9]!, LOW[b9]!, DASH,
    HIGH[b10]!, LOW[b10]!, HIGH[b11]!, LOW[b11]!, HIGH[b12]!, LOW[b12]!,
    HIGH[b13]!, LOW[b13]!, HIGH[b14]!, LOW[b14]!, HIGH[b15]!, LOW[b15]!,
  );
}

export function formatGuid(b: Uint8Array): string {
  return guidAt(new DataView(b.buffer, b.byteOffset, 16), 0);
}

/** The SID in `size` bytes at `at` as `S-1-5-21-…`; too short for one, as hex. */
function sidAt(view: DataView, at: number, size: number): string {
  if (size < 8) return hexAt(view, at, size);
  const count = view.getUint8(at + 1);
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + view.getUint8(at + i);
  let sid = `S-${view.getUint8(at)}-${authority}`;
  for (let i = 0; i < count && 8 + i * 4 + 4 <= size; i++) sid += `-${view.getUint32(at + 8 + i * 4, true)}`;
  return sid;
}

export function formatSid(b: Uint8Array): string {
  return sidAt(new DataView(b.buffer, b.byteOffset, b.length), 0, b.length);
}

function sidLength(view: DataView, at: number, end: number): number {
  return at + 1 < end ? 8 + 4 * view.getUint8(at + 1) : end - at;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function safeInt(n: bigint): number | bigint {
  return n <= MAX_SAFE && n >= MIN_SAFE ? Number(n) : n;
}

/** An unsigned 64-bit value: a number when it fits in 2^53 (most do), else a bigint. */
function u64At(view: DataView, at: number): number | bigint {
  const hi = view.getUint32(at + 4, true);
  return hi < 0x200000 ? hi * 0x100000000 + view.getUint32(at, true) : view.getBigUint64(at, true);
}

/** A signed 64-bit value, the same way. */
function i64At(view: DataView, at: number): number | bigint {
  const hi = view.getInt32(at + 4, true);
  return hi < 0x200000 && hi > -0x200000
    ? hi * 0x100000000 + view.getUint32(at, true)
    : safeInt(view.getBigInt64(at, true));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Decodes one value of a fixed scalar type at `at`; `size` is the value's byte size. */
function decodeScalar(type: number, view: DataView, at: number, size: number): EvtxValue {
  switch (type) {
    case ValueType.Int8:
      return { type, v: view.getInt8(at) };
    case ValueType.UInt8:
      return { type, v: view.getUint8(at) };
    case ValueType.Int16:
      return { type, v: view.getInt16(at, true) };
    case ValueType.UInt16:
      return { type, v: view.getUint16(at, true) };
    case ValueType.Int32:
      return { type, v: view.getInt32(at, true) };
    case ValueType.UInt32:
      return { type, v: view.getUint32(at, true) };
    case ValueType.Int64:
      return { type, v: i64At(view, at) };
    case ValueType.UInt64:
      return { type, v: u64At(view, at) };
    case ValueType.Real32:
      return { type, v: view.getFloat32(at, true) };
    case ValueType.Real64:
      return { type, v: view.getFloat64(at, true) };
    case ValueType.Bool: {
      // Irregular booleans: any width, any non-zero byte is true.
      let any = false;
      for (let i = 0; i < size; i++) if (view.getUint8(at + i) !== 0) any = true;
      return { type, v: any };
    }
    case ValueType.Guid:
      return { type, v: guidAt(view, at) };
    case ValueType.SizeT:
      return size === 4
        ? { type, v: view.getUint32(at, true), width: 4 }
        : { type, v: view.getBigUint64(at, true), width: 8 };
    case ValueType.FileTime:
      return { type, v: view.getBigUint64(at, true) };
    case ValueType.SysTime: {
      // Year, month, weekday (not shown), day, hour, minute, second, milliseconds.
      const year = String(view.getUint16(at, true)).padStart(4, '0');
      const ms = String(view.getUint16(at + 14, true)).padStart(3, '0');
      const date = `${year}-${pad2(view.getUint16(at + 2, true))}-${pad2(view.getUint16(at + 6, true))}`;
      const time = `${pad2(view.getUint16(at + 8, true))}:${pad2(view.getUint16(at + 10, true))}:${pad2(view.getUint16(at + 12, true))}`;
      return { type, v: `${date}T${time}.${ms}` };
    }
    case ValueType.HexInt32:
      return { type, v: view.getUint32(at, true) };
    case ValueType.HexInt64:
      return { type, v: view.getBigUint64(at, true) };
    default:
      throw new EvtxFormatError('evtx.value.type', `value type 0x${type.toString(16)} has no fixed size`, at);
  }
}

const FIXED_SIZE: Partial<Record<number, number>> = {
  [ValueType.Int8]: 1,
  [ValueType.UInt8]: 1,
  [ValueType.Int16]: 2,
  [ValueType.UInt16]: 2,
  [ValueType.Int32]: 4,
  [ValueType.UInt32]: 4,
  [ValueType.Int64]: 8,
  [ValueType.UInt64]: 8,
  [ValueType.Real32]: 4,
  [ValueType.Real64]: 8,
  [ValueType.Bool]: 4,
  [ValueType.Guid]: 16,
  [ValueType.FileTime]: 8,
  [ValueType.SysTime]: 16,
  [ValueType.HexInt32]: 4,
  [ValueType.HexInt64]: 8,
};

/**
 * Decodes a substitution value (any type but BinXml, which the deserializer expands itself): the
 * `size` bytes at `at` of `view` (the chunk). `offset` is where errors say it was.
 */
export function decodeValue(type: number, view: DataView, at: number, size: number, offset = at): EvtxValue {
  switch (type) {
    case ValueType.String:
      return { type, v: stripNul(utf16At(view, at, size >>> 1)) };
    case ValueType.Null:
      return NULL_VALUE;
    case ValueType.AnsiString:
      return { type, v: stripNul(LATIN1.decode(bytesAt(view, at, size))) };
    case ValueType.EvtXml:
      return { type, v: stripNul(utf16At(view, at, size >>> 1)) };
    case ValueType.Binary:
    case ValueType.EvtHandle:
      return { type, v: bytesAt(view, at, size) };
    case ValueType.Sid:
      return { type, v: sidAt(view, at, size) };
    case ValueType.SizeT:
      if (size !== 4 && size !== 8) break;
      return decodeScalar(type, view, at, size);
    case ValueType.Bool:
      return decodeScalar(type, view, at, size);
    default: {
      if (type & ARRAY_BIT) return decodeArray(type, view, at, size, offset);
      const need = FIXED_SIZE[type];
      if (need === undefined) break;
      if (size < need) {
        throw new EvtxFormatError(
          'evtx.value.size',
          `value type 0x${type.toString(16)} needs ${need} bytes, has ${size}`,
          offset,
        );
      }
      return decodeScalar(type, view, at, size);
    }
  }
  throw new EvtxFormatError(
    'evtx.value.type',
    `unknown value type 0x${type.toString(16)} (${size} bytes)`,
    offset,
  );
}

function bytesAt(view: DataView, at: number, size: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + at, size);
}

function decodeArray(type: number, view: DataView, at: number, size: number, offset: number): EvtxValue {
  const base = type & ~ARRAY_BIT;
  const items: EvtxValue[] = [];
  if (base === ValueType.String) {
    // NUL-terminated UTF-16 strings, one after another.
    const parts = utf16At(view, at, size >>> 1).split('\0');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const p of parts) items.push({ type: base, v: p });
  } else if (base === ValueType.AnsiString) {
    const parts = LATIN1.decode(bytesAt(view, at, size)).split('\0');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const p of parts) items.push({ type: base, v: p });
  } else if (base === ValueType.Sid) {
    const end = at + size;
    for (let i = at; i < end;) {
      const n = Math.min(sidLength(view, i, end), end - i);
      items.push({ type: base, v: sidAt(view, i, n) });
      i += n;
    }
  } else {
    const width = base === ValueType.SizeT ? (size % 8 === 0 ? 8 : 4) : FIXED_SIZE[base];
    if (width === undefined) {
      throw new EvtxFormatError(
        'evtx.value.array-type',
        `array of value type 0x${base.toString(16)}`,
        offset,
      );
    }
    for (let i = 0; i + width <= size; i += width) items.push(decodeScalar(base, view, at + i, width));
  }
  return { type, v: items };
}

const FILETIME_EPOCH = 116444736000000000n;

const TICKS_PER_SECOND = 10000000;
/** 2^32 = 429 * 10^7 + 4967296; the epoch offset is a whole number of seconds. */
const TWO32_SECONDS = 429;
const TWO32_REST = 4967296;
const EPOCH_SECONDS = 11644473600;

function filetimeParts(ft: bigint): { iso: string; hundredNs: string } {
  let s: number;
  let rest: number;
  const hi = Number(ft >> 32n);
  if (hi < 0x40000000) {
    // Exact in doubles for FILETIMEs before the year 16000: seconds and 100-ns rest from hi and lo.
    const t = hi * TWO32_REST + Number(ft & 0xffffffffn);
    const q = Math.floor(t / TICKS_PER_SECOND);
    rest = t - q * TICKS_PER_SECOND;
    s = hi * TWO32_SECONDS + q - EPOCH_SECONDS;
    // Mend a rounding of the division.
    if (rest < 0) {
      s -= 1;
      rest += TICKS_PER_SECOND;
    } else if (rest >= TICKS_PER_SECOND) {
      s += 1;
      rest -= TICKS_PER_SECOND;
    }
  } else {
    const delta = ft - FILETIME_EPOCH;
    let r = delta % 10000000n;
    let q = delta / 10000000n;
    if (r < 0n) {
      r += 10000000n;
      q -= 1n;
    }
    s = Number(q);
    rest = Number(r);
  }
  return { iso: isoSeconds(s), hundredNs: String(rest).padStart(7, '0') };
}

/** The day last formatted: a log's times mostly fall on the same few days. */
let lastDay = Number.NaN;
let lastDayText = '';
/** 0001-01-01 and 9999-12-31 as days since 1970: within them toISOString is `YYYY-MM-DDTHH:MM:SS…`. */
const FIRST_DAY = -719162;
const LAST_DAY = 2932896;

/** `YYYY-MM-DDTHH:MM:SS` of `s` seconds since 1970, as `new Date(s * 1000).toISOString()` begins. */
function isoSeconds(s: number): string {
  const day = Math.floor(s / 86400);
  if (day < FIRST_DAY || day > LAST_DAY) {
    const date = new Date(s * 1000);
    return Number.isNaN(date.getTime()) ? '1601-01-01T00:00:00' : date.toISOString().slice(0, 19);
  }
  if (day !== lastDay) {
    lastDayText = new Date(day * 86400000).toISOString().slice(0, 10);
    lastDay = day;
  }
  const second = s - day * 86400;
  const hour = Math.floor(second / 3600);
  const minute = Math.floor((second % 3600) / 60);
  return `${lastDayText}T${pad2(hour)}:${pad2(minute)}:${pad2(second % 60)}`;
}

/** Text of a scalar value as libevtx writes it in XML. */
export function valueToXmlText(value: EvtxValue): string {
  const { type, v } = value;
  if (v === null) return '';
  switch (type & ~ARRAY_BIT) {
    case ValueType.Guid:
      return `{${v as string}}`;
    case ValueType.FileTime: {
      const { iso, hundredNs } = filetimeParts(v as bigint);
      return `${iso}.${hundredNs}00Z`;
    }
    case ValueType.SysTime:
      return `${v as string}0000Z`;
    case ValueType.HexInt32:
      return `0x${(v as number).toString(16).padStart(8, '0')}`;
    case ValueType.HexInt64:
      return `0x${(v as bigint).toString(16).padStart(16, '0')}`;
    case ValueType.SizeT:
      return `0x${(v as number | bigint).toString(16).padStart(value.width === 4 ? 8 : 16, '0')}`;
    case ValueType.Binary:
    case ValueType.EvtHandle:
      return hex(v as Uint8Array);
    case ValueType.Bool:
      return v ? 'true' : 'false';
  }
  if (Array.isArray(v)) return v.map(valueToXmlText).join(', ');
  return typeof v === 'object' ? '' : String(v);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The value as evtx_dump writes it in JSON. */
export function valueToJson(value: EvtxValue): JsonValue {
  const { type, v } = value;
  if (v === null) return null;
  if (Array.isArray(v)) return (v as EvtxValue[]).map(valueToJson);
  switch (type) {
    case ValueType.FileTime: {
      const { iso, hundredNs } = filetimeParts(v as bigint);
      return `${iso}.${hundredNs.slice(0, 6)}Z`;
    }
    case ValueType.SysTime:
      return `${v as string}000Z`;
    case ValueType.HexInt32:
    case ValueType.HexInt64:
      return `0x${(v as number | bigint).toString(16)}`;
    case ValueType.SizeT:
      return `0x${(v as number | bigint).toString(16).padStart(value.width === 4 ? 8 : 16, '0')}`;
    case ValueType.Binary:
    case ValueType.EvtHandle:
      return hex(v as Uint8Array);
  }
  if (typeof v === 'bigint') return Number(v);
  return v as string | number | boolean;
}
