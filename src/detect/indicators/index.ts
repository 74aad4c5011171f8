/**
 * Indicator matching: hash maps for exact values, per-prefix-length maps for CIDR ranges (a lookup
 * masks the address once per distinct prefix length), parent-domain walks for domains. Which fields
 * of an event hold IPs, hosts, URLs, hashes or addresses is a table per reader kind.
 */
import type { Detection } from '../../core/detection.js';
import type { Event, FieldValue, SourceKind } from '../../core/event.js';
import type { Issue } from '../../core/issue.js';
import { parseCidr, parseIpv4, parseIpv6 } from '../sigma/cidr.js';
import { readIndicatorFiles } from './load.js';
import {
  guessType,
  normalizeDomain,
  normalizeIp,
  normalizeUrl,
  type Indicator,
  type IndicatorType,
} from './model.js';

export { parseIndicatorList } from './load.js';
export type { Indicator, IndicatorType } from './model.js';

type Role = 'ip' | 'host' | 'url' | 'hash' | 'hashes' | 'email';

const WINDOWS_FIELDS: Record<string, Role> = {
  DestinationIp: 'ip',
  SourceIp: 'ip',
  IpAddress: 'ip',
  ClientAddress: 'ip',
  QueryName: 'host',
  DestinationHostname: 'host',
  Hashes: 'hashes',
  Hash: 'hashes',
  md5: 'hash',
  sha1: 'hash',
  sha256: 'hash',
};

/** Field roles per reader kind; kinds not listed are checked by the shape of every string value. */
const FIELDS: Partial<Record<SourceKind, Record<string, Role>>> = {
  evtx: WINDOWS_FIELDS,
  'evtx-json': WINDOWS_FIELDS,
  winjson: WINDOWS_FIELDS,
  ecs: WINDOWS_FIELDS,
  w3c: { 'c-ip': 'ip', 's-ip': 'ip', 'cs-host': 'host', 'cs(Referer)': 'url', OriginalIP: 'ip' },
  zeek: {
    'id.orig_h': 'ip',
    'id.resp_h': 'ip',
    query: 'host',
    host: 'host',
    server_name: 'host',
    md5: 'hash',
    sha1: 'hash',
    sha256: 'hash',
    mailfrom: 'email',
    rcptto: 'email',
    answers: 'ip',
  },
  suricata: {
    src_ip: 'ip',
    dest_ip: 'ip',
    'dns.rrname': 'host',
    'http.hostname': 'host',
    'tls.sni': 'host',
    'fileinfo.md5': 'hash',
    'fileinfo.sha1': 'hash',
    'fileinfo.sha256': 'hash',
  },
};

function values(value: FieldValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return (value as FieldValue[]).flatMap(values);
  return [String(value)];
}

function hostOf(text: string): string {
  const t = text.trim().toLowerCase();
  const noPort = t.startsWith('[') ? t : t.replace(/:\d+$/, '');
  return noPort.replace(/\.$/, '');
}

const HASH_LIST = /^(?:[A-Za-z0-9]{2,10}=[0-9A-Fa-f]{32,64},?)+$/;

