/**
 * Observables a detection names: addresses, hashes, queried domains and accounts found in its key
 * fields, each linked back to that detection.
 */
import { isIP } from 'node:net';
import type { Detection } from '../core/detection.js';
import type { FieldValue } from '../core/event.js';
import { normaliseObservable, type ObservableType } from './observables.js';

export interface FoundObservable {
  readonly type: ObservableType;
  readonly value: string;
}

const ACCOUNT_FIELDS = new Set(['User', 'TargetUserName', 'SubjectUserName', 'cs-username']);
const DOMAIN_FIELDS = new Set(['QueryName', 'query', 'DestinationHostname', 'cs-host']);
const HASH_FIELDS: Readonly<Record<string, ObservableType>> = {
  MD5: 'md5',
  SHA1: 'sha1',
  SHA256: 'sha256',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
};
/** Accounts that say nothing about who did it. */
const NOBODY = /^(?:-|n\/a|(?:nt authority\\)?(?:system|local service|network service|anonymous logon))$/i;

function texts(value: FieldValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return (value as readonly FieldValue[]).flatMap(texts);
  return [String(value)];
}

export function observablesOf(d: Pick<Detection, 'fields'>): FoundObservable[] {
  const out = new Map<string, FoundObservable>();
  const add = (type: ObservableType, raw: string): void => {
    const norm = normaliseObservable(type, raw);
    if ('value' in norm) out.set(`${type}\u0000${norm.value}`, { type, value: norm.value });
  };
  for (const [name, value] of Object.entries(d.fields)) {
    for (const text of texts(value)) {
      const ip = isIP(text.trim());
      if (ip === 4) add('ipv4', text);
      else if (ip === 6) add('ipv6', text);
      else if (ACCOUNT_FIELDS.has(name) && !NOBODY.test(text.trim())) add('account', text);
      else if (DOMAIN_FIELDS.has(name)) add('domain', text);
      else if (HASH_FIELDS[name]) add(HASH_FIELDS[name], text);
      else if (name === 'Hashes')
        // Sysmon: `SHA1=…,MD5=…,SHA256=…,IMPHASH=…`
        for (const m of text.matchAll(/\b(MD5|SHA1|SHA256)=([0-9A-Fa-f]+)/g))
          add(m[1]!.toLowerCase() as ObservableType, m[2]!);
    }
  }
  return [...out.values()];
}
