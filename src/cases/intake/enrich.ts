/**
 * Enrichment of a harmonised event for intake: ASN and country from the offline database where the
 * feed gave none, and who it concerns: the constituent that owns the address, network or domain,
 * or, for a foreign network, the CERT of that country (cross-border). Lookups are cached per
 * subject, so a report naming one address a thousand times looks it up once.
 */
import { parseIp } from '../../core/ip.js';
import type { HarmonisedFields } from '../../ingest/feeds/index.js';
import type { ConstituencyIndex, IpFacts } from '../../enrich/constituency/index.js';

export interface Concern {
  /** Our constituent organisation, or null when the subject is not ours. */
  readonly organisationId: string | null;
  readonly organisationName: string | null;
  readonly country: string | null;
  readonly asn: number | null;
  readonly asName: string | null;
  /** For a foreign subject: the CERT responsible for its country, if the constituency knows one. */
  readonly certId: string | null;
  readonly certName: string | null;
  readonly crossBorder: boolean;
}

const NOBODY: Concern = {
  organisationId: null,
  organisationName: null,
  country: null,
  asn: null,
  asName: null,
  certId: null,
  certName: null,
  crossBorder: false,
};

const MAX_CACHE = 65_536;

/** The address, network or domain an event is about. */
export function subjectOf(fields: HarmonisedFields): { ip: string } | { domain: string } | null {
  const ip = fields['source.ip'];
  if (typeof ip === 'string') return { ip };
  const network = fields['source.network'];
  if (typeof network === 'string') return { ip: network.slice(0, network.indexOf('/')) };
  const fqdn = fields['source.fqdn'];
  if (typeof fqdn === 'string') return { domain: fqdn };
  const url = fields['source.url'];
  if (typeof url === 'string') {
    try {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      return parseIp(host) ? { ip: host } : host ? { domain: host } : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** What an IPv4 block's addresses concern, given the facts the feed gave with them. */
interface BlockConcern {
  readonly country: string;
  readonly asn: number;
  readonly asName: HarmonisedFields[string] | undefined;
  readonly concern: Concern;
}

export class IntakeEnricher {
  readonly #cache = new Map<string, Concern>();
  /**
   * Per IPv4 block (ConstituencyIndex.ipv4Block), for addresses whose country and ASN the feed
   * gave: every address of a block with the same facts concerns the same, so a report of a million
   * addresses is looked up once per block, not per address.
   */
  readonly #blocks = new Map<number, BlockConcern>();

  constructor(
    readonly constituency: ConstituencyIndex,
    readonly geo: IpFacts,
    readonly homeCountry: string,
  ) {}

  /** Fills `source.asn`, `source.as_name`, `source.geolocation.cc` when missing; says who it concerns. */
  enrich(fields: HarmonisedFields): Concern {
    const ip = fields['source.ip'];
    const cc = fields['source.geolocation.cc'];
    const asn = fields['source.asn'];
    if (typeof ip === 'string' && typeof cc === 'string' && typeof asn === 'number') {
      const block = this.constituency.ipv4Block(ip);
      if (block >= 0) return this.#inBlock(fields, block, cc, asn);
    }
    const subject = subjectOf(fields);
    if (!subject) return NOBODY;
    const key = 'ip' in subject ? subject.ip : `d:${subject.domain}`;
    let concern = this.#cache.get(key);
    if (!concern) {
      const cc = fields['source.geolocation.cc'];
      const asn = fields['source.asn'];
      const asName = fields['source.as_name'];
      concern = this.#lookup(
        subject,
        typeof cc === 'string' && typeof asn === 'number'
          ? { country: cc, asn, ...(typeof asName === 'string' ? { asName } : {}) }
          : {},
      );
      if (this.#cache.size >= MAX_CACHE) this.#cache.clear();
      this.#cache.set(key, concern);
    }
    if ('ip' in subject && typeof fields['source.ip'] === 'string') {
      if (concern.asn !== null && fields['source.asn'] === undefined) fields['source.asn'] = concern.asn;
      if (concern.asName !== null && fields['source.as_name'] === undefined) fields['source.as_name'] = concern.asName;
      if (concern.country !== null && fields['source.geolocation.cc'] === undefined)
        fields['source.geolocation.cc'] = concern.country;
    }
    return concern;
  }

  /** `enrich` of an IPv4 address with the feed's country and ASN (it fills in only `source.as_name`). */
  #inBlock(fields: HarmonisedFields, block: number, country: string, asn: number): Concern {
    const asName = fields['source.as_name'];
    const known = this.#blocks.get(block);
    let concern: Concern;
    if (known !== undefined && known.country === country && known.asn === asn && known.asName === asName) concern = known.concern;
    else {
      concern = this.#lookup(
        { ip: fields['source.ip'] as string },
        { country, asn, ...(typeof asName === 'string' ? { asName } : {}) },
      );
      if (this.#blocks.size >= MAX_CACHE) this.#blocks.clear();
      this.#blocks.set(block, { country, asn, asName, concern });
    }
    if (concern.asName !== null && fields['source.as_name'] === undefined) fields['source.as_name'] = concern.asName;
    return concern;
  }

  #lookup(subject: { ip: string } | { domain: string }, known: { country?: string; asn?: number; asName?: string }): Concern {
    let result;
    if ('ip' in subject) {
      const address = parseIp(subject.ip);
      if (!address) return NOBODY;
      // What the feed already says of the address is used, not looked up again.
      result = this.constituency.lookupAddress(subject.ip, subject.ip, address, known);
    } else result = this.constituency.lookupDomain(subject.domain, subject.domain);
    const owner = result.owners[0]?.organisation ?? null;
    const country = owner?.country ?? result.country;
    const foreign = owner === null && country !== null && country !== this.homeCountry;
    const cert = foreign ? (this.constituency.certsFor(country)[0] ?? null) : null;
    return {
      organisationId: owner?.id ?? null,
      organisationName: owner?.name ?? null,
      country,
      asn: result.asn,
      asName: result.asName,
      certId: cert?.id ?? null,
      certName: cert?.name ?? null,
      crossBorder: foreign,
    };
  }
}
