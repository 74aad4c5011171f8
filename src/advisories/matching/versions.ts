/**
 * Version ordering for advisory ranges. CVE `versionType` names the scheme: `semver` is compared by SemVer 2.0
 * (the semver package); `git` has no order (only equality); every other type (`custom`, `maven`, `python`, `rpm`,
 * vendor builds like Microsoft's `15.01.2176.014`) by a natural order of numeric and alphabetic segments, in
 * which numbers compare as numbers (`15.01` = `15.1`), a trailing letter segment marks a pre-release
 * (`2.0-beta9` < `2.0` < `2.0.1`), and missing numeric segments are zero (`2.4` = `2.4.0`).
 *
 *   compareVersions('2.0-beta9', '2.3.1', 'custom') → negative
 */
import semver from 'semver';

export type Comparison = number | undefined;

const MAX_VERSION = 128;
const SEGMENT = /(\d+)|([a-zA-Z]+)/g;

type Token = number | string;

const tokenCache = new Map<string, readonly Token[]>();

function tokens(version: string): readonly Token[] {
  let cached = tokenCache.get(version);
  if (cached) return cached;
  const out: Token[] = [];
  for (const m of version.matchAll(SEGMENT)) {
    if (m[1] !== undefined) out.push(m[1].length > 15 ? Number(m[1].slice(0, 15)) : Number(m[1]));
    else out.push(m[2]!.toLowerCase());
    if (out.length > 32) break;
  }
  cached = out;
  if (tokenCache.size > 200_000) tokenCache.clear();
  tokenCache.set(version, cached);
  return cached;
}

/** Natural order; see the module comment. */
export function compareNatural(a: string, b: string): number {
  const x = tokens(a);
  const y = tokens(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    // A missing segment: against a number it is 0 (2.4 = 2.4.0); against letters the other side is a
    // pre-release (2.0-beta9 < 2.0).
    if (p === undefined) {
      if (typeof q === 'string') return 1;
      if (q === 0) continue;
      return -1;
    }
    if (q === undefined) {
      if (typeof p === 'string') return -1;
      if (p === 0) continue;
      return 1;
    }
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    if (typeof p === 'number') return 1; // 1.0.1 after 1.0-rc
    if (typeof q === 'number') return -1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Whether a string can be a version at all (ranges use literals like `publication` or `*` as bounds). */
export function isVersionLike(value: string): boolean {
  return value.length > 0 && value.length <= MAX_VERSION && /^[vV]?\d/.test(value) && !/[*\s]/.test(value);
}

/** Compare under a CVE versionType; undefined when the scheme cannot order the two. */
export function compareVersions(a: string, b: string, versionType: string | undefined): Comparison {
  if (a.length > MAX_VERSION || b.length > MAX_VERSION) return undefined;
  if (a === b) return 0;
  switch (versionType) {
    case 'git':
      return undefined;
    case 'semver': {
      const x = semver.parse(a) ?? semver.coerce(a);
      const y = semver.parse(b) ?? semver.coerce(b);
      if (x && y) return semver.compare(x, y);
      return undefined;
    }
    default:
      if (!/\d/.test(a) || !/\d/.test(b)) return a.toLowerCase() === b.toLowerCase() ? 0 : undefined;
      return compareNatural(a, b);
  }
}
