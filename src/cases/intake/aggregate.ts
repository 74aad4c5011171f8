/**
 * Aggregation: new events go into one case per owner and RSIT type — the constituent's, or for a
 * foreign network the country CERT's (a cross-border case) — joining the open case of that group
 * when there is one. Events that concern nobody we can tell stay events, counted but caseless.
 */
import type { HarmonisedFields } from '../../ingest/feeds/index.js';
import type { Severity } from '../model.js';
import type { Tlp } from '../../core/tlp.js';
import type { Concern } from './enrich.js';

export interface CaseGroup {
  /** `org:<id>:<class>:<type>` or `cert:<id>:<class>:<type>`. */
  readonly key: string;
  readonly kind: 'constituent' | 'cross-border';
  readonly organisationId: string | null;
  readonly organisationName: string | null;
  readonly certId: string | null;
  readonly certName: string | null;
  readonly country: string | null;
  readonly rsitClass: string;
  readonly rsitType: string;
}

export interface IntakeCaseSeed {
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly tlp: Tlp;
}

export function groupOf(fields: HarmonisedFields, concern: Concern): CaseGroup | null {
  const rsitClass = String(fields['classification.taxonomy'] ?? 'other');
  const rsitType = String(fields['classification.type'] ?? 'undetermined');
  if (concern.organisationId !== null)
    return {
      key: `org:${concern.organisationId}:${rsitClass}:${rsitType}`,
      kind: 'constituent',
      organisationId: concern.organisationId,
      organisationName: concern.organisationName,
      certId: null,
      certName: null,
      country: concern.country,
      rsitClass,
      rsitType,
    };
  if (concern.crossBorder && concern.certId !== null)
    return {
      key: `cert:${concern.certId}:${rsitClass}:${rsitType}`,
      kind: 'cross-border',
      organisationId: null,
      organisationName: null,
      certId: concern.certId,
      certName: concern.certName,
      country: concern.country,
      rsitClass,
      rsitType,
    };
  return null;
}

const SEVERITY: Readonly<Record<string, Severity>> = {
  'information-content-security': 'high',
  intrusions: 'high',
  'malicious-code': 'medium',
  availability: 'medium',
  fraud: 'medium',
  'intrusion-attempts': 'low',
  'information-gathering': 'low',
  vulnerable: 'low',
  'abusive-content': 'low',
};

const TLPS: ReadonlySet<string> = new Set(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);

export function seedFor(group: CaseGroup, fields: HarmonisedFields, feed: string): IntakeCaseSeed {
  const who = group.kind === 'constituent' ? group.organisationName ?? group.organisationId : `${group.certName ?? group.certId} (${group.country ?? '?'})`;
  const tlpField = fields.tlp === 'WHITE' ? 'CLEAR' : String(fields.tlp ?? '');
  return {
    title: `${group.rsitType} reported by feeds: ${who}`,
    description:
      group.kind === 'constituent'
        ? `Events of type ${group.rsitType} (${group.rsitClass}) from feed intake concerning ${who}, first from ${feed}. Each report's events join this case while it is open.`
        : `Events of type ${group.rsitType} (${group.rsitClass}) concerning networks in ${group.country ?? '?'}, outside the constituency: for ${who} (cross-border), first from ${feed}.`,
    severity: SEVERITY[group.rsitClass] ?? 'low',
    tlp: (TLPS.has(tlpField) ? tlpField : 'AMBER') as Tlp,
  };
}
