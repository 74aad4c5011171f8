/**
 * Who the CERT serves and who else must act: the constituency's organisations (what networks, ASNs
 * and domains they own, whom to write to) and outside parties (hosting and cloud providers, domain
 * registrars, app stores, foreign CERTs) with their abuse contacts. docs/constituency.md has the formats.
 */

/** What kind of party must act on a case; `constituent` is one of our own organisations. */
export const PARTY_KINDS = ['hosting', 'cloud', 'registrar', 'app-store', 'cert', 'constituent'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/** Kinds an outside party may have: constituents are kept as organisations, not as parties. */
export const OUTSIDE_PARTY_KINDS = ['hosting', 'cloud', 'registrar', 'app-store', 'cert'] as const;
export type OutsidePartyKind = (typeof OUTSIDE_PARTY_KINDS)[number];

/** How a party wants reports: plain e-mail, or X-ARF (machine-readable abuse reports). */
export const REPORT_FORMATS = ['email', 'x-arf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface Contact {
  readonly email: string;
  readonly name?: string;
  /** BCP 47 language tag the contact reads, e.g. `en`, `de-AT`. */
  readonly language?: string;
  /** An OpenPGP fingerprint (40 hex digits) or an ASCII-armoured public key block. */
  readonly pgpKey?: string;
}

/** One organisation of the constituency. Lists are normalised: canonical prefixes, ASCII domains. */
export interface Organisation {
  /** Stable id, also what a constituent user's `organisation` names. */
  readonly id: string;
  readonly name: string;
  readonly sectors: readonly string[];
  /** ISO 3166-1 alpha-2, or null when not recorded (then taken to be the home country). */
  readonly country: string | null;
  readonly networks: readonly string[];
  readonly asns: readonly number[];
  readonly domains: readonly string[];
  readonly contacts: readonly Contact[];
}

/** Someone outside the constituency who must act: matched by ASN, network, domain, country or platform. */
export interface Party {
  readonly id: string;
  readonly name: string;
  readonly kind: OutsidePartyKind;
  /** For a CERT, the countries it is responsible for; for others, where they are based. */
  readonly countries: readonly string[];
  readonly asns: readonly number[];
  readonly networks: readonly string[];
  /** Domain suffixes: for a registrar the TLDs or domains it administers; for a host its own domains. */
  readonly domains: readonly string[];
  /** For an app store, the platforms or store ids whose apps it removes (`android`, `google-play`). */
  readonly platforms: readonly string[];
  readonly contacts: readonly Contact[];
  readonly preferredFormat: ReportFormat;
}

/** The JSON document for import and export (docs/constituency.md). */
export interface ConstituencyDocument {
  readonly format: 'vigil-constituency';
  readonly version: 1;
  readonly organisations: readonly Organisation[];
  readonly parties: readonly Party[];
}

export const DOCUMENT_FORMAT = 'vigil-constituency';
