/** A CSAF 2.0 document checked in full: the JSON schema and the mandatory tests (section 6.1). */
import { validateCsafSchema, type SchemaFinding } from './schema.js';
import { runMandatoryTests, type TestFinding } from './mandatory.js';

export interface CsafValidation {
  readonly valid: boolean;
  readonly schema: readonly SchemaFinding[];
  readonly tests: readonly TestFinding[];
}

export function validateCsaf(document: unknown): CsafValidation {
  const schema = validateCsafSchema(document);
  const tests = runMandatoryTests(document);
  return { valid: schema.length === 0 && tests.length === 0, schema, tests };
}

/** Whether a parsed JSON value looks like a CSAF document (as opposed to a CVE record). */
export function looksLikeCsaf(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'document' in value && !('cveMetadata' in value);
}
