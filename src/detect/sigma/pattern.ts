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

/** One wildcard-free stretch of a pattern: literal runs, `?` (null) and classes ({ oneOf }). */
type SegmentPart = string | null | { readonly oneOf: string };

interface Segment {
  readonly parts: readonly SegmentPart[];
  /** Code units it spans in a text without surrogates (each `?` or class one unit). */
  readonly length: number;
  /** Its leading literal run, to find candidate places with indexOf; '' when it starts with `?` or a class. */
  readonly lead: string;
}

/** A UTF-16 surrogate: where a code point is two code units, and `?` one of them would be wrong. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The same answer as globMatch(text, tokens(parts)), computed without splitting the text into code
 * points: the pattern is cut at its stars into fixed-length segments, the first and last held to the
 * text's ends unless a star stands there, and each one between placed at its leftmost fit (found with
 * indexOf on its leading literal) — leftmost leaves the most room for the rest, so a match exists
 * exactly when this finds one. Texts holding surrogates go to globMatch, as `?` matches a code point.
 */
export function compileGlob(parts: readonly PatternPart[]): (text: string) => boolean {
  // Built on first use: most compiled rules never evaluate most of their values.
  let matcher: ((text: string) => boolean) | undefined;
  return (text) => (matcher ??= globMatcher(parts))(text);
}

function globMatcher(parts: readonly PatternPart[]): (text: string) => boolean {
  const toks = tokens(parts);
  const meaningful = parts.filter((p) => p !== '');
  const sawStar = meaningful.some(isAny);
  const leadingStar = isAny(meaningful[0]);
  const trailingStar = isAny(meaningful[meaningful.length - 1]);
  const segments: Segment[] = [];
  let current: SegmentPart[] = [];
  const close = (): void => {
    if (current.length === 0) return;
    let length = 0;
    for (const p of current) length += typeof p === 'string' ? p.length : 1;
    const first = current[0];
    segments.push({ parts: current, length, lead: typeof first === 'string' ? first : '' });
    current = [];
  };
  for (const p of meaningful) {
    if (typeof p === 'string') {
      const last = current[current.length - 1];
      if (typeof last === 'string') current[current.length - 1] = last + p;
      else current.push(p);
    } else if ('any' in p) close();
    else if ('one' in p) current.push(null);
    else current.push({ oneOf: p.oneOf });
  }
  close();

  const fitsAt = (text: string, segment: Segment, at: number): boolean => {
    let pos = at;
    for (const p of segment.parts) {
      if (typeof p === 'string') {
        if (!text.startsWith(p, pos)) return false;
        pos += p.length;
      } else {
        if (p !== null && !p.oneOf.includes(text[pos]!)) return false;
        pos++;
      }
    }
    return true;
  };
  /** The leftmost place at or after `from` where the segment fits and ends by `limit`, or -1. */
  const leftmost = (text: string, segment: Segment, from: number, limit: number): number => {
    const last = limit - segment.length;
    if (segment.lead !== '') {
      for (
        let at = text.indexOf(segment.lead, from);
        at >= 0 && at <= last;
        at = text.indexOf(segment.lead, at + 1)
      )
        if (fitsAt(text, segment, at)) return at;
      return -1;
    }
    for (let at = from; at <= last; at++) if (fitsAt(text, segment, at)) return at;
    return -1;
  };

  return (text) => {
    if (SURROGATE.test(text)) return globMatch(text, toks);
    const n = text.length;
    if (segments.length === 0) return sawStar || n === 0;
    let from = 0;
    let first = 0;
    let end = segments.length;
    if (!leadingStar) {
      const s = segments[0]!;
      if (s.length > n || !fitsAt(text, s, 0)) return false;
      from = s.length;
      first = 1;
      if (segments.length === 1 && !trailingStar) return n === s.length;
    }
    let limit = n;
    if (!trailingStar && end > first) {
      const s = segments[end - 1]!;
      const at = n - s.length;
      if (at < from || !fitsAt(text, s, at)) return false;
      limit = at;
      end--;
    }
    for (let i = first; i < end; i++) {
      const s = segments[i]!;
      const at = leftmost(text, s, from, limit);
      if (at < 0) return false;
      from = at + s.length;
    }
    return true;
  };
}
