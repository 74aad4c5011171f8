/**
 * The CERT's own advisories: written as a draft, reviewed by a second person, then published (as CSAF 2.0,
 * HTML and e-mail to the constituents whose inventory it affects). Content is plain data; the workflow says
 * who may move it where.
 */
import { isTlp, type Tlp } from '../../core/tlp.js';
import { cvssScores, type Severity } from '../cvss.js';

export const ADVISORY_STATES = ['draft', 'review', 'published'] as const;
export type AdvisoryState = (typeof ADVISORY_STATES)[number];

export interface OwnProduct {
  readonly vendor: string;
  readonly product: string;
  /** Affected versions, each exactly; or `range` as a `vers:` range; neither: every version. */
  readonly versions: readonly string[];
  readonly range?: string;
  readonly cpe?: string;
  readonly purl?: string;
  /** CVSS 3.1 (or 4.0) vector; the score is computed from it. */
  readonly cvssVector?: string;
}

export interface OwnAdvisoryContent {
  readonly title: string;
  readonly tlp: Tlp;
  readonly summary: string;
  readonly cves: readonly string[];
  readonly products: readonly OwnProduct[];
  readonly remediation: string;
  readonly references: readonly string[];
}

export interface AdvisoryHistoryEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: 'created' | 'edited' | 'submitted' | 'returned' | 'published';
  readonly note: string | null;
}

export interface OwnAdvisory extends OwnAdvisoryContent {
  readonly id: string;
  readonly status: AdvisoryState;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly reviewedBy: string | null;
  readonly publishedAt: number | null;
  /** The constituents it was sent to (set at publication). */
  readonly organisationIds: readonly string[];
  /** The CSAF 2.0 document as published (null before). */
  readonly csaf: unknown;
  readonly history: readonly AdvisoryHistoryEntry[];
}

export interface ProductSeverity {
  readonly vendor: string;
  readonly product: string;
  readonly severity: Severity;
  readonly cvss: number | null;
}

export function productSeverity(p: OwnProduct): ProductSeverity {
  const scores = p.cvssVector ? cvssScores(p.cvssVector) : undefined;
  return { vendor: p.vendor, product: p.product, severity: scores?.severity ?? 'none', cvss: scores ? (scores.version === '4.0' ? scores.overall : scores.base) : null };
}

const CVE_ID = /^CVE-\d{4}-\d{4,19}$/;
const MAX_TEXT = 20_000;

/** Problems with content as the team typed it (empty when it can be saved). */
export function contentProblems(c: OwnAdvisoryContent): string[] {
  const out: string[] = [];
  if (!c.title.trim() || c.title.length > 300) out.push('title: 1 to 300 characters');
  if (!isTlp(c.tlp)) out.push('tlp: CLEAR, GREEN, AMBER, AMBER+STRICT or RED');
  if (c.summary.length > MAX_TEXT || c.remediation.length > MAX_TEXT) out.push(`summary and remediation: at most ${MAX_TEXT} characters`);
  c.cves.forEach((id, i) => {
    if (!CVE_ID.test(id)) out.push(`cves/${i}: not a CVE id`);
  });
  if (new Set(c.cves).size !== c.cves.length) out.push('cves: listed twice');
  if (c.products.length > 500) out.push('products: at most 500');
  c.products.forEach((p, i) => {
    if (!p.vendor.trim() || !p.product.trim()) out.push(`products/${i}: vendor and product`);
    if (p.versions.some((v) => !v.trim() || v.length > 100 || /[<>]|\b(prior|before|after|all|earlier|later|versions)\b/i.test(v)))
      out.push(`products/${i}/versions: exact versions only (a range goes in range, as vers:…)`);
    if (p.range !== undefined && !/^vers:[a-z0-9.+-]{1,32}\/.{1,500}$/i.test(p.range)) out.push(`products/${i}/range: a vers: range (vers:generic/>=1.0|<2.0)`);
    if (p.cvssVector !== undefined && !cvssScores(p.cvssVector)) out.push(`products/${i}/cvssVector: not a CVSS vector`);
  });
  c.references.forEach((r, i) => {
    if (!/^https?:\/\/[^\s]{1,2000}$/.test(r)) out.push(`references/${i}: an http(s) URL`);
  });
  return out;
}
