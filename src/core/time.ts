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
