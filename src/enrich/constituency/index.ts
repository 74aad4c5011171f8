/** The constituency and outside parties: models, validation, CSV/JSON formats, lookup, proposals. */
export * from './model.js';
export {
  validateOrganisation,
  validateParty,
  jsonLocator,
  ID_PATTERN,
  type Validated,
  type FieldLocator,
} from './validate.js';
export * from './formats.js';
export { parseCsv, writeCsv } from './csv.js';
export * from './lookup.js';
export * from './proposals.js';
export { parseTarget, normaliseDomain, normaliseListedDomain, refang, type Target } from './target.js';
