/**
 * Who owns an IP address, domain or URL, and which outside parties answer for it, each with why.
 * Built once over the organisations and parties; every lookup is a few map probes.
 *
 * - An address: the longest listed network holding it wins (organisations, and separately parties);
 *   an organisation listing the address's ASN owns it only when no organisation's network does.
 *   Parties listing that ASN (from the offline database unless given) and CERTs of its country follow.
 * - A domain: a listed domain covers its subdomains; the longest listed suffix wins, for
 *   organisations and per kind of party (a host's `pages.example` and the registry of `example`).
 *
 *   index.lookup('hxxps://198.51.100.7/x').owners[0].reasons → ["198.51.100.7 is in ACME's 198.51.100.0/24"]
 */
import { formatPrefix, ipv4Number, parsePrefix, type IpAddress } from '../../core/ip.js';
import { geoDatabase } from '../geo.js';
import type { Organisation, OutsidePartyKind, Party } from './model.js';
import { PrefixTable } from './prefix-table.js';
import { domainSuffixes, parseTarget } from './target.js';

/** Where a lookup gets an address's country and ASN: the offline database (geo.ts) or a stand-in. */
export interface IpFacts {
  lookup(ip: string): {
    readonly country: string | null;
    readonly asn: number | null;
    readonly asName: string | null;
  };
}

export type MatchedBy = 'network' | 'asn' | 'domain' | 'country' | 'platform';

export interface OwnerMatch {
  readonly organisation: Organisation;
  readonly by: MatchedBy;
  readonly reasons: readonly string[];
}

export interface PartyMatch {
  readonly party: Party;
  readonly by: MatchedBy;
  readonly reasons: readonly string[];
}

export interface LookupResult {
  readonly kind: 'ip' | 'domain';
  readonly input: string;
  /** The address or domain looked up, normalised. */
  readonly subject: string;
  readonly ip: string | null;
  readonly domain: string | null;
  readonly country: string | null;
  readonly asn: number | null;
  readonly asName: string | null;
  readonly owners: readonly OwnerMatch[];
  readonly parties: readonly PartyMatch[];
}

export interface InvalidLookup {
  readonly kind: 'invalid';
  readonly input: string;
  readonly reason: string;
}

/** What is already known of an address (an incident's infrastructure): used instead of the database. */
export interface KnownFacts {
  readonly country?: string | null;
  readonly asn?: number | null;
  readonly asName?: string | null;
}

const possessive = (name: string): string => (name.endsWith('s') ? `${name}'` : `${name}'s`);

class Matches<T extends { readonly id: string }> {
  readonly #byId = new Map<string, { record: T; by: MatchedBy; reasons: string[] }>();

  add(record: T, by: MatchedBy, reason: string): void {
    const found = this.#byId.get(record.id);
    if (!found) this.#byId.set(record.id, { record, by, reasons: [reason] });
    else if (!found.reasons.includes(reason)) found.reasons.push(reason);
  }

  get size(): number {
    return this.#byId.size;
  }

  list(): { record: T; by: MatchedBy; reasons: string[] }[] {
    return [...this.#byId.values()];
  }
}

function indexDomains<T>(records: readonly T[], domains: (r: T) => readonly string[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of records)
    for (const d of domains(r)) {
      const list = map.get(d);
      if (list) list.push(r);
      else map.set(d, [r]);
    }
  return map;
}

function indexAsns<T>(records: readonly T[], asns: (r: T) => readonly number[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const r of records)
    for (const a of asns(r)) {
      const list = map.get(a);
      if (list) list.push(r);
      else map.set(a, [r]);
    }
  return map;
}

function indexNetworks<T>(records: readonly T[], networks: (r: T) => readonly string[]): PrefixTable<T> {
  const table = new PrefixTable<T>();
  for (const r of records)
    for (const n of networks(r)) {
      const prefix = parsePrefix(n);
      if (prefix) table.add(prefix, r);
    }
  return table;
}

export class ConstituencyIndex {
  readonly organisations: readonly Organisation[];
  readonly parties: readonly Party[];
  readonly #facts: () => IpFacts;
  readonly #orgNetworks: PrefixTable<Organisation>;
  readonly #orgAsns: Map<number, Organisation[]>;
  readonly #orgDomains: Map<string, Organisation[]>;
  readonly #partyNetworks: PrefixTable<Party>;
  readonly #partyAsns: Map<number, Party[]>;
  readonly #partyDomains: Map<string, Party[]>;
  readonly #certs: Map<string, Party[]>;

  /** `facts` defaults to the offline database, opened on the first address looked up. */
  constructor(organisations: readonly Organisation[], parties: readonly Party[], facts?: IpFacts) {
    this.organisations = organisations;
    this.parties = parties;
    this.#facts = facts ? () => facts : geoDatabase;
    this.#orgNetworks = indexNetworks(organisations, (o) => o.networks);
    this.#orgAsns = indexAsns(organisations, (o) => o.asns);
    this.#orgDomains = indexDomains(organisations, (o) => o.domains);
    this.#partyNetworks = indexNetworks(parties, (p) => p.networks);
    this.#partyAsns = indexAsns(parties, (p) => p.asns);
    this.#partyDomains = indexDomains(parties, (p) => p.domains);
    this.#certs = new Map();
    for (const p of parties)
      if (p.kind === 'cert')
        for (const c of p.countries) {
          const list = this.#certs.get(c);
          if (list) list.push(p);
          else this.#certs.set(c, [p]);
        }
  }

