/** Feed and abuse-report intake: harmonised events → enriched, deduplicated, stored, into cases per owner. */
export * from './dedup.js';
export * from './enrich.js';
export * from './aggregate.js';
export * from './pipeline.js';
export * from './prepare.js';
export * from './compact.js';
