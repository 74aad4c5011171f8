/** CSAF version numbers (integer or semantic versioning, section 3.1.11) and revision-history dates. */

const INTEGER = /^(0|[1-9][0-9]{0,15})$/;
const SEMVER =
  /^(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)){0,32}))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+){0,32}))?$/;

export type CsafVersion =
  | { readonly kind: 'integer'; readonly value: number; readonly text: string }
  | {
      readonly kind: 'semver';
      readonly major: number;
      readonly minor: number;
      readonly patch: number;
      readonly pre: readonly string[];
      readonly build: string | undefined;
      readonly text: string;
    };

export function parseCsafVersion(text: string): CsafVersion | undefined {
  if (text.length > 256) return undefined;
  if (INTEGER.test(text)) return { kind: 'integer', value: Number(text), text };
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return {
    kind: 'semver',
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    pre: m[4] ? m[4].split('.') : [],
    build: m[5],
    text,
  };
}

/** Precedence of two versions (SemVer 2.0.0 §11: build metadata ignored); integer < any semver by convention. */
export function compareCsafVersions(a: CsafVersion, b: CsafVersion): number {
  if (a.kind === 'integer' && b.kind === 'integer') return a.value - b.value;
  if (a.kind !== b.kind) return a.kind === 'integer' ? -1 : 1;
  if (a.kind !== 'semver' || b.kind !== 'semver') return 0;
  for (const [x, y] of [
    [a.major, b.major],
    [a.minor, b.minor],
    [a.patch, b.patch],
  ] as const)
    if (x !== y) return x - y;
  return comparePrerelease(a.pre, b.pre);
}

export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,32}))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A date-time as a sortable key with sub-millisecond precision: test data distinguishes
 * `…10:00:00.00010Z` from `…10:00:00.000Z`, which Date.parse alone would not.
 */
export function dateKey(text: string): { readonly ms: number; readonly fraction: string } | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) return undefined;
  return { ms, fraction: (m[2] ?? '').replace(/0+$/, '') };
}

export function compareDates(a: string, b: string): number {
  const x = dateKey(a);
  const y = dateKey(b);
  if (!x || !y) return 0;
  if (x.ms !== y.ms) return x.ms - y.ms;
  const len = Math.max(x.fraction.length, y.fraction.length);
  const fx = x.fraction.padEnd(len, '0');
  const fy = y.fraction.padEnd(len, '0');
  return fx < fy ? -1 : fx > fy ? 1 : 0;
}
