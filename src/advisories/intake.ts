/**
 * One advisory document of either kind checked and read: a CSAF 2.0 document (JSON schema + mandatory tests)
 * or a CVE JSON 5 record (the CVE Record Format 5.x, see cve/schema.ts), with its Advisory when it is
 * usable. A document is "valid" only when every check passes; an invalid CVE record is still read (its
 * ranges may be usable) but is reported.
 */
import { csafToAdvisory } from './csaf/advisory.js';
import { validateCsaf } from './csaf/validate.js';
import { cveToAdvisory, looksLikeCve } from './cve/record.js';
import { validateCveRecord } from './cve/schema.js';
import { prop } from './json.js';
import type { Advisory } from './model.js';

export interface Finding {
  /** `6.1.x` for a CSAF mandatory test, `schema` for a schema violation. */
  readonly check: string;
  readonly path: string;
  readonly message: string;
  readonly schemaPath?: string;
}

export interface CheckedDocument {
  readonly kind: 'csaf' | 'cve' | 'unknown';
  readonly valid: boolean;
  readonly findings: readonly Finding[];
  readonly advisory?: Advisory;
  /** What was checked, for the report (`CSAF 2.0: schema and mandatory tests 6.1.1–6.1.33`). */
  readonly checked: string;
}

export function checkDocument(value: unknown): CheckedDocument {
  if (looksLikeCve(value)) {
    const findings = validateCveRecord(value).map((f) => ({ check: 'schema', path: f.path, message: f.message, schemaPath: f.schemaPath }));
    return {
      kind: 'cve',
      valid: findings.length === 0,
      findings,
      advisory: cveToAdvisory(value),
      checked: "CVE Record Format 5.x: Vigil's own complete schema, written from the CVE specification",
    };
  }
  if (prop(value, 'document') !== undefined) {
    const result = validateCsaf(value);
    const findings: Finding[] = [
      ...result.schema.map((f) => ({ check: 'schema', path: f.path, message: f.message, schemaPath: f.schemaPath })),
      ...result.tests.map((f) => ({ check: f.test, path: f.path, message: f.message })),
    ];
    return {
      kind: 'csaf',
      valid: result.valid,
      findings,
      ...(result.valid || result.schema.length === 0 ? { advisory: csafToAdvisory(value) } : {}),
      checked: 'CSAF 2.0: JSON schema and mandatory tests 6.1.1–6.1.33',
    };
  }
  return {
    kind: 'unknown',
    valid: false,
    findings: [{ check: 'format', path: '', message: 'neither a CSAF document (no /document) nor a CVE record (dataType is not CVE_RECORD)' }],
    checked: 'format',
  };
}