export class IndicatorSet {
  readonly #ips = new Map<string, Indicator>();
  /** prefix length (longest first) → network key → indicator, separately for v4 and v6. */
  readonly #cidrs = {
    v4: new Map<number, Map<bigint, Indicator>>(),
    v6: new Map<number, Map<bigint, Indicator>>(),
  };
  readonly #domains = new Map<string, Indicator>();
  readonly #urls = new Map<string, Indicator>();
  readonly #hashes = new Map<string, Indicator>();
  readonly #emails = new Map<string, Indicator>();
  size = 0;

  add(indicator: Indicator): boolean {
    const v = indicator.value.trim();
    switch (indicator.type) {
      case 'ip': {
        const key = normalizeIp(v);
        if (!key) return false;
        this.#ips.set(key, indicator);
        break;
      }
      case 'cidr': {
        const cidr = parseCidr(v);
        if (!cidr) return false;
        const bits = cidr.v6 ? 128 : 32;
        const prefix =
          bits - (cidr.mask === 0n ? bits : cidr.mask.toString(2).split('').reverse().indexOf('1'));
        const table = cidr.v6 ? this.#cidrs.v6 : this.#cidrs.v4;
        let map = table.get(prefix);
        if (!map) {
          table.set(prefix, (map = new Map<bigint, Indicator>()));
          // Longest prefix first: an address in several listed ranges reports the most specific one.
          const byLength = [...table].sort((a, b) => b[0] - a[0]);
          table.clear();
          for (const [length, networks] of byLength) table.set(length, networks);
        }
        map.set(cidr.network, indicator);
        break;
      }
      case 'domain':
        this.#domains.set(normalizeDomain(v), indicator);
        break;
      case 'url': {
        const key = normalizeUrl(v);
        if (!key) return false;
        this.#urls.set(key, indicator);
        break;
      }
      case 'md5':
      case 'sha1':
      case 'sha256':
        this.#hashes.set(v.toLowerCase(), indicator);
        break;
      case 'email':
        this.#emails.set(v.toLowerCase(), indicator);
        break;
    }
    this.size++;
    return true;
  }

  matchIp(text: string): Indicator | undefined {
    const exact = normalizeIp(text.trim());
    if (exact === undefined) return undefined;
    const hit = this.#ips.get(exact);
    if (hit) return hit;
    const v4 = parseIpv4(text.trim().replace(/^::ffff:/, ''));
    const n = v4 ?? parseIpv6(text.trim());
    if (n === undefined) return undefined;
    const table = v4 !== undefined ? this.#cidrs.v4 : this.#cidrs.v6;
    const bits = v4 !== undefined ? 32 : 128;
    for (const [prefix, map] of table) {
      const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
      const found = map.get(n & mask);
      if (found) return found;
    }
    return undefined;
  }

  matchHost(text: string): Indicator | undefined {
    let host = hostOf(text);
    if (host === '') return undefined;
    if (parseIpv4(host) !== undefined || host.startsWith('['))
      return this.matchIp(host.replace(/^\[|\]$/g, ''));
    // A listed domain matches its subdomains: walk up the labels.
    for (let i = 0; i < 16; i++) {
      const hit = this.#domains.get(host);
      if (hit) return hit;
      const dot = host.indexOf('.');
      if (dot < 0) return undefined;
      host = host.slice(dot + 1);
    }
    return undefined;
  }

  matchUrl(text: string): Indicator | undefined {
    const key = normalizeUrl(text);
    if (key) {
      const hit = this.#urls.get(key);
      if (hit) return hit;
      try {
        return this.matchHost(new URL(text).hostname);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  matchHash(text: string): Indicator | undefined {
    return this.#hashes.get(text.trim().toLowerCase());
  }

  matchEmail(text: string): Indicator | undefined {
    const address = /<([^>]+)>/.exec(text)?.[1] ?? text;
    return this.#emails.get(address.trim().toLowerCase());
  }

  #byRole(role: Role, text: string): Indicator | undefined {
    switch (role) {
      case 'ip':
        return this.matchIp(text);
      case 'host':
        return this.matchHost(text);
      case 'url':
        return this.matchUrl(text);
      case 'hash':
        return this.matchHash(text);
      case 'email':
        return this.matchEmail(text);
      case 'hashes':
        // Sysmon: `SHA1=…,MD5=…,SHA256=…,IMPHASH=…`
        for (const part of text.split(',')) {
          const hit = this.matchHash(part.slice(part.indexOf('=') + 1));
          if (hit) return hit;
        }
        return undefined;
    }
  }

  #byShape(text: string): Indicator | undefined {
    // Sysmon's `Hashes` shape (SHA256=…,MD5=…) in any log that carries it.
    if (HASH_LIST.test(text)) return this.#byRole('hashes', text);
    const type: IndicatorType | undefined = text.length <= 2048 ? guessType(text) : undefined;
    switch (type) {
      case 'ip':
        return this.matchIp(text);
      case 'domain':
        return this.matchHost(text);
      case 'url':
        return this.matchUrl(text);
      case 'md5':
      case 'sha1':
      case 'sha256':
        return this.matchHash(text);
      case 'email':
        return this.matchEmail(text);
      default:
        return undefined;
    }
  }

  /** Detections for every indicator found in the event's relevant fields. */
  match(event: Event): Detection[] {
    if (this.size === 0) return [];
    const out: Detection[] = [];
    const seen = new Set<Indicator>();
    const report = (indicator: Indicator, field: string, value: string): void => {
      if (seen.has(indicator)) return;
      seen.add(indicator);
      out.push({
        kind: 'indicator',
        ruleId: `ioc:${indicator.type}:${indicator.value}`,
        ruleTitle: `Indicator ${indicator.value} (${indicator.type}) from ${indicator.list}${indicator.description ? `: ${indicator.description}` : ''}`,
        level: indicator.level ?? 'high',
        tags: indicator.tags,
        timestamp: event.timestamp,
        host: typeof event.fields.Computer === 'string' ? event.fields.Computer : null,
        fields: { [field]: value },
        source: event.source,
      });
    };
    const table = FIELDS[event.source.kind];
    if (table) {
      for (const [field, role] of Object.entries(table)) {
        for (const text of values(Object.hasOwn(event.fields, field) ? event.fields[field] : undefined)) {
          const hit = this.#byRole(role, text);
          if (hit) report(hit, field, text);
        }
      }
    } else {
      for (const [field, value] of Object.entries(event.fields)) {
        for (const text of values(value)) {
          const hit = this.#byShape(text);
          if (hit) report(hit, field, text);
        }
      }
    }
    return out;
  }
}

export async function loadIndicators(
  paths: readonly string[],
): Promise<{ set: IndicatorSet; problems: Issue[] }> {
  const { indicators, problems } = await readIndicatorFiles(paths);
  const set = new IndicatorSet();
  for (const i of indicators) set.add(i);
  return { set, problems };
}
