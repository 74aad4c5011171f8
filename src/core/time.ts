/** Time conversions shared by readers: everything becomes milliseconds since the epoch, UTC. */

/** 100-ns intervals between 1601-01-01 and 1970-01-01. */
const FILETIME_EPOCH_OFFSET = 116444736000000000n;

/** Windows FILETIME (100 ns since 1601) as ms since 1970, losing sub-ms precision. */
export function filetimeToMs(filetime: bigint): number {
  return Number((filetime - FILETIME_EPOCH_OFFSET) / 10000n);
}

/**
 * Parses the timestamps logs carry: ISO 8601 (with or without zone; no zone means UTC, as in
 * evtx_dump, Sysmon UtcTime and W3C logs), `YYYY-MM-DD HH:MM:SS(.fff)`, and epoch seconds or ms.
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.NaN;
    // Seconds (Zeek `ts`, Unix) vs milliseconds: 1e11 s is the year 5138.
    return value < 1e11 ? Math.round(value * 1000) : value;
  }
  if (typeof value !== 'string' || value.length < 8) return Number.NaN;
  const m = ISO_LIKE.exec(value);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    let ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, frac ? Math.floor(+`0.${frac}` * 1000) : 0);
    if (zone && zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const zh = +zone.slice(1, 3);
      const zm = +zone.slice(zone.length - 2);
      ms -= sign * (zh * 60 + zm) * 60000;
    }
    return ms;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value));
  return Number.NaN;
}

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

export function formatIsoMs(ms: number): string {
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

const digit = (text: string, at: number): number => text.charCodeAt(at) - 48;

/** The number written by the two digits at `at`, or -1 when either is no digit. */
export const twoDigitNumber = (text: string, at: number): number => {
  const a = digit(text, at);
  const b = digit(text, at + 1);
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

let lastDay = '';
let lastDayMs = 0;

/**
 * `Date.parse` of a time, fast for the form harmonised feed events carry
 * (`YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`): the day is parsed once while it repeats, the rest read
 * digit by digit. Any other text goes to `Date.parse` (NaN when it is no time).
 */
export function parseUtcIso(text: string): number {
  const n = text.length;
  if ((n !== 25 && n !== 32) || text.charCodeAt(10) !== 84 || !text.endsWith('+00:00') || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return Date.parse(text);
  if (lastDay === '' || !text.startsWith(lastDay)) {
    const day = Date.parse(text.slice(0, 10));
    if (Number.isNaN(day) || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Date.parse(text);
    lastDay = text.slice(0, 10);
    lastDayMs = day;
  }
  const h = twoDigitNumber(text, 11);
  const m = twoDigitNumber(text, 14);
  const s = twoDigitNumber(text, 17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return Date.parse(text);
  let ms = 0;
  if (n === 32) {
    if (text.charCodeAt(19) !== 46) return Date.parse(text);
    const a = twoDigitNumber(text, 20);
    const b = digit(text, 22);
    if (a < 0 || b < 0 || b > 9) return Date.parse(text);
    ms = a * 10 + b;
  }
  return lastDayMs + ((h * 60 + m) * 60 + s) * 1000 + ms;
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `n.toString(36)`, ~10× faster for the non-negative integers ids are made of. */
export function base36(n: number): string {
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) return n.toString(36);
  let s = '';
  do {
    const q = Math.floor(n / 36);
    s = BASE36[n - q * 36]! + s;
    n = q;
  } while (n > 0);
  return s;
}
