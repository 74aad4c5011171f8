/**
 * The structure of a CVE JSON 5 record that Vigil relies on, as our own JSON schema.
 *
 * The official schema (CVEProject/cve-schema, `schema/CVE_Record_Format.json`) is not in ../shared/data and no
 * npm package ships it, so it is not reachable from here. This schema is ours: it checks only the parts the
 * intake reads (metadata, the CNA's and ADPs' affected products, version ranges, CPE applicability, metrics),
 * with their types and enumerations as the official schema states them (dataVersion 5.0 to 5.2). It is NOT the
 * official schema and does not claim a record is fully conformant; `vigil advisories validate` says so.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { SchemaFinding } from '../csaf/schema.js';

const status = { enum: ['affected', 'unaffected', 'unknown'] };
const shortString = { type: 'string', minLength: 1, maxLength: 2048 };
const version = { type: 'string', minLength: 1, maxLength: 1024 };

const versionEntry = {
  type: 'object',
  required: ['version', 'status'],
  properties: {
    version,
    status,
    versionType: { type: 'string', minLength: 1, maxLength: 128 },
    lessThan: version,
    lessThanOrEqual: version,
    changes: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['at', 'status'], properties: { at: version, status } },
    },
  },
  // The official schema: a range needs versionType; lessThan and lessThanOrEqual exclude each other.
  dependentRequired: { lessThan: ['versionType'], lessThanOrEqual: ['versionType'], changes: ['versionType'] },
  not: { required: ['lessThan', 'lessThanOrEqual'] },
};

const product = {
  type: 'object',
  properties: {
    vendor: shortString,
    product: shortString,
    collectionURL: { type: 'string', maxLength: 2048 },
    packageName: shortString,
    cpes: { type: 'array', items: { type: 'string', pattern: '^cpe:2\\.3:[aho*-]:', maxLength: 2048 } },
    defaultStatus: status,
    versions: { type: 'array', minItems: 1, items: versionEntry },
  },
  allOf: [
    // The official schema: either vendor and product, or collectionURL and packageName …
    { anyOf: [{ required: ['vendor', 'product'] }, { required: ['collectionURL', 'packageName'] }] },
    // … and at least one of versions or defaultStatus.
    { anyOf: [{ required: ['versions'] }, { required: ['defaultStatus'] }] },
  ],
};

const cpeMatch = {
  type: 'object',
  required: ['vulnerable', 'criteria'],
  properties: {
    vulnerable: { type: 'boolean' },
    criteria: { type: 'string', pattern: '^cpe:2\\.3:[aho*-]:', maxLength: 2048 },
    versionStartIncluding: version,
    versionStartExcluding: version,
    versionEndIncluding: version,
    versionEndExcluding: version,
  },
};

const cpeApplicability = {
  type: 'array',
  items: {
    type: 'object',
    required: ['nodes'],
    properties: {
      operator: { enum: ['AND', 'OR'] },
      negate: { type: 'boolean' },
      nodes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['operator', 'cpeMatch'],
          properties: { operator: { enum: ['AND', 'OR'] }, negate: { type: 'boolean' }, cpeMatch: { type: 'array', items: cpeMatch } },
        },
      },
    },
  },
};

const metric = (prefix: string) => ({
  type: 'object',
  required: ['vectorString'],
  properties: { vectorString: { type: 'string', pattern: prefix, maxLength: 512 }, baseScore: { type: 'number', minimum: 0, maximum: 10 } },
});

const metrics = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      cvssV4_0: metric('^CVSS:4\\.0/'),
      cvssV3_1: metric('^CVSS:3\\.1/'),
      cvssV3_0: metric('^CVSS:3\\.0/'),
      cvssV2_0: metric('^\\(?AV:'),
      other: { type: 'object', required: ['type', 'content'], properties: { type: shortString } },
    },
  },
};

const container = {
  type: 'object',
  properties: {
    affected: { type: 'array', minItems: 1, items: product },
    cpeApplicability,
    metrics,
    title: { type: 'string', maxLength: 256 },
    descriptions: { type: 'array', items: { type: 'object', required: ['lang', 'value'], properties: { lang: shortString, value: { type: 'string' } } } },
  },
};

export const CVE_RECORD_SCHEMA = {
  $id: 'https://vigil.invalid/schemas/cve-record-subset.json',
  title: 'CVE JSON 5 record: the subset Vigil reads (not the official CVE schema)',
  type: 'object',
  required: ['dataType', 'dataVersion', 'cveMetadata', 'containers'],
  properties: {
    dataType: { const: 'CVE_RECORD' },
    dataVersion: { type: 'string', pattern: '^5\\.[0-9]+(\\.[0-9]+)?$' },
    cveMetadata: {
      type: 'object',
      required: ['cveId', 'state'],
      properties: {
        cveId: { type: 'string', pattern: '^CVE-[0-9]{4}-[0-9]{4,19}$' },
        state: { enum: ['PUBLISHED', 'REJECTED'] },
        dateUpdated: { type: 'string', format: 'date-time' },
        datePublished: { type: 'string', format: 'date-time' },
      },
    },
    containers: {
      type: 'object',
      required: ['cna'],
      properties: { cna: container, adp: { type: 'array', items: container } },
    },
  },
  // A published record's CNA names what is affected.
  if: { properties: { cveMetadata: { properties: { state: { const: 'PUBLISHED' } } } } },
  then: { properties: { containers: { properties: { cna: { required: ['affected'] } } } } },
};

let compiled: ValidateFunction | undefined;

/** Every violation of the structure Vigil relies on. */
export function validateCveStructure(record: unknown): SchemaFinding[] {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    compiled = ajv.compile(CVE_RECORD_SCHEMA);
  }
  if (compiled(record)) return [];
  return (compiled.errors ?? []).map((e) => ({ path: e.instancePath, schemaPath: e.schemaPath, message: e.message ?? e.keyword }));
}
