/**
 * The CVE Record Format 5.x (dataVersion 5.0 to 5.2) as our own JSON schema, written from the specification
 * (CVEProject/cve-schema, `schema/CVE_Record_Format.json` and its tag lists, read, not copied): every field of
 * a PUBLISHED and a REJECTED record, their required properties, patterns, lengths and enumerations, `x_`
 * extension properties, and the FIRST CVSS 2.0/3.0/3.1/4.0 schemas for the metrics (run-time copies in
 * ../csaf/schema, see SOURCE.md there).
 *
 * Where it differs from the official file, on purpose:
 * - It is draft 2020-12 and picks the PUBLISHED or REJECTED shape by `cveMetadata.state` (if/then) instead of a
 *   root `oneOf`, so a broken record gets the errors of its own shape only, not those of both.
 * - A version entry's four `oneOf` alternatives are written as the rules they amount to (a range needs
 *   versionType; lessThan and lessThanOrEqual exclude each other; changes belong to a range), which gives one
 *   error naming the rule rather than four alternatives that each failed.
 * - `cpeApplicability` (added in 5.1.1, absent from the 5.1.0 text) follows the NVD applicability statement
 *   that 5.1.1 adopted: operator, negate, nodes of cpeMatch (vulnerable, criteria, version bounds).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { addFirstSchemas, CVSS_SCHEMA_IDS, type SchemaFinding } from '../csaf/schema.js';

// Patterns as the specification states them. The date parts accept the Gregorian calendar's real days only.
const DATE =
  '((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|' +
  '(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30))';
const TIMESTAMP = `^(${DATE})T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`;
const UUID = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$';
const LANGUAGE = '^[A-Za-z]{2,4}([_-][A-Za-z]{4})?([_-]([A-Za-z]{2}|[0-9]{3}))?$';
const ENGLISH = '^en([_-][A-Za-z]{4})?([_-]([A-Za-z]{2}|[0-9]{3}))?$';
// CPE 2.2 URI or CPE 2.3 formatted string (NISTIR 7695), as the specification's `cpes` items allow.
const CPE_VALUE =
  String.raw`(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@\[\]\^` +
  '`' +
  String.raw`{|}~]))+(\?*|\*?))|[*\-])`;
const CPE23 = String.raw`cpe:2\.3:[aho*\-](:${CPE_VALUE}){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[*\-]))(:${CPE_VALUE}){4}`;
const CPE22 = String.raw`[c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9._\-~%]*){0,6}`;

const REFERENCE_TAGS = [
  'broken-link',
  'customer-entitlement',
  'exploit',
  'government-resource',
  'issue-tracking',
  'mailing-list',
  'mitigation',
  'not-applicable',
  'patch',
  'permissions-required',
  'media-coverage',
  'product',
  'related',
  'release-notes',
  'signature',
  'technical-description',
  'third-party-advisory',
  'vendor-advisory',
  'vdb-entry',
];
const ROOT_CAUSE_TAGS = ['hardware-root-cause', 'software-root-cause', 'specification-root-cause'];
const CNA_TAGS = ['unsupported-when-assigned', 'exclusively-hosted-service', 'disputed', ...ROOT_CAUSE_TAGS];
const ADP_TAGS = ['disputed', ...ROOT_CAUSE_TAGS];
const CREDIT_TYPES = [
  'finder',
  'reporter',
  'analyst',
  'coordinator',
  'remediation developer',
  'remediation reviewer',
  'remediation verifier',
  'tool',
  'sponsor',
  'other',
];

const text = (min: number, max: number) => ({ type: 'string', minLength: min, maxLength: max });
/** A non-empty array of distinct items: most lists in the format are. */
const list = (items: object, extra: object = {}) => ({
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items,
  ...extra,
});
const tagExtension = { type: 'string', minLength: 2, maxLength: 128, pattern: '^x_.*$' };
/** Tags: an `x_` extension or one of the listed values. */
const tags = (values: readonly string[]) => list({ anyOf: [tagExtension, { enum: values }] });
/** Containers are closed: only their own properties and `x_` extensions (no `.` in the name). */
const closed = { patternProperties: { '^x_[^.]*$': {} }, additionalProperties: false };

