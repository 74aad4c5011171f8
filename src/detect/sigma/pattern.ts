/**
 * Sigma string values as patterns: literal runs, `*`, `?` and character classes (windash), with the
 * specification's escaping (`\*`, `\?`, `\\`; a backslash before anything else is itself). Matching is
 * linear-time two-pointer globbing, never a regular expression, so no value can make a scan hang.
 */

export type PatternPart =
  string | { readonly any: true } | { readonly one: true } | { readonly oneOf: string };

export interface Pattern {
  readonly parts: readonly PatternPart[];
  /** Case-sensitive (`cased` modifier); otherwise parts are stored lower-cased. */
  readonly cased: boolean;
}

export const ANY: PatternPart = { any: true };
export const ONE: PatternPart = { one: true };

/** Parses a rule's string value with Sigma's wildcard and escape rules. */
export function parseSigmaString(value: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push(literal);
    literal = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        i++;
      } else literal += '\\';
    } else if (c === '*') {
      flush();
      if (!isAny(parts[parts.length - 1])) parts.push(ANY);
    } else if (c === '?') {
      flush();
      parts.push(ONE);
    } else literal += c;
  }
  flush();
  return parts;
}

export function isAny(part: PatternPart | undefined): part is { any: true } {
  return typeof part === 'object' && 'any' in part;
}

/** The literal text when the pattern has no wildcards. */
export function literalOf(parts: readonly PatternPart[]): string | undefined {
  if (parts.length === 0) return '';
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  return undefined;
}

export function lowerParts(parts: readonly PatternPart[]): PatternPart[] {
  return parts.map((p) =>
    typeof p === 'string' ? p.toLowerCase() : 'oneOf' in p ? { oneOf: p.oneOf.toLowerCase() } : p,
  );
}

/** Pattern parts as a flat token list of single characters, classes and stars for the glob matcher. */
type Token =
  | { readonly kind: 0; readonly ch: string }
  | { readonly kind: 1 }
  | { readonly kind: 2 }
  | { readonly kind: 3; readonly set: string };

export function tokens(parts: readonly PatternPart[]): Token[] {
  const out: Token[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const ch of p) out.push({ kind: 0, ch });
    else if ('any' in p) out.push({ kind: 1 });
    else if ('one' in p) out.push({ kind: 2 });
    else out.push({ kind: 3, set: p.oneOf });
  }
  return out;
}

/**
 * Glob match of a whole string against tokens: the classic two-pointer algorithm with one backtrack
 * point for the last star — O(text × pattern) at worst, whatever the input.
 */
export function globMatch(text: string, pattern: readonly Token[]): boolean {
  const chars = Array.from(text);
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < chars.length) {
    const tok = pattern[p];
    if (tok !== undefined && tok.kind !== 1 && matchesChar(tok, chars[t]!)) {
      t++;
      p++;
    } else if (tok !== undefined && tok.kind === 1) {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (pattern[p]?.kind === 1) p++;
  return p === pattern.length;
}

function matchesChar(tok: Token, ch: string): boolean {
  switch (tok.kind) {
    case 0:
      return tok.ch === ch;
    case 2:
      return true;
    case 3:
      return tok.set.includes(ch);
    default:
      return false;
  }
}
