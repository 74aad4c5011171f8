/**
 * Literals a rule regex cannot match without: for each top-level alternative, the longest run of
 * plain ASCII characters that every match contains, lower-cased for the prefilter. The reading is
 * deliberately partial — groups, classes, escapes with letters and anything unusual end a run or
 * give up — because an answer must only ever be necessary, never clever.
 *
 * Example: `net\s+stop SuperBackupMan|shutdown /r` → ['stop superbackupman', 'shutdown /r'].
 */

/** Punctuation that a backslash makes literal (JavaScript's syntax characters and the like). */
const ESCAPED_LITERAL = /^[\\^$.|?*+()[\]{}/\-,:;=!<>'"#%&@~`_ ]$/;

/**
 * One literal per top-level alternative, or null when some alternative has none this reading can
 * vouch for. Flags may be i, m and s (the only ones rules can ask for): `i` without `u` never lets a
 * non-ASCII character match an ASCII one, so the case-folded scan still finds every match.
 */
export function regexLiterals(source: string, flags: string): string[] | null {
  if (/[^ims]/.test(flags)) return null;
  const branches = splitTopLevel(source);
  if (branches === null) return null;
  const out: string[] = [];
  for (const branch of branches) {
    const literal = branchLiteral(branch);
    if (literal === null || literal === '') return null;
    out.push(literal);
  }
  return out;
}

/** The pattern split at `|` outside groups and classes; null when brackets do not balance. */
function splitTopLevel(source: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const end = classEnd(source, i);
      if (end < 0) return null;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return null;
    } else if (c === '|' && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  out.push(source.slice(start));
  return out;
}

/** Index of the `]` closing the class opened at `open` (a `]` right after `[` or `[^` closes it). */
function classEnd(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === ']') return i;
  }
  return -1;
}

/** Index just after the group opened at `open`, or -1. */
function groupEnd(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const end = classEnd(source, i);
      if (end < 0) return -1;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * What follows an atom at `i`: how many times it must occur at least (0, 1 or more) and where the
 * next atom starts; null for a `{` that is not a quantifier (an odd spelling: give up).
 */
function quantifierAt(source: string, i: number): { min: number; next: number } | null {
  const c = source[i];
  let min = 1;
  let next = i;
  if (c === '*' || c === '?') {
    min = 0;
    next = i + 1;
  } else if (c === '+') {
    min = 2; // at least once, and the run cannot continue past a repetition
    next = i + 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(i));
    if (!m) return null;
    const n = Number(m[1]);
    min = n === 0 ? 0 : n === 1 && m[2] === undefined ? 1 : 2;
    next = i + m[0].length;
  } else return { min, next };
  if (source[next] === '?') next++; // lazy: same minimum
  return { min, next };
}

/** The longest literal run of one alternative (no top-level `|`), lower-cased; null: cannot read. */
function branchLiteral(source: string): string | null {
  let best = '';
  let run = '';
  const end = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let literal: string | undefined;
    let atomEnd: number;
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined || (e >= '0' && e <= '9')) return null; // octal and back-references
      if (ESCAPED_LITERAL.test(e)) literal = e;
      atomEnd = i + 2;
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 2, i + 4))) atomEnd = i + 4;
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) atomEnd = i + 6;
      else if (e === 'c' && /^[a-zA-Z]$/.test(source[i + 2] ?? '')) atomEnd = i + 3;
    } else if (c === '[') {
      const close = classEnd(source, i);
      if (close < 0) return null;
      atomEnd = close + 1;
    } else if (c === '(') {
      atomEnd = groupEnd(source, i);
      if (atomEnd < 0) return null;
    } else if (c === '^' || c === '$' || c === '.') {
      atomEnd = i + 1;
    } else if (c === '*' || c === '+' || c === '?' || c === '{' || c === '}' || c === ')' || c === '|') {
      return null; // a quantifier with no atom, or syntax this reading does not follow
    } else {
      const code = c.charCodeAt(0);
      // Non-ASCII ends a run: the scan sees lower-cased text, and lower-casing is not one-for-one there.
      if (code < 128) literal = c.toLowerCase();
      atomEnd = i + 1;
    }
    const q = quantifierAt(source, atomEnd);
    if (q === null) return null;
    if (literal !== undefined && q.min >= 1) {
      run += literal;
      if (q.min > 1) end();
    } else end();
    i = q.next;
  }
  end();
  return best;
}

/** The minimum `{n,m}`, `*`, `+`, `?` asks of the atom before `i`, and where the next atom starts. */
function repeatAt(source: string, i: number): { min: number; next: number } | null {
  const c = source[i];
  let min = 1;
  let next = i;
  if (c === '*' || c === '?') {
    min = 0;
    next = i + 1;
  } else if (c === '+') next = i + 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(i));
    if (!m) return null;
    min = Number(m[1]);
    next = i + m[0].length;
  } else return { min, next };
  if (source[next] === '?') next++;
  return { min, next };
}

/**
 * The fewest UTF-16 code units any match can have, so shorter values need not meet the regex
 * (`\s[a-f0-9]{64}\s[a-f0-9]{16}` needs 82). 0 whenever this reading is unsure.
 *
 * Example: regexMinLength('ab?(c|de){2}') → 3.
 */
export function regexMinLength(source: string): number {
  const branches = splitTopLevel(source);
  if (branches === null) return 0;
  let min = Infinity;
  for (const branch of branches) min = Math.min(min, branchMinLength(branch));
  return Number.isFinite(min) ? min : 0;
}

function branchMinLength(source: string): number {
  let total = 0;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let width = 1;
    let atomEnd = i + 1;
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined || (e >= '0' && e <= '9') || e === 'k') return 0;
      atomEnd = i + 2;
      if (e === 'b' || e === 'B') width = 0;
      else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 2, i + 4))) atomEnd = i + 4;
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) atomEnd = i + 6;
      else if (e === 'c' && /^[a-zA-Z]$/.test(source[i + 2] ?? '')) atomEnd = i + 3;
    } else if (c === '[') {
      const close = classEnd(source, i);
      if (close < 0) return 0;
      atomEnd = close + 1;
    } else if (c === '(') {
      atomEnd = groupEnd(source, i);
      if (atomEnd < 0) return 0;
      const inner = source.slice(i + 1, atomEnd - 1);
      if (/^\?<?[=!]/.test(inner))
        width = 0; // lookaround
      else {
        const body = /^\?(?::|<[A-Za-z_$][\w$]*>)/.exec(inner);
        if (inner.startsWith('?') && !body) return 0;
        width = regexMinLength(body ? inner.slice(body[0].length) : inner);
      }
    } else if (c === '^' || c === '$') width = 0;
    else if (c === '*' || c === '+' || c === '?' || c === '{' || c === '}' || c === ')' || c === '|')
      return 0;
    const q = repeatAt(source, atomEnd);
    if (q === null) return 0;
    total += width * q.min;
    i = q.next;
  }
  return total;
}
