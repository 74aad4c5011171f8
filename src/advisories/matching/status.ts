/**
 * Whether one installed version is affected, under each kind of version check:
 * - CVE `versions[]` (CVE JSON 5 "version ranges"): an entry without lessThan/lessThanOrEqual names one
 *   version; with one it is the range [version, lessThan) or [version, lessThanOrEqual], whose status the
 *   entry's `changes` (in version order) switch from their `at` version on; a version in no entry has the
 *   product's `defaultStatus` (absent: unknown). A bound that is not a version (`*`, Microsoft's
 *   `publication`, Log4j's `log4j-core*`) leaves that side open, and the range text says so.
 * - CPE applicability cpeMatch: the criteria's own version, or versionStart/End Including/Excluding.
 * - CSAF: the product_version (equal), a `vers:` range in product_version_range, or no version (every one).
 */
import type { CpeMatchCheck, CveVersionRange, ProductStatus, VersionCheck } from '../model.js';
import { compareVersions, isVersionLike } from './versions.js';

export interface VersionVerdict {
  readonly status: ProductStatus;
  /** The range (or version) that decided, as text: `>= 15.01.0, < 15.01.2176.014`. */
  readonly versions: string;
}

const UNKNOWN: VersionVerdict = { status: 'unknown', versions: '' };

function rangeText(r: CveVersionRange): string {
  if (r.lessThan === undefined && r.lessThanOrEqual === undefined) return `= ${r.version}`;
  const lower = isVersionLike(r.version) && r.version !== '0' ? `>= ${r.version}` : '';
  const upperRaw = r.lessThan ?? r.lessThanOrEqual ?? '';
  const op = r.lessThan !== undefined ? '<' : '<=';
  const upper = isVersionLike(upperRaw) ? `${op} ${upperRaw}` : `(upper bound ${JSON.stringify(upperRaw)} is not a version: open)`;
  const changes = r.changes.map((c) => `${c.status} from ${c.at}`).join(', ');
  return [lower, upper].filter(Boolean).join(', ') + (changes ? `; ${changes}` : '');
}

/** One range entry's status for `version`, or undefined when the version is outside it. */
function inRange(r: CveVersionRange, version: string): ProductStatus | undefined {
  const type = r.versionType;
  // Commits have no order: a git range decides only for the commit it starts at.
  if (type === 'git') return version === r.version ? r.status : undefined;
  if (r.lessThan === undefined && r.lessThanOrEqual === undefined)
    return compareVersions(version, r.version, type) === 0 ? r.status : undefined;
  if (isVersionLike(r.version) || r.version === '0') {
    const c = compareVersions(version, r.version, type);
    if (c === undefined || c < 0) return undefined;
  }
  const upper = r.lessThan ?? r.lessThanOrEqual!;
  if (isVersionLike(upper)) {
    const c = compareVersions(version, upper, type);
    if (c === undefined) return undefined;
    if (r.lessThan !== undefined ? c >= 0 : c > 0) return undefined;
  }
  let status = r.status;
  // `changes` come sorted by version (cve/record.ts sorts them once).
  for (const change of r.changes) {
    const c = compareVersions(version, change.at, type);
    if (c !== undefined && c >= 0) status = change.status;
  }
  return status;
}

export function cveVerdict(ranges: readonly CveVersionRange[], defaultStatus: ProductStatus, version: string | undefined): VersionVerdict {
  if (version === undefined || version === '') {
    // No installed version: affected only if every version is, otherwise unknown when anything is affected.
    const anyAffected = defaultStatus === 'affected' || ranges.some((r) => r.status === 'affected' || r.changes.some((c) => c.status === 'affected'));
    return anyAffected ? { status: 'unknown', versions: ranges.map(rangeText).join(' | ') || 'all versions' } : UNKNOWN;
  }
  let affected: CveVersionRange | undefined;
  let unaffected: CveVersionRange | undefined;
  let unknown: CveVersionRange | undefined;
  for (const r of ranges) {
    const s = inRange(r, version);
    if (s === 'affected') affected ??= r;
    else if (s === 'unaffected') unaffected ??= r;
    else if (s === 'unknown') unknown ??= r;
  }
  // Overlapping entries should not happen; when they do, affected wins (a warning is cheaper than a miss).
  if (affected) return { status: 'affected', versions: rangeText(affected) };
  // The range text is only built for what will be shown.
  if (unaffected) return { status: 'unaffected', versions: '' };
  if (unknown) return { status: 'unknown', versions: rangeText(unknown) };
  return { status: defaultStatus, versions: defaultStatus === 'affected' ? 'all versions (defaultStatus)' : '' };
}

