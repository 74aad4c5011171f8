/**
 * The one shape both intakes produce: an advisory (a CVE record or a CSAF document) as product rules that the
 * matcher can test against a constituent's inventory, with the scores and exploitation known for each.
 */
import type { Cpe } from './matching/cpe.js';
import type { CvssScores } from './cvss.js';

export type ProductStatus = 'affected' | 'unaffected' | 'unknown';

/** One CVE `versions[]` entry. */
export interface CveVersionRange {
  readonly version: string;
  readonly status: ProductStatus;
  readonly versionType?: string;
  readonly lessThan?: string;
  readonly lessThanOrEqual?: string;
  readonly changes: readonly { readonly at: string; readonly status: ProductStatus }[];
}

/** One cpeMatch of a CPE applicability statement (CVE 5.1 cpeApplicability, NVD configurations). */
export interface CpeMatchCheck {
  readonly criteria: Cpe;
  readonly criteriaText: string;
  readonly vulnerable: boolean;
  readonly versionStartIncluding?: string;
  readonly versionStartExcluding?: string;
  readonly versionEndIncluding?: string;
  readonly versionEndExcluding?: string;
}

export interface CpeNode {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly cpeMatch: readonly CpeMatchCheck[];
}

export type VersionCheck =
  | { readonly kind: 'cve'; readonly ranges: readonly CveVersionRange[]; readonly defaultStatus: ProductStatus }
  | { readonly kind: 'cpe'; readonly match: CpeMatchCheck }
  /** CSAF: the product as the tree defines it — one version, a vers range, or (no version) every version. */
  | { readonly kind: 'csaf'; readonly version?: string; readonly range?: string };

export interface ExploitationInfo {
  readonly known: boolean;
  /** Where it is said: `CISA KEV 2021-11-03`, `SSVC Exploitation: active`, a CSAF exploit_status threat. */
  readonly evidence: readonly string[];
}

export interface ScoreSet {
  readonly cvss31?: CvssScores & { readonly source: string };
  readonly cvss40?: CvssScores & { readonly source: string };
  /** 2.0 and 3.0, kept for display when nothing newer is there. */
  readonly other: readonly (CvssScores & { readonly source: string })[];
}

export interface ProductRule {
  /** The product as the advisory names it (`Microsoft Exchange Server 2016 Cumulative Update 19`). */
  readonly label: string;
  readonly vendor: string;
  readonly product: string;
  /** Normalised `vendor:product` keys (and `purl:type/namespace/name`) the inventory index is probed with. */
  readonly keys: readonly string[];
  /** When the advisory names CPEs for this product and the inventory entry has one, they must agree. */
  readonly cpes: readonly Cpe[];
  readonly check: VersionCheck;
  readonly cves: readonly string[];
  readonly scores: ScoreSet;
  readonly exploitation: ExploitationInfo;
  /** AND configurations: the other nodes the organisation's inventory must also satisfy (a platform). */
  readonly platform?: readonly CpeNode[];
}

export interface Advisory {
  readonly id: string;
  readonly kind: 'cve' | 'csaf';
  readonly title: string;
  readonly cves: readonly string[];
  readonly published?: string;
  readonly updated?: string;
  /** CVE: REJECTED records carry no rules. CSAF: the document's tracking status. */
  readonly state: string;
  readonly rules: readonly ProductRule[];
  readonly scores: ScoreSet;
  readonly exploitation: ExploitationInfo;
}
