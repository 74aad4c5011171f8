/**
 * Substitution values: decoding each value type from its bytes, and rendering it the way libevtx
 * writes XML (`{GUID}`, 100-ns times, zero-padded hex) and the way evtx_dump writes JSON (numbers as
 * numbers, bare GUIDs, microsecond times, unpadded hex).
 */
import { decodeUtf16, EvtxFormatError } from '../cursor.js';
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

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out.toUpperCase();
}

function h(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

export function formatGuid(b: Uint8Array): string {
  const view = new DataView(b.buffer, b.byteOffset, 16);
  return (
    `${h(view.getUint32(0, true), 8)}-${h(view.getUint16(4, true), 4)}-${h(view.getUint16(6, true), 4)}-` +
    `${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`
  );
}

export function formatSid(b: Uint8Array): string {
  if (b.length < 8) return hex(b);
  const count = b[1]!;
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + b[i]!;
  let sid = `S-${b[0]}-${authority}`;
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < count && 8 + i * 4 + 4 <= b.length; i++) sid += `-${view.getUint32(8 + i * 4, true)}`;
  return sid;
}

function sidLength(b: Uint8Array, at: number): number {
  return at + 1 < b.length ? 8 + 4 * b[at + 1]! : b.length - at;
}

function safeInt(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n;
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
      return { type, v: safeInt(view.getBigInt64(at, true)) };
    case ValueType.UInt64:
      return { type, v: safeInt(view.getBigUint64(at, true)) };
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
      return { type, v: formatGuid(new Uint8Array(view.buffer, view.byteOffset + at, 16)) };
    case ValueType.SizeT:
      return size === 4
        ? { type, v: view.getUint32(at, true), width: 4 }
        : { type, v: view.getBigUint64(at, true), width: 8 };
    case ValueType.FileTime:
      return { type, v: view.getBigUint64(at, true) };
    case ValueType.SysTime: {
      const p = (i: number) => String(view.getUint16(at + i * 2, true)).padStart(2, '0');
      const year = String(view.getUint16(at, true)).padStart(4, '0');
      const ms = String(view.getUint16(at + 14, true)).padStart(3, '0');
      return { type, v: `${year}-${p(1)}-${p(3)}T${p(4)}:${p(5)}:${p(6)}.${ms}` };
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
 * Decodes a substitution value (any type but BinXml, which the deserializer expands itself).
 * `bytes` is exactly the value's data.
 */
export function decodeValue(type: number, bytes: Uint8Array, offset: number): EvtxValue {
  const size = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const base = type & ~ARRAY_BIT;
  if (type & ARRAY_BIT) {
    const items: EvtxValue[] = [];
    if (base === ValueType.String) {
      // NUL-terminated UTF-16 strings, one after another.
      const text = decodeUtf16(bytes.subarray(0, size - (size % 2)));
      const parts = text.split('\0');
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      for (const p of parts) items.push({ type: base, v: p });
    } else if (base === ValueType.AnsiString) {
      const parts = LATIN1.decode(bytes).split('\0');
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      for (const p of parts) items.push({ type: base, v: p });
    } else if (base === ValueType.Sid) {
      for (let at = 0; at < size;) {
        const n = Math.min(sidLength(bytes, at), size - at);
        items.push({ type: base, v: formatSid(bytes.subarray(at, at + n)) });
        at += n;
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
      for (let at = 0; at + width <= size; at += width) items.push(decodeScalar(base, view, at, width));
    }
    return { type, v: items };
  }
  switch (type) {
    case ValueType.Null:
      return NULL_VALUE;
    case ValueType.String:
      return { type, v: stripNul(decodeUtf16(bytes.subarray(0, size - (size % 2)))) };
    case ValueType.AnsiString:
      return { type, v: stripNul(LATIN1.decode(bytes)) };
    case ValueType.EvtXml:
      return { type, v: stripNul(decodeUtf16(bytes.subarray(0, size - (size % 2)))) };
    case ValueType.Binary:
    case ValueType.EvtHandle:
      return { type, v: bytes };
    case ValueType.Sid:
      return { type, v: formatSid(bytes) };
    case ValueType.SizeT:
      if (size !== 4 && size !== 8) break;
      return decodeScalar(type, view, 0, size);
    case ValueType.Bool:
      return decodeScalar(type, view, 0, size);
    default: {
      const need = FIXED_SIZE[type];
      if (need === undefined) break;
      if (size < need) {
        throw new EvtxFormatError(
          'evtx.value.size',
          `value type 0x${type.toString(16)} needs ${need} bytes, has ${size}`,
          offset,
        );
      }
      return decodeScalar(type, view, 0, size);
    }
  }
  throw new EvtxFormatError(
    'evtx.value.type',
    `unknown value type 0x${type.toString(16)} (${size} bytes)`,
    offset,
  );
}

const FILETIME_EPOCH = 116444736000000000n;

function filetimeParts(ft: bigint): { iso: string; hundredNs: string } {
  const seconds = (ft - FILETIME_EPOCH) / 10000000n;
  let rest = (ft - FILETIME_EPOCH) % 10000000n;
  let s = seconds;
  if (rest < 0n) {
    rest += 10000000n;
    s -= 1n;
  }
  const date = new Date(Number(s) * 1000);
  const iso = Number.isNaN(date.getTime()) ? '1601-01-01T00:00:00' : date.toISOString().slice(0, 19);
  return { iso, hundredNs: rest.toString().padStart(7, '0') };
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
