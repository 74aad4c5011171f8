/**
 * Observables of a case — addresses, domains, URLs, hashes, e-mail addresses, accounts — typed and
 * normalised so that the same thing written two ways is kept once.
 */
import { isIP } from 'node:net';

export const OBSERVABLE_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'email',
  'account',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

const HASH_LENGTH: Partial<Record<ObservableType, number>> = { md5: 32, sha1: 40, sha256: 64 };

/** The canonical form of a value, or why it is not one of its type. */
export function normaliseObservable(
  type: ObservableType,
  raw: string,
): { value: string } | { problem: string } {
  const value = raw.trim();
  if (value === '' || value.length > 2048) return { problem: 'empty or longer than 2,048 characters' };
  switch (type) {
    case 'ipv4':
      return isIP(value) === 4 ? { value } : { problem: `"${value}" is not an IPv4 address` };
    case 'ipv6': {
      if (isIP(value) !== 6) return { problem: `"${value}" is not an IPv6 address` };
      // The URL parser writes IPv6 in its shortest canonical form.
      return { value: new URL(`http://[${value}]/`).hostname.slice(1, -1) };
    }
    case 'domain': {
      const d = value.toLowerCase().replace(/\.$/, '');
      if (!/^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d))
        return { problem: `"${value}" is not a domain name` };
      return { value: d };
    }
    case 'url':
      try {
        const url = new URL(value);
        if (!/^(https?|ftp):$/.test(url.protocol))
          return { problem: `"${value}": not an http, https or ftp URL` };
        return { value: url.href };
      } catch {
        return { problem: `"${value}" is not a URL` };
      }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const hex = value.toLowerCase();
      return new RegExp(`^[0-9a-f]{${HASH_LENGTH[type]}}$`).test(hex)
        ? { value: hex }
        : { problem: `"${value}" is not a ${type} hash` };
    }
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
        ? { value: value.toLowerCase() }
        : { problem: `"${value}" is not an e-mail address` };
    case 'account':
      return { value };
  }
}

export function isObservableType(value: unknown): value is ObservableType {
  return typeof value === 'string' && (OBSERVABLE_TYPES as readonly string[]).includes(value);
}
