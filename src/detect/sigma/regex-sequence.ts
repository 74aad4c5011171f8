/**
 * Regexes of the shape `lit.*lit.*lit` (plain literals joined by `.*`), matched without backtracking.
 * JavaScript tries every split of every `.*`: SigmaHQ's `\+.*\+.*…\+` (14 pluses) takes
 * milliseconds on one long command line. Without the `s` flag, `.` is anything but a line
 * terminator, so such a regex matches exactly when one line holds the literals in order, and taking
 * each literal at its earliest place after the previous one finds them whenever they are there.
 *
 * Example: sequenceMatcher('\\+.*\\+', '')?.('a+b+c') → true.
 */

/** Characters a backslash makes literal here; other escapes are left to the regex engine. */
const ESCAPED = /^[\\^$.|?*+()[\]{}/\-,:;=!<>'"#%&@~`_ ]$/;
const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const LINE_TERMINATORS = /[\n\r\u2028\u2029]/;

/** The literals of a `lit.*lit…` pattern, or undefined when it has any other shape. */
function sequenceParts(source: string): string[] | undefined {
  const parts: string[] = [''];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined || !ESCAPED.test(e)) return undefined;
      parts[parts.length - 1] += e;
      i++;
    } else if (c === '.' && source[i + 1] === '*' && source[i + 2] !== '?' && source[i + 2] !== '+') {
      parts.push('');
      i++;
    } else if (META.has(c) || LINE_TERMINATORS.test(c)) return undefined;
    else parts[parts.length - 1] += c;
  }
  return parts.length > 1 ? parts.filter((p) => p !== '') : undefined;
}

/** ASCII letters lower-cased and nothing else: what `i` without `u` compares. */
function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * A matcher equivalent to `new RegExp(source, flags).test`, or undefined when the pattern is not a
 * plain `.*` sequence this module can vouch for (flags other than i and m, `s`, non-ASCII with `i`).
 */
export function sequenceMatcher(source: string, flags: string): ((text: string) => boolean) | undefined {
  if (/[^im]/.test(flags)) return undefined;
  const parts = sequenceParts(source);
  if (parts === undefined) return undefined;
  const fold = flags.includes('i');
  if (fold && parts.some((p) => /[^\x00-\x7f]/.test(p))) return undefined;
  const wanted = fold ? parts.map(foldAscii) : parts;
  return (text) => {
    const t = fold ? foldAscii(text) : text;
    for (const line of t.split(LINE_TERMINATORS)) {
      let from = 0;
      let k = 0;
      for (; k < wanted.length; k++) {
        const at = line.indexOf(wanted[k]!, from);
        if (at < 0) break;
        from = at + wanted[k]!.length;
      }
      if (k === wanted.length) return true;
    }
    return false;
  };
}
