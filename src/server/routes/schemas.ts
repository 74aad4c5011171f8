/** JSON schema pieces the routes share; the OpenAPI document is generated from them. */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

/** The error answers every protected route may give. */
export const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
} as const;

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['id'],
  additionalProperties: false,
} as const;

export const anyObject = { type: 'object', additionalProperties: true } as const;

export const tlpSchema = {
  type: 'string',
  enum: ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'],
} as const;
export const roleSchema = {
  type: 'string',
  enum: ['admin', 'coordinator', 'analyst', 'constituent', 'partner', 'auditor'],
} as const;

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    createdAt: { type: 'integer' },
    paths: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
    records: { type: 'integer' },
    issues: { type: 'integer' },
    detections: { type: 'integer' },
    firstTimestamp: { type: ['integer', 'null'] },
    lastTimestamp: { type: ['integer', 'null'] },
    issueSamples: { type: 'array', items: anyObject },
    finishedAt: { type: ['integer', 'null'] },
  },
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    role: roleSchema,
    organisation: { type: ['string', 'null'] },
    tlpClearance: tlpSchema,
    mustChangePassword: { type: 'boolean' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
  },
} as const;

export const limitQuery = { type: 'integer', minimum: 1, maximum: 10000 } as const;