const uri = { type: 'string', format: 'uri', minLength: 1, maxLength: 2048 };

const uuid = { type: 'string', pattern: UUID };

const cveId = { type: 'string', pattern: '^CVE-[0-9]{4}-[0-9]{4,19}$' };

const shortName = text(2, 32);

const timestamp = { type: 'string', pattern: TIMESTAMP };

const language = { type: 'string', pattern: LANGUAGE };

const version = text(1, 1024);

const status = { enum: ['affected', 'unaffected', 'unknown'] };

const reference = {
  type: 'object',
  required: ['url'],
  properties: { url: uri, name: text(1, 512), tags: tags(REFERENCE_TAGS) },
  additionalProperties: false,
};

const references = list(reference, { maxItems: 512 });

const description = {
  type: 'object',
  required: ['lang', 'value'],
  properties: {
    lang: language,
    value: text(1, 4096),
    supportingMedia: list({
      type: 'object',
      required: ['type', 'value'],
      properties: { type: text(1, 256), base64: { type: 'boolean' }, value: text(1, 16384) },
      additionalProperties: false,
    }),
  },
  additionalProperties: false,
};

/** At least one description in English (en, en-US, en_GB …). */
const descriptions = list(description, {
  contains: {
    type: 'object',
    required: ['lang'],
    properties: { lang: { type: 'string', pattern: ENGLISH } },
  },
});

const descriptionList = list(description);

const versionEntry = {
  type: 'object',
  required: ['version', 'status'],
  properties: {
    version: version,
    status: status,
    versionType: text(1, 128),
    lessThan: version,
    lessThanOrEqual: version,
    changes: list({
      type: 'object',
      required: ['at', 'status'],
      properties: { at: version, status: status },
      additionalProperties: false,
    }),
  },
  additionalProperties: false,
  // A range (an upper bound, or changes) needs versionType; one upper bound at most; changes only in a range.
  dependentRequired: {
    lessThan: ['versionType'],
    lessThanOrEqual: ['versionType'],
    changes: ['versionType'],
  },
  not: { required: ['lessThan', 'lessThanOrEqual'] },
  dependentSchemas: { changes: { anyOf: [{ required: ['lessThan'] }, { required: ['lessThanOrEqual'] }] } },
};

const product = {
  type: 'object',
  properties: {
    vendor: text(1, 512),
    product: text(1, 2048),
    collectionURL: uri,
    packageName: text(1, 2048),
    cpes: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 2048, pattern: `(${CPE22})|(${CPE23})` },
    },
    modules: { type: 'array', uniqueItems: true, items: text(1, 4096) },
    programFiles: { type: 'array', uniqueItems: true, items: text(1, 1024) },
    programRoutines: {
      type: 'array',
      uniqueItems: true,
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: text(1, 4096) },
        additionalProperties: false,
      },
    },
    platforms: list({ type: 'string', maxLength: 1024 }),
    repo: uri,
    defaultStatus: status,
    versions: list(versionEntry),
  },
  // The specification leaves a product open to further properties; only these combinations are required.
  allOf: [
    { anyOf: [{ required: ['vendor', 'product'] }, { required: ['collectionURL', 'packageName'] }] },
    { anyOf: [{ required: ['versions'] }, { required: ['defaultStatus'] }] },
  ],
};

const affected = { type: 'array', minItems: 1, items: product };

const cpeMatch = {
  type: 'object',
  required: ['vulnerable', 'criteria'],
  properties: {
    vulnerable: { type: 'boolean' },
    criteria: { type: 'string', minLength: 1, maxLength: 2048, pattern: `^${CPE23}$` },
    matchCriteriaId: uuid,
    versionStartExcluding: version,
    versionStartIncluding: version,
    versionEndExcluding: version,
    versionEndIncluding: version,
  },
  additionalProperties: false,
};

