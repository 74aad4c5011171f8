/**
 * Classification of feed events: IntelMQ's `classification.type` values and the RSIT
 * (`classification.taxonomy`) class each belongs to. A parser sets the type; the taxonomy follows
 * from it unless the feed states one.
 */

const TAXONOMY_TYPES: Readonly<Record<string, readonly string[]>> = {
  'abusive-content': ['harmful-speech', 'spam', 'violence'],
  'malicious-code': ['c2-server', 'infected-system', 'malware-configuration', 'malware-distribution'],
  'information-gathering': ['scanner', 'sniffing', 'social-engineering'],
  'intrusion-attempts': ['brute-force', 'exploit', 'ids-alert'],
  intrusions: [
    'application-compromise',
    'burglary',
    'privileged-account-compromise',
    'system-compromise',
    'unprivileged-account-compromise',
  ],
  availability: ['ddos', 'dos', 'misconfiguration', 'outage', 'sabotage'],
  'information-content-security': [
    'data-leak',
    'data-loss',
    'unauthorised-information-access',
    'unauthorised-information-modification',
  ],
  fraud: ['copyright', 'masquerade', 'phishing', 'unauthorized-use-of-resources'],
  vulnerable: [
    'ddos-amplifier',
    'information-disclosure',
    'potentially-unwanted-accessible',
    'vulnerable-system',
    'weak-crypto',
  ],
  other: ['blacklist', 'other', 'tor', 'undetermined', 'unknown'],
  test: ['test'],
};

const TAXONOMY_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(TAXONOMY_TYPES).flatMap(([taxonomy, types]) => types.map((t) => [t, taxonomy] as const)),
);

export const TAXONOMIES: readonly string[] = Object.keys(TAXONOMY_TYPES);
export const CLASSIFICATION_TYPES: readonly string[] = [...TAXONOMY_OF.keys()];

export function taxonomyOf(type: string): string | undefined {
  return TAXONOMY_OF.get(type);
}

export const isTaxonomy = (value: string): boolean => Object.hasOwn(TAXONOMY_TYPES, value);
export const isClassificationType = (value: string): boolean => TAXONOMY_OF.has(value);

/** RSIT information-content-security: what the weekly report counts as data-security breaches. */
export const BREACH_TAXONOMY = 'information-content-security';
