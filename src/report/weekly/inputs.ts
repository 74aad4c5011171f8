/**
 * What the weekly report is built from, as plain structural data: the report (layer 3) cannot import
 * cases, notify, intake or advisories code, so the server and CLI glue fetch these from the store and
 * pass them in (docs/notes on the contracts: BreachFigures and WarnedVulnerabilities are fixed shapes).
 */
import type { Tlp } from '../../core/tlp.js';

export interface Period {
  /** Inclusive, ms. */
  readonly from: number;
  /** Exclusive, ms. */
  readonly to: number;
}

export interface Counted {
  readonly count: number;
  readonly ids: readonly string[];
}

/** The shape of `caseFigures` (src/cases/figures.ts) that the report reads. */
export interface FiguresLike {
  readonly opened: Counted & { readonly byClass: Readonly<Record<string, Counted>> };
  readonly handled: Counted & {
    readonly byClass: Readonly<Record<string, Counted>>;
    readonly byType: Readonly<Record<string, Counted>>;
  };
  readonly resolved: Counted & { readonly byClass: Readonly<Record<string, Counted>> };
  readonly crossBorder: Counted & {
    readonly share: number;
    readonly byCountry: Readonly<Record<string, Counted>>;
  };
  readonly notifications: Counted & {
    readonly byParty: Readonly<Record<string, Readonly<Record<string, Counted>>>>;
  };
  readonly medianHoursToResolution: number | null;
}

/** A case as the report needs it (a structural subset of the case record plus its cross-border countries). */
export interface ReportCase {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly status: string;
  readonly rsitClass: string | null;
  readonly rsitType: string | null;
  readonly tlp: Tlp;
  readonly severity: string;
  readonly organisations: readonly string[];
  readonly incidentId: string | null;
  readonly mergedInto: string | null;
  readonly createdAt: number;
  readonly resolvedAt: number | null;
  readonly foreignCountries: readonly string[];
}

export interface ReportNotification {
  readonly id: string;
  readonly caseId: string;
  readonly partyKind: string;
  readonly status: string;
  readonly sentAt: number | null;
}

/** A stored incident: its span, its handling TLP and the attacker infrastructure of its analysis. */
export interface ReportIncident {
  readonly id: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** From the incident's handling record; unlabelled incidents are AMBER. */
  readonly tlp: Tlp;
  readonly infrastructure: readonly {
    readonly ip: string;
    readonly country: string | null;
    readonly asn: number | null;
    readonly as_name: string | null;
    readonly roles: readonly string[];
  }[];
}

/** Data-security breaches found in a period (the intake's figures; contract shared with issue 9). */
export interface BreachFigures {
  readonly count: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly byOrganisation: Readonly<Record<string, number>>;
  readonly caseIds: readonly string[];
  readonly query: string;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'none';

/** The CERT's own advisories published in a period (contract shared with issue 10). */
export interface WarnedVulnerabilities {
  readonly advisories: readonly {
    readonly id: string;
    readonly title: string;
    readonly published: string;
    readonly tlp: Tlp;
    readonly cves: readonly string[];
    readonly products: readonly {
      readonly vendor: string;
      readonly product: string;
      readonly severity: Severity;
      readonly cvss: number | null;
    }[];
    readonly organisationIds: readonly string[];
  }[];
  readonly query: string;
}

export interface WeeklyInput<C extends ReportCase, N extends ReportNotification> {
  /** ISO week, `2026-W47`. */
  readonly week: string;
  readonly tlp: Tlp;
  /** ISO 8601; the only clock the report reads, so the same input gives the same report. */
  readonly generatedAt: string;
  /** Who publishes it, named in its heading (default: "the CERT" unnamed). */
  readonly publisher?: string | undefined;
  /** Every case the store has (the report picks the weeks' own and drops those above its TLP). */
  readonly cases: readonly C[];
  readonly notifications: readonly N[];
  readonly incidents: readonly ReportIncident[];
  /**
   * The constituency's organisation names and domains: a TLP:CLEAR report removes them from every
   * string it shows (titles, network names), beside the cases' own organisation lists.
   */
  readonly organisationNames: readonly string[];
  /** caseFigures (src/cases/figures.ts), handed in by the glue. */
  readonly figures: (cases: readonly C[], notifications: readonly N[], period: Period) => FiguresLike;
  readonly breaches?: BreachFigures | undefined;
  readonly warned?: WarnedVulnerabilities | undefined;
}