const cpeApplicability = list({
  type: 'object',
  required: ['nodes'],
  properties: {
    operator: { enum: ['AND', 'OR'] },
    negate: { type: 'boolean' },
    nodes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['operator', 'cpeMatch'],
        properties: {
          operator: { enum: ['AND', 'OR'] },
          negate: { type: 'boolean' },
          cpeMatch: { type: 'array', minItems: 1, items: cpeMatch },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
});

const problemTypes = list({
  type: 'object',
  required: ['descriptions'],
  properties: {
    descriptions: list({
      type: 'object',
      required: ['lang', 'description'],
      properties: {
        lang: language,
        description: text(1, 4096),
        cweId: { type: 'string', minLength: 5, maxLength: 9, pattern: '^CWE-[1-9][0-9]*$' },
        type: text(1, 128),
        references: references,
      },
      additionalProperties: false,
    }),
  },
  additionalProperties: false,
});

const impacts = list({
  type: 'object',
  required: ['descriptions'],
  properties: {
    capecId: { type: 'string', minLength: 7, maxLength: 11, pattern: '^CAPEC-[1-9][0-9]{0,4}$' },
    descriptions: descriptions,
  },
  additionalProperties: false,
});

const metrics = list({
  type: 'object',
  anyOf: ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0', 'other'].map((key) => ({ required: [key] })),
  properties: {
    format: text(1, 64),
    scenarios: list({
      type: 'object',
      required: ['lang', 'value'],
      properties: { lang: language, value: text(1, 4096) },
      additionalProperties: false,
    }),
    cvssV4_0: { $ref: CVSS_SCHEMA_IDS['4.0'] },
    cvssV3_1: { $ref: CVSS_SCHEMA_IDS['3.1'] },
    cvssV3_0: { $ref: CVSS_SCHEMA_IDS['3.0'] },
    cvssV2_0: { $ref: CVSS_SCHEMA_IDS['2.0'] },
    other: {
      type: 'object',
      required: ['type', 'content'],
      // content is any JSON object (SSVC, KEV, a vendor's own scale …), but not an empty one.
      properties: { type: text(1, 128), content: { type: 'object', minProperties: 1 } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
});

const timeline = list({
  type: 'object',
  required: ['time', 'lang', 'value'],
  properties: { time: timestamp, lang: language, value: text(1, 4096) },
  additionalProperties: false,
});

const credits = list({
  type: 'object',
  required: ['lang', 'value'],
  properties: { lang: language, value: text(1, 4096), user: uuid, type: { enum: CREDIT_TYPES } },
  additionalProperties: false,
});

const source = { type: 'object', minProperties: 1 };

const taxonomyMappings = list({
  type: 'object',
  required: ['taxonomyName', 'taxonomyRelations'],
  properties: {
    taxonomyName: text(1, 128),
    taxonomyVersion: text(1, 128),
    taxonomyRelations: list({
      type: 'object',
      required: ['taxonomyId', 'relationshipName', 'relationshipValue'],
      properties: {
        taxonomyId: text(1, 2048),
        relationshipName: text(1, 128),
        relationshipValue: text(1, 2048),
      },
      additionalProperties: false,
    }),
  },
  additionalProperties: false,
});

const providerMetadata = {
  type: 'object',
  required: ['orgId'],
  properties: { orgId: uuid, shortName: shortName, dateUpdated: timestamp },
  additionalProperties: false,
};

/** What a CNA and an ADP container may both say (the CNA also when the id was assigned). */
const containerProperties = {
  providerMetadata: providerMetadata,
  datePublic: timestamp,
  title: text(1, 256),
  descriptions: descriptions,
  affected: affected,
  cpeApplicability: cpeApplicability,
  problemTypes: problemTypes,
  references: references,
  impacts: impacts,
  metrics: metrics,
  configurations: descriptionList,
  workarounds: descriptionList,
  solutions: descriptionList,
  exploits: descriptionList,
  timeline: timeline,
  credits: credits,
  source: source,
  taxonomyMappings: taxonomyMappings,
};

const cnaPublished = {
  type: 'object',
  required: ['providerMetadata', 'descriptions', 'affected', 'references'],
  properties: { ...containerProperties, dateAssigned: timestamp, tags: tags(CNA_TAGS) },
  ...closed,
};

const adp = {
  type: 'object',
  required: ['providerMetadata'],
  // An ADP container says something besides who it is from.
  minProperties: 2,
  properties: { ...containerProperties, tags: tags(ADP_TAGS) },
  ...closed,
};

const cnaRejected = {
  type: 'object',
  required: ['providerMetadata', 'rejectedReasons'],
  properties: {
    providerMetadata: providerMetadata,
    rejectedReasons: descriptions,
    replacedBy: list(cveId),
  },
  ...closed,
};

/** cveMetadata: set by CVE Services, closed; a published record may name its requester, a rejected one its date. */
const metadata = (state: 'PUBLISHED' | 'REJECTED', extra: object) => ({
  type: 'object',
  required: ['cveId', 'assignerOrgId', 'state'],
  properties: {
    cveId: cveId,
    assignerOrgId: uuid,
    assignerShortName: shortName,
    serial: { type: 'integer', minimum: 1 },
    dateReserved: timestamp,
    datePublished: timestamp,
    dateUpdated: timestamp,
    ...extra,
    state: { const: state },
  },
  additionalProperties: false,
});

export const CVE_RECORD_SCHEMA = {
  $id: 'https://vigil.invalid/schemas/cve-record-5.json',
  title: "CVE Record Format 5.x (Vigil's own schema, written from the CVE specification)",
  type: 'object',
  required: ['dataType', 'dataVersion', 'cveMetadata', 'containers'],
  properties: {
    dataType: { const: 'CVE_RECORD' },
    dataVersion: { type: 'string', pattern: '^5\\.(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))?$' },
    cveMetadata: {
      type: 'object',
      required: ['state'],
      properties: { state: { enum: ['PUBLISHED', 'REJECTED'] } },
    },
    containers: { type: 'object' },
  },
  additionalProperties: false,
  // The record's shape follows its state; an unknown state is reported once, by the enum above.
  if: {
    required: ['cveMetadata'],
    properties: { cveMetadata: { required: ['state'], properties: { state: { const: 'REJECTED' } } } },
  },
  then: {
    properties: {
      cveMetadata: metadata('REJECTED', { dateRejected: timestamp }),
      containers: {
        type: 'object',
        required: ['cna'],
        properties: { cna: cnaRejected },
        additionalProperties: false,
      },
    },
  },
  else: {
    properties: {
      cveMetadata: metadata('PUBLISHED', { requesterUserId: uuid }),
      containers: {
        type: 'object',
        required: ['cna'],
        properties: { cna: cnaPublished, adp: list(adp) },
        additionalProperties: false,
      },
    },
  },
};

let compiled: ValidateFunction | undefined;

const CVSS_KEY = /\/metrics\/\d+\/cvssV(\d)_(\d)(\/|$)/;

/** Ajv gives a FIRST schema's error its path inside that schema: say which schema it is. */
function schemaPathOf(e: ErrorObject): string {
  const cvss = CVSS_KEY.exec(e.instancePath);
  if (!cvss || e.schemaPath.startsWith('#/else/') || e.schemaPath.startsWith('#/then/')) return e.schemaPath;
  const id = CVSS_SCHEMA_IDS[`${cvss[1]}.${cvss[2]}` as keyof typeof CVSS_SCHEMA_IDS];
  return id ? `${id}${e.schemaPath}` : e.schemaPath;
}

function compile(): ValidateFunction {
  // strict off for the FIRST schemas' draft-04/07 idioms; allErrors to list every failing path.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFirstSchemas(ajv);
  return ajv.compile(CVE_RECORD_SCHEMA);
}

/** Every violation of the CVE Record Format 5.x (empty when the record conforms). */
export function validateCveRecord(record: unknown): SchemaFinding[] {
  compiled ??= compile();
  if (compiled(record)) return [];
  // `must match "else" schema` only repeats that the errors below it exist.
  return (compiled.errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => ({ path: e.instancePath, schemaPath: schemaPathOf(e), message: e.message ?? e.keyword }));
}