  /**
   * The block of IPv4 addresses around `ip` that each listed network holds whole or not at all: its
   * top bits, as many as the longest IPv4 network listed. Every address of a block has the same
   * owners and parties by network, so a caller may look up one address per block (and the same
   * facts). -1 when `ip` is not a dotted IPv4 address.
   */
  ipv4Block(ip: string): number {
    const n = ipv4Number(ip);
    if (n < 0) return -1;
    const bits = Math.max(this.#orgNetworks.longestV4, this.#partyNetworks.longestV4);
    return bits === 0 ? 0 : n >>> (32 - bits);
  }

  /** An IP address, domain, URL or e-mail address (defanged or not) → owners and parties, with why. */
  lookup(target: string, known: KnownFacts = {}): LookupResult | InvalidLookup {
    const t = parseTarget(target);
    if (t.kind === 'invalid') return t;
    if (t.kind === 'ip') return this.lookupAddress(t.input, t.ip, t.address, known);
    return this.lookupDomain(t.input, t.domain);
  }

  lookupAddress(input: string, ip: string, address: IpAddress, known: KnownFacts = {}): LookupResult {
    const needsDb = known.country === undefined || known.asn === undefined;
    const db = needsDb ? this.#facts().lookup(ip) : undefined;
    const country = known.country !== undefined ? known.country : (db?.country ?? null);
    const asn = known.asn !== undefined ? known.asn : (db?.asn ?? null);
    const asName = known.asName !== undefined ? known.asName : (db?.asName ?? null);
    const asText = asn === null ? '' : `AS${asn}${asName ? ` (${asName})` : ''}`;

    const owners = new Matches<Organisation>();
    const own = this.#orgNetworks.match(address);
    if (own)
      for (const o of own.values)
        owners.add(o, 'network', `${ip} is in ${possessive(o.name)} ${formatPrefix(own.prefix)}`);
    if (owners.size === 0 && asn !== null)
      for (const o of this.#orgAsns.get(asn) ?? [])
        owners.add(o, 'asn', `${ip} is announced by ${asText}, which is ${possessive(o.name)}`);

    const parties = new Matches<Party>();
    const net = this.#partyNetworks.match(address);
    if (net)
      for (const p of net.values)
        parties.add(p, 'network', `${ip} is in ${possessive(p.name)} ${formatPrefix(net.prefix)}`);
    if (asn !== null)
      for (const p of this.#partyAsns.get(asn) ?? [])
        parties.add(p, 'asn', `${ip} is announced by ${asText}, which is ${possessive(p.name)}`);
    if (country !== null)
      for (const p of this.#certs.get(country) ?? [])
        parties.add(p, 'country', `${ip} is in country ${country} → ${p.name}`);

    return {
      kind: 'ip',
      input,
      subject: ip,
      ip,
      domain: null,
      country,
      asn,
      asName,
      owners: owners.list().map(({ record, by, reasons }) => ({ organisation: record, by, reasons })),
      parties: parties.list().map(({ record, by, reasons }) => ({ party: record, by, reasons })),
    };
  }

  lookupDomain(input: string, domain: string): LookupResult {
    const owners = new Matches<Organisation>();
    const parties = new Matches<Party>();
    const kindsFound = new Set<OutsidePartyKind>();
    for (const suffix of domainSuffixes(domain)) {
      const under = suffix === domain ? `${domain} is` : `${domain} is under`;
      if (owners.size === 0)
        for (const o of this.#orgDomains.get(suffix) ?? [])
          owners.add(o, 'domain', `${under} ${possessive(o.name)} domain ${suffix}`);
      // The longest suffix per kind: a longer one of a kind already found hides shorter ones of it.
      const here = (this.#partyDomains.get(suffix) ?? []).filter((p) => !kindsFound.has(p.kind));
      for (const p of here) parties.add(p, 'domain', `${under} ${possessive(p.name)} domain ${suffix}`);
      for (const p of here) kindsFound.add(p.kind);
    }
    return {
      kind: 'domain',
      input,
      subject: domain,
      ip: null,
      domain,
      country: null,
      asn: null,
      asName: null,
      owners: owners.list().map(({ record, by, reasons }) => ({ organisation: record, by, reasons })),
      parties: parties.list().map(({ record, by, reasons }) => ({ party: record, by, reasons })),
    };
  }

  /** App stores that remove apps of a platform or store id (`android`, `google-play`, a party's id). */
  appStores(platform: string): Party[] {
    const p = platform.trim().toLowerCase();
    return this.parties.filter(
      (s) => s.kind === 'app-store' && (s.platforms.includes(p) || s.id.toLowerCase() === p),
    );
  }

  /** CERTs responsible for a country. */
  certsFor(country: string): readonly Party[] {
    return this.#certs.get(country.toUpperCase()) ?? [];
  }

  organisation(id: string): Organisation | undefined {
    return this.organisations.find((o) => o.id === id);
  }
}
