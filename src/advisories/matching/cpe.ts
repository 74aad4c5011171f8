/**
 * CPE 2.3 formatted strings (NISTIR 7695): parsed into their 11 attributes and compared the way a CPE
 * applicability statement compares them: `*` (ANY) matches everything, `-` (NA) only NA, other values
 * case-insensitively after unescaping. Wildcards inside values (`?`, `*`) are treated as the spec allows.
 *
 *   parseCpe('cpe:2.3:a:microsoft:exchange_server:2016:cumulative_update_19:*:*:*:*:*:*')
 */

export const CPE_ATTRIBUTES = ['part', 'vendor', 'product', 'version', 'update', 'edition', 'language', 'sw_edition', 'target_sw', 'target_hw', 'other'] as const;
export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number];
export type Cpe = Readonly<Record<CpeAttribute, string>>;

const MAX_CPE = 1024;

/** Split on unescaped colons. */
function split(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1]!;
      i++;
    } else if (c === ':') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const parsed = new Map<string, Cpe | undefined>();

/** Parsed once per distinct string (advisories repeat the same CPEs many times); the result is frozen. */
export function parseCpe(text: string): Cpe | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const cpe = parseCpeText(text);
  if (parsed.size >= 100_000) parsed.clear();
  parsed.set(text, cpe);
  return cpe;
}

function parseCpeText(text: string): Cpe | undefined {
  if (text.length > MAX_CPE || !text.toLowerCase().startsWith('cpe:2.3:')) return undefined;
  const parts = split(text).slice(2);
  if (parts.length !== 11 || !/^[aoh*-]$/i.test(parts[0]!)) return undefined;
  const cpe: Record<string, string> = {};
  CPE_ATTRIBUTES.forEach((a, i) => {
    cpe[a] = parts[i]!.toLowerCase();
  });
  return Object.freeze(cpe);
}

export function formatCpe(cpe: Cpe): string {
  return ['cpe', '2.3', ...CPE_ATTRIBUTES.map((a) => cpe[a])].join(':');
}

const unescape = (v: string): string => v.replace(/\\(.)/g, '$1');

function wildcardMatch(pattern: string, value: string): boolean {
  // `*` and `?` unescaped in a criteria value: a bounded glob (no backtracking blow-up: linear DP).
  const p = pattern;
  const dp: boolean[] = new Array<boolean>(value.length + 1).fill(false);
  dp[0] = true;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      const lit = p[++i]!;
      for (let j = value.length; j >= 1; j--) dp[j] = dp[j - 1]! && value[j - 1] === lit;
      dp[0] = false;
    } else if (c === '*') {
      for (let j = 1; j <= value.length; j++) dp[j] = dp[j]! || dp[j - 1]!;
    } else {
      for (let j = value.length; j >= 1; j--) dp[j] = dp[j - 1]! && (c === '?' || value[j - 1] === c);
      dp[0] = false;
    }
  }
  return dp[value.length]!;
}

/** Does the criteria value admit the target value (one attribute)? */
export function attributeMatches(criteria: string, target: string): boolean {
  if (criteria === '*' || criteria === '') return true;
  if (criteria === '-') return target === '-';
  if (target === '*') return true; // the target says nothing about this attribute
  if (/(^|[^\\])[*?]/.test(criteria)) return wildcardMatch(criteria, unescape(target));
  return unescape(criteria) === unescape(target);
}

/** Does `criteria` match `target` on every attribute, optionally ignoring some (e.g. version, checked by range)? */
export function cpeMatches(criteria: Cpe, target: Cpe, ignore: readonly CpeAttribute[] = []): boolean {
  for (const a of CPE_ATTRIBUTES) if (!ignore.includes(a) && !attributeMatches(criteria[a], target[a])) return false;
  return true;
}

/** The CPE's value for display and keys: unescaped, `_` for spaces as NVD writes them. */
export const cpeValue = (v: string): string => unescape(v);
