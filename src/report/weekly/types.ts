/** The weekly report's shape: what the JSON form is and the HTML, Markdown and PDF forms draw. */
import type { Tlp } from '../../core/tlp.js';
import type { Severity } from './inputs.js';

export const REPORT_KIND = 'vigil.weekly-report';
export const REPORT_VERSION = 1;

/** One number, how it was counted, and what it counts. */
export interface Figure {
  readonly value: number;
  readonly query: string;
  readonly caseIds: readonly string[];
}

/** A figure beside the same figure for the week before. */
export interface Change extends Figure {
  readonly previous: number;
  readonly previousCaseIds: readonly string[];
  readonly change: number;
  /** Null when the week before had none. */
  readonly changePercent: number | null;
}

export interface ClassRow extends Change {
  readonly rsitClass: string;
}
export interface TypeRow extends Change {
  readonly rsitClass: string;
  readonly rsitType: string;
}
export interface CountryRow extends Figure {
  readonly country: string;
  /** Of the cross-border cases. */
  readonly share: number;
}
export interface OutcomeRow extends Figure {
  readonly outcome: string;
  readonly notificationIds: readonly string[];
}
export interface PartyRow extends Figure {
  readonly party: string;
  readonly notificationIds: readonly string[];
  readonly outcomes: readonly OutcomeRow[];
}
export interface AsnRow extends Figure {
  readonly asn: number | null;
  readonly name: string | null;
  readonly countries: readonly string[];
  readonly addresses: number;
  readonly incidentIds: readonly string[];
}
export interface InfraCountryRow extends Figure {
  readonly country: string;
  readonly addresses: number;
  readonly incidentIds: readonly string[];
}
export interface ProductRow {
  readonly vendor: string;
  readonly product: string;
  readonly severity: Severity;
  readonly cvss: number | null;
  readonly cves: readonly string[];
  readonly advisoryIds: readonly string[];
}
export interface NotableRow {
  readonly caseId: string;
  readonly number: number;
  readonly line: string;
}

export interface WeeklyReport {
  readonly kind: typeof REPORT_KIND;
  readonly version: typeof REPORT_VERSION;
  readonly week: string;
  readonly previousWeek: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly tlp: Tlp;
  readonly generatedAt: string;
  /** Null: not named. */
  readonly publisher: string | null;
  readonly summary: string;
  readonly handled: Change;
  readonly opened: Change;
  readonly resolved: Change;
  readonly incidents: { readonly byClass: readonly ClassRow[]; readonly byType: readonly TypeRow[] };
  readonly crossBorder: {
    readonly total: Figure;
    readonly previous: number;
    /** Of the cases handled, 0–1. */
    readonly share: number;
    readonly byCountry: readonly CountryRow[];
  };
  readonly notifications: { readonly total: Figure; readonly byParty: readonly PartyRow[] };
  /** Null: no breach figures were given for this week. */
  readonly breaches: {
    readonly total: Figure;
    readonly byType: readonly { readonly type: string; readonly count: number }[];
    /** Left out of a TLP:CLEAR report. */
    readonly byOrganisation: readonly { readonly organisation: string; readonly count: number }[] | null;
  } | null;
  /** Null: no advisory data was given for this week. */
  readonly vulnerabilities: {
    readonly query: string;
    readonly advisories: readonly {
      readonly id: string;
      readonly title: string;
      readonly published: string;
      readonly tlp: Tlp;
      readonly cves: readonly string[];
    }[];
    readonly cves: number;
    readonly byProduct: readonly ProductRow[];
    readonly bySeverity: readonly { readonly severity: Severity; readonly products: number }[];
  } | null;
  readonly infrastructure: {
    readonly query: string;
    readonly incidents: number;
    readonly asns: readonly AsnRow[];
    readonly countries: readonly InfraCountryRow[];
  };
  readonly resolution: Figure & {
    readonly medianHours: number | null;
    readonly previousMedianHours: number | null;
  };
  readonly notable: { readonly query: string; readonly items: readonly NotableRow[] };
}
