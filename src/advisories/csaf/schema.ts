/**
 * CSAF 2.0 JSON schema validation (Ajv, draft 2020-12), with the FIRST CVSS schemas the CSAF schema refers to
 * (and CVSS 4.0, which the CVE record schema refers to as well). The schemas are run-time copies in ./schema
 * (see SOURCE.md there).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export interface SchemaFinding {
  /** JSON pointer of the failing value in the document. */
  readonly path: string;
  /** JSON pointer of the failing keyword in the schema. */
  readonly schemaPath: string;
  readonly message: string;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const CVSS_SCHEMA_IDS = {
  '2.0': 'https://www.first.org/cvss/cvss-v2.0.json',
  '3.0': 'https://www.first.org/cvss/cvss-v3.0.json',
  '3.1': 'https://www.first.org/cvss/cvss-v3.1.json',
  '4.0': 'https://www.first.org/cvss/cvss-v4.0.json',
} as const;

function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./schema/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** A FIRST schema (draft-04/07) made loadable beside a 2020-12 one: only its meta keys are dropped. */
function firstSchema(name: string, id: string): Record<string, unknown> {
  const { $schema: _s, $id: _i, id: _d, license: _l, ...rest } = readSchema(name);
  return { ...rest, $id: id };
}

/** The FIRST CVSS schemas under the URLs CSAF and CVE records refer to, and the formats (uri, date-time …). */
export function addFirstSchemas(ajv: Ajv2020): void {
  addFormats(ajv);
  ajv.addSchema(firstSchema('cvss-v2.0.json', CVSS_SCHEMA_IDS['2.0']));
  ajv.addSchema(firstSchema('cvss-v3.0.json', CVSS_SCHEMA_IDS['3.0']));
  ajv.addSchema(firstSchema('cvss-v3.1.json', CVSS_SCHEMA_IDS['3.1']));
  ajv.addSchema(firstSchema('cvss-v4.0.json', CVSS_SCHEMA_IDS['4.0']));
}

type CsafCvss = '2.0' | '3.0' | '3.1';

interface Compiled {
  readonly csaf: ValidateFunction;
  readonly provider: ValidateFunction;
  readonly cvss: Readonly<Record<CsafCvss, ValidateFunction>>;
}
let compiled: Compiled | undefined;

function compile(): Compiled {
  // strict off: the FIRST schemas use draft-04 idioms Ajv's strict mode rejects; allErrors to list every path.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFirstSchemas(ajv);
  const csaf = ajv.compile(readSchema('csaf_json_schema.json'));
  // provider-metadata.json's schema takes its publisher from the CSAF schema, by that schema's $id.
  const provider = ajv.compile(readSchema('provider_json_schema.json'));
  const get = (id: string): ValidateFunction => {
    const fn = ajv.getSchema(id);
    if (!fn) throw new Error(`schema ${id} did not load`);
    return fn;
  };
  return {
    csaf,
    provider,
    cvss: { '2.0': get(CVSS_SCHEMA_IDS['2.0']), '3.0': get(CVSS_SCHEMA_IDS['3.0']), '3.1': get(CVSS_SCHEMA_IDS['3.1']) },
  };
}

function schemas(): Compiled {
  compiled ??= compile();
  return compiled;
}

function findings(errors: readonly ErrorObject[] | null | undefined, prefix = ''): SchemaFinding[] {
  return (errors ?? []).map((e) => ({
    path: prefix + e.instancePath,
    schemaPath: e.schemaPath,
    message: e.message ?? e.keyword,
  }));
}

/** Every schema violation of a CSAF 2.0 document (empty when it conforms). */
export function validateCsafSchema(document: unknown): SchemaFinding[] {
  const { csaf } = schemas();
  return csaf(document) ? [] : findings(csaf.errors);
}

/** Every schema violation of a CSAF provider's provider-metadata.json (CSAF 2.0 section 7.2.1). */
export function validateProviderMetadataSchema(metadata: unknown): SchemaFinding[] {
  const { provider } = schemas();
  return provider(metadata) ? [] : findings(provider.errors);
}

/** A `cvss_v2`/`cvss_v3` object against its FIRST schema; `path` prefixes the reported pointers. */
export function validateCvssSchema(version: CsafCvss, value: unknown, path: string): SchemaFinding[] {
  const fn = schemas().cvss[version];
  return fn(value) ? [] : findings(fn.errors, path);
}
