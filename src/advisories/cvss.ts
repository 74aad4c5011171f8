/**
 * CVSS scores computed from vectors (2.0, 3.0, 3.1, 4.0) through ae-cvss-calculator, and the qualitative
 * severity scale. A vector that does not parse gives `undefined`, never a made-up score.
 *
 *   cvssScores('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') → { version: '3.1', base: 9.8, … }
 */
import calculator from 'ae-cvss-calculator';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'none';

export interface CvssScores {
  readonly version: CvssVersion;
  readonly vector: string;
  readonly base: number;
  /** 2.0/3.x: the temporal score (equal to base when the vector has no temporal metrics). */
  readonly temporal?: number;
  /** 2.0/3.x: the environmental score, when the vector has environmental metrics. */
  readonly environmental?: number;
  /** The score the vector as a whole gives (4.0: CVSS-BTE; 3.x: the most specific of the three). */
  readonly overall: number;
  readonly severity: Severity;
}

const MAX_VECTOR = 512;
const V3_PREFIX = /^CVSS:3\.([01])\//;

export function cvssVersionOf(vector: string): CvssVersion | undefined {
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  const m = V3_PREFIX.exec(vector);
  if (m) return m[1] === '0' ? '3.0' : '3.1';
  if (/^\(?AV:[LAN]\//.test(vector)) return '2.0';
  return undefined;
}

function hasAny(vector: string, keys: readonly string[]): boolean {
  const parts = new Set(
    vector
      .split('/')
      .filter((p) => !p.endsWith(':X') && !p.endsWith(':ND'))
      .map((p) => p.split(':')[0]),
  );
  return keys.some((k) => parts.has(k));
}

const TEMPORAL = ['E', 'RL', 'RC'];
const ENVIRONMENTAL_V3 = ['CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA'];
const ENVIRONMENTAL_V2 = ['CDP', 'TD', 'CR', 'IR', 'AR'];

/** The qualitative rating of CVSS 3.x/4.0 (used for 2.0 scores too, as NVD does for display). */
export function severityOf(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

function vectorFor(version: CvssVersion, vector: string): { calculateScores(): unknown } {
  switch (version) {
    case '2.0':
      return new calculator.Cvss2(vector.replace(/^\((.*)\)$/, '$1'));
    case '3.0':
      return new calculator.Cvss3P0(vector);
    case '3.1':
      return new calculator.Cvss3P1(vector);
    case '4.0':
      return new calculator.Cvss4P0(vector);
  }
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

const cache = new Map<string, CvssScores | undefined>();
const MAX_CACHE = 20_000;

/**
 * Scores from a vector string, or undefined when it is not a CVSS vector the calculator accepts. Vectors
 * repeat across records (a few thousand distinct ones in the whole CVE list): each is computed once.
 */
export function cvssScores(vector: string): CvssScores | undefined {
  if (cache.has(vector)) return cache.get(vector);
  const scores = computeScores(vector);
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(vector, scores);
  return scores;
}

function computeScores(vector: string): CvssScores | undefined {
  if (vector.length > MAX_VECTOR) return undefined;
  const version = cvssVersionOf(vector);
  if (!version || !vectorMetricsComplete(version, vector)) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = vectorFor(version, vector).calculateScores() as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const base = typeof raw['base'] === 'number' ? round1(raw['base']) : undefined;
  if (base === undefined || !Number.isFinite(base)) return undefined;
  const temporalRaw = typeof raw['temporal'] === 'number' ? round1(raw['temporal']) : undefined;
  const environmentalRaw = typeof raw['environmental'] === 'number' ? round1(raw['environmental']) : undefined;
  const overall = typeof raw['overall'] === 'number' ? round1(raw['overall']) : base;
  const scores: CvssScores = {
    version,
    vector,
    base,
    overall,
    severity: severityOf(version === '4.0' ? overall : base),
    ...(version !== '4.0'
      ? { temporal: hasAny(vector, TEMPORAL) && temporalRaw !== undefined ? temporalRaw : base }
      : {}),
    ...(version !== '4.0' &&
    environmentalRaw !== undefined &&
    hasAny(vector, version === '2.0' ? ENVIRONMENTAL_V2 : ENVIRONMENTAL_V3)
      ? { environmental: environmentalRaw }
      : {}),
  };
  return scores;
}

const BASE_KEYS: Readonly<Record<CvssVersion, readonly string[]>> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

/** The calculator fills missing base metrics with defaults; a vector without all of them is not a score. */
function vectorMetricsComplete(version: CvssVersion, vector: string): boolean {
  const body = version === '2.0' ? vector.replace(/^\((.*)\)$/, '$1') : vector.slice(vector.indexOf('/') + 1);
  const seen = new Set<string>();
  for (const part of body.split('/')) {
    const m = /^([A-Za-z]{1,4}):([A-Za-z]{1,3})$/.exec(part);
    if (!m || seen.has(m[1]!)) return false;
    seen.add(m[1]!);
  }
  return BASE_KEYS[version].every((k) => seen.has(k));
}

/** The metrics of a vector as a map (`AV` → `N`), prefix excluded. */
export function vectorMetrics(vector: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = vector.startsWith('CVSS:') ? vector.slice(vector.indexOf('/') + 1) : vector.replace(/^\((.*)\)$/, '$1');
  for (const part of body.split('/')) {
    const i = part.indexOf(':');
    if (i > 0) out.set(part.slice(0, i), part.slice(i + 1));
  }
  return out;
}