export function cpeVerdict(m: CpeMatchCheck, version: string | undefined): VersionVerdict {
  const bounds: [string | undefined, (c: number) => boolean, string][] = [
    [m.versionStartIncluding, (c) => c >= 0, '>='],
    [m.versionStartExcluding, (c) => c > 0, '>'],
    [m.versionEndIncluding, (c) => c <= 0, '<='],
    [m.versionEndExcluding, (c) => c < 0, '<'],
  ];
  const given = bounds.filter(([b]) => b !== undefined);
  const criteriaVersion = m.criteria.version;
  const text = (): string =>
    given.length > 0
      ? given.map(([b, , op]) => `${op} ${b!}`).join(', ')
      : criteriaVersion === '*' ? 'all versions' : `= ${criteriaVersion}`;
  const no: VersionVerdict = { status: 'unaffected', versions: '' };
  if (version === undefined || version === '') return { status: 'unknown', versions: text() };
  if (criteriaVersion !== '*' && criteriaVersion !== '-' && compareVersions(version, criteriaVersion, undefined) !== 0) return no;
  for (const [bound, ok] of given) {
    const c = compareVersions(version, bound!, undefined);
    if (c === undefined || !ok(c)) return no;
  }
  return m.vulnerable ? { status: 'affected', versions: text() } : no;
}

/** A `vers:` range (the purl spec's version range syntax): `vers:semver/>=1.0.0|<2.0.0`. */
export function versContains(range: string, version: string): boolean | undefined {
  const m = /^vers:([a-z0-9.+-]{1,32})\/(.{1,2048})$/i.exec(range.trim());
  if (!m) return undefined;
  const type = m[1]!.toLowerCase() === 'semver' || m[1]!.toLowerCase() === 'npm' ? 'semver' : 'custom';
  if (m[2] === '*') return true;
  const constraints = m[2]!.split('|').slice(0, 64).map((c) => {
    const op = /^(>=|<=|!=|<|>|=)?(.*)$/.exec(c.trim())!;
    return { op: op[1] ?? '=', v: decodeURIComponent(op[2]!.trim()) };
  });
  for (const c of constraints) {
    const cmp = compareVersions(version, c.v, type);
    if (c.op === '=' && cmp === 0) return true;
    if (c.op === '!=' && cmp === 0) return false;
  }
  const ordered = constraints.filter((c) => c.op !== '=' && c.op !== '!=').sort((a, b) => compareVersions(a.v, b.v, type) ?? 0);
  // Walk the sorted bounds as intervals: a lower bound opens one, the next upper bound closes it.
  let lower: { op: string; v: string } | undefined;
  let open = ordered.length > 0 && (ordered[0]!.op === '<' || ordered[0]!.op === '<=');
  for (const c of ordered) {
    if (c.op === '>' || c.op === '>=') {
      lower = c;
      open = true;
    } else if (open) {
      const lo = lower ? compareVersions(version, lower.v, type) : 1;
      const hi = compareVersions(version, c.v, type);
      if (lo !== undefined && hi !== undefined && (lower?.op === '>' ? lo > 0 : lo >= 0) && (c.op === '<' ? hi < 0 : hi <= 0)) return true;
      open = false;
      lower = undefined;
    }
  }
  if (open && lower) {
    const lo = compareVersions(version, lower.v, type);
    if (lo !== undefined && (lower.op === '>' ? lo > 0 : lo >= 0)) return true;
  }
  return false;
}

export function verdict(check: VersionCheck, version: string | undefined): VersionVerdict {
  switch (check.kind) {
    case 'cve':
      return cveVerdict(check.ranges, check.defaultStatus, version);
    case 'cpe':
      return cpeVerdict(check.match, version);
    case 'csaf': {
      if (check.version !== undefined) {
        if (version === undefined || version === '') return { status: 'unknown', versions: `= ${check.version}` };
        return { status: compareVersions(version, check.version, undefined) === 0 ? 'affected' : 'unaffected', versions: `= ${check.version}` };
      }
      if (check.range !== undefined) {
        if (version === undefined || version === '') return { status: 'unknown', versions: check.range };
        const inside = versContains(check.range, version);
        return { status: inside === undefined ? 'unknown' : inside ? 'affected' : 'unaffected', versions: check.range };
      }
      return { status: 'affected', versions: 'all versions' };
    }
  }
}
