/** Indicators of compromise: the types we match and how a value is normalised for lookup. */
import { parseIpv4, parseIpv6 } from '../sigma/cidr.js';

export type IndicatorType = 'ip' | 'cidr' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256' | 'email';

export interface Indicator {
  readonly type: IndicatorType;
  /** Normalised value: lower-cased; URLs without default ports; IPv6 canonical. */
  readonly value: string;
  readonly list: string;
  readonly description?: string;
  readonly level?: 'low' | 'medium' | 'high' | 'critical';
  readonly tags: readonly string[];
}

const HASH_TYPES: Record<number, IndicatorType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** The type a bare value has by its shape, or undefined when it is none of ours. */
export function guessType(value: string): IndicatorType | undefined {
  const v = value.trim();
  if (/^[0-9a-f]+$/i.test(v) && HASH_TYPES[v.length]) return HASH_TYPES[v.length];
  if (
    v.includes('/') &&
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) &&
    (parseIpv4(v.split('/')[0]!) !== undefined || parseIpv6(v.split('/')[0]!) !== undefined)
  )
    return 'cidr';
  if (parseIpv4(v) !== undefined || parseIpv6(v) !== undefined) return 'ip';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'url';
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return 'email';
  if (/^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(v)) return 'domain';
  return undefined;
}

export function normalizeIp(value: string): string | undefined {
  const v4 = parseIpv4(value.startsWith('::ffff:') ? value.slice(7) : value);
  if (v4 !== undefined) return `4:${v4.toString(16)}`;
  const v6 = parseIpv6(value);
  return v6 === undefined ? undefined : `6:${v6.toString(16)}`;
}

export function normalizeUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    url.hash = '';
    return url.href.toLowerCase();
  } catch {
    return undefined;
  }
}

export function normalizeDomain(value: string): string {
  return value.trim().toLowerCase().replace(/\.$/, '');
}
