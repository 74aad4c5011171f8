/**
 * Sigma condition expressions: `not` binds tighter than `and`, `and` tighter than `or`; parentheses;
 * `1 of x*`, `any of x*`, `all of them` (identifiers starting with `_` are not part of `them`).
 */
import type { Condition } from './model.js';

export interface ConditionProblem {
  readonly code: string;
  readonly message: string;
}

type Token = { readonly t: 'word'; readonly v: string } | { readonly t: '(' | ')' } | { readonly t: 'end' };

function tokenize(text: string): Token[] | ConditionProblem {
  const out: Token[] = [];
  const re = /\s*(?:(\()|(\))|([^\s()]+))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) break;
    last = re.lastIndex;
    if (m[1]) out.push({ t: '(' });
    else if (m[2]) out.push({ t: ')' });
    else if (m[3]) {
      if (m[3] === '|')
        return {
          code: 'sigma.condition.pipe',
          message: 'aggregations with "|" are replaced by correlation rules',
        };
      out.push({ t: 'word', v: m[3] });
    }
  }
  if (text.slice(last).trim() !== '')
    return { code: 'sigma.condition.syntax', message: `cannot read "${text.slice(last)}"` };
  out.push({ t: 'end' });
  return out;
}

/** Parses a condition over the given identifiers; patterns are resolved against them now. */
export function parseCondition(text: string, identifiers: readonly string[]): Condition | ConditionProblem {
  const tokens = tokenize(text);
  if (!Array.isArray(tokens)) return tokens;
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const word = (): string | undefined => {
    const t = peek();
    return t.t === 'word' ? t.v.toLowerCase() : undefined;
  };
  let problem: ConditionProblem | undefined;
  const fail = (message: string): Condition => {
    problem ??= { code: 'sigma.condition.syntax', message };
    return { kind: 'or', items: [] };
  };

  const resolvePattern = (pattern: string): string[] => {
    if (pattern === 'them') return identifiers.filter((i) => !i.startsWith('_'));
    if (!pattern.includes('*')) return identifiers.filter((i) => i === pattern);
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return identifiers.filter((i) => re.test(i));
  };

  const primary = (): Condition => {
    const t = peek();
    if (t.t === '(') {
      pos++;
      const inner = or();
      if (peek().t !== ')') return fail('missing ")"');
      pos++;
      return inner;
    }
    if (t.t !== 'word') return fail(t.t === 'end' ? 'condition ends too early' : 'unexpected ")"');
    const w = t.v.toLowerCase();
    if (
      (w === '1' || w === 'any' || w === 'all') &&
      tokens[pos + 1]?.t === 'word' &&
      (tokens[pos + 1] as { v: string }).v.toLowerCase() === 'of'
    ) {
      pos += 2;
      const target = peek();
      if (target.t !== 'word') return fail(`"${w} of" needs a pattern or "them"`);
      pos++;
      const names = resolvePattern(target.v === 'them' ? 'them' : target.v);
      if (names.length === 0) {
        problem ??= {
          code: 'sigma.condition.unknown-identifier',
          message: `"${target.v}" matches no search identifier`,
        };
      }
      return { kind: 'of', quantifier: w === 'all' ? 'all' : 'one', names };
    }
    if (w === 'and' || w === 'or' || w === 'not' || w === 'of') return fail(`unexpected "${t.v}"`);
    pos++;
    if (!identifiers.includes(t.v)) {
      problem ??= {
        code: 'sigma.condition.unknown-identifier',
        message: `"${t.v}" is not a search identifier`,
      };
    }
    return { kind: 'id', name: t.v };
  };

  const not = (): Condition => {
    if (word() === 'not') {
      pos++;
      return { kind: 'not', inner: not() };
    }
    return primary();
  };

  const and = (): Condition => {
    const items = [not()];
    while (word() === 'and') {
      pos++;
      items.push(not());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };

  const or = (): Condition => {
    const items = [and()];
    while (word() === 'or') {
      pos++;
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };

  const result = or();
  if (!problem && peek().t !== 'end') fail(`unexpected text after the condition`);
  return problem ?? result;
}
