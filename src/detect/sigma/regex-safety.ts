/**
 * Rules come from third parties, and JavaScript regular expressions backtrack: a pattern like
 * `(a+)+$` takes seconds on a 30-character line. So a rule regex is accepted only when no quantified
 * group contains a quantifier itself (star height 1) and it uses no back-references; the text it
 * sees is bounded too (MAX_REGEX_INPUT).
 */

export const MAX_REGEX_INPUT = 16 * 1024;

export interface RegexVerdict {
  readonly ok: boolean;
  readonly reason?: string;
  readonly source: string;
  readonly flags: string;
}

/** Translates PCRE spellings JavaScript lacks (`(?i)` prefix, `(?P<name>`), then checks the shape. */
export function checkRegex(source: string, flags: string): RegexVerdict {
  let s = source;
  let f = flags;
  const inline = /^\(\?([imsx]+)\)/.exec(s);
  if (inline) {
    if (inline[1]!.includes('x'))
      return { ok: false, reason: 'extended (x) regex mode is not supported', source, flags };
    for (const c of inline[1]!) if (!f.includes(c)) f += c;
    s = s.slice(inline[0].length);
  }
  s = s.replace(/\(\?P</g, '(?<');
  if (/\(\?[>+]|[*+?}]\+/.test(s))
    return { ok: false, reason: 'atomic groups and possessive quantifiers are not supported', source, flags };
  if (/\\[1-9]|\\k</.test(s))
    return { ok: false, reason: 'back-references can make matching exponential', source, flags };
  try {
    new RegExp(s, f);
  } catch (error) {
    return { ok: false, reason: `invalid regular expression: ${(error as Error).message}`, source, flags };
  }
  const nested = findNestedQuantifier(s);
  if (nested !== undefined) {
    return {
      ok: false,
      reason: `nested quantifier at ${nested} (catastrophic backtracking risk)`,
      source,
      flags,
    };
  }
  return { ok: true, source: s, flags: f };
}

/** Index of a quantifier applied to a group that already contains a quantifier, if any. */
function findNestedQuantifier(s: string): number | undefined {
  // Stack of "does this open group contain a quantifier".
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const inner = stack.pop() ?? false;
      const next = s[i + 1];
      const quantified =
        next === '*' ||
        next === '+' ||
        (next === '{' && /^\{\d*,?\d*\}/.test(s.slice(i + 1)) && !/^\{\d+\}/.test(s.slice(i + 1)));
      if (inner && quantified) return i + 1;
      if ((inner || quantified) && stack.length > 0) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && stack.length > 0) {
      if (c !== '{' || /^\{\d*,\d*\}/.test(s.slice(i))) stack[stack.length - 1] = true;
    }
  }
  return undefined;
}
