/**
 * Necessary literal conditions. Most Sigma rules can only fire when some literal appears in some
 * field (`CommandLine|contains: ' -enc '`); for each rule we derive "one of these (field, literal)
 * pairs is present", which the prefilter checks for many rules at once. A requirement is only ever
 * necessary: a rule that passes still runs its full predicate, so it cannot change a result.
 */
import type { Anchor } from './anchored-literals.js';
import type { Condition, FieldTest, Search, ValueTest } from './model.js';
import type { PatternPart } from './pattern.js';
import { regexLiterals } from './regex-literal.js';

/**
 * One of these (field, literal) pairs is present: the field already renamed (null: any value of any
 * field, as keywords search), the literal lower-cased; with an anchor, the (lower-cased) value starts
 * with it, ends with it or is it, else it occurs anywhere in the value.
 */
export type Clause = readonly {
  readonly field: string | null;
  readonly literal: string;
  readonly anchor?: Anchor;
}[];

/**
 * Every clause holds (at most MAX_CLAUSES, the most selective): a rule that needs `Company:
 * Microsoft Corporation` and `Image|endswith: \csi.exe` waits for both. null: no condition known.
 */
export type Requirement = readonly Clause[] | null;

export const MAX_CLAUSES = 3;

/** A pattern's literal run and where in the value it must sit; see longestRun. */
interface Run {
  readonly literal: string;
  readonly anchor: Anchor | undefined;
}

/**
 * The longest literal run of a pattern: every match contains it; a run at the pattern's start (or
 * end, or the whole pattern) sits at the value's start (end, or is the value), and is preferred on a
 * tie, as an anchored literal is checked from the value's end instead of by a scan. Uncased patterns
 * are stored lower-cased and compared with the lower-cased value, which is exactly what the prefilter
 * sees, so any character may be part of the run. For cased ones only ASCII counts: the prefilter
 * sees the value lower-cased, and lower-casing other characters is not one-for-one (`Σ` depends on
 * context).
 */
function longestRun(parts: readonly PatternPart[], cased: boolean): Run {
  const runs: { text: string; from: number; to: number }[] = [];
  let run = '';
  let from = 0;
  let position = 0;
  const end = (): void => {
    if (run !== '') runs.push({ text: run, from, to: position });
    run = '';
  };
  for (const p of parts) {
    if (typeof p !== 'string') {
      end();
      position++;
      from = position;
      continue;
    }
    for (let i = 0; i < p.length; i++, position++) {
      const c = p.charCodeAt(i);
      if (!cased) run += p[i]!;
      else if (c < 128) run += p[i]!.toLowerCase();
      else {
        end();
        from = position + 1;
      }
    }
  }
  end();
  let best: Run = { literal: '', anchor: undefined };
  for (const r of runs) {
    const atStart = r.from === 0;
    const atEnd = r.to === position;
    const anchor: Anchor | undefined =
      atStart && atEnd ? 'exact' : atStart ? 'start' : atEnd ? 'end' : undefined;
    const longer = r.text.length > best.literal.length;
    const tieButAnchored =
      r.text.length === best.literal.length && anchor !== undefined && best.anchor === undefined;
    if (longer || tieButAnchored) best = { literal: r.text, anchor };
  }
  return best;
}

function valueRequirement(test: ValueTest, field: string | null): Requirement {
  switch (test.kind) {
    case 'pattern': {
      const { literal, anchor } = longestRun(test.parts, test.cased);
      if (literal === '') return null;
      // Keywords search every value of every field and are scanned as such, never from an end.
      return [[anchor === undefined || field === null ? { field, literal } : { field, literal, anchor }]];
    }
    case 'regex': {
      const literals = regexLiterals(test.source, test.flags);
      return literals === null ? null : [literals.map((literal) => ({ field, literal }))];
    }
    case 'anyOf':
      return anyOf(test.tests.map((t) => valueRequirement(t, field)));
    default:
      return null;
  }
}

/** Selectivity of a clause: fewer, longer literals are rarer; keywords make every value be scanned. */
function score(clause: Clause): number {
  let shortest = Infinity;
  let keyword = false;
  for (const p of clause) {
    shortest = Math.min(shortest, p.literal.length);
    keyword ||= p.field === null;
  }
  return Math.min(shortest, 8) * 4 - clause.length - (keyword ? 8 : 0);
}

/**
 * One of several holds. Each disjunct implies every one of its clauses, so a clause made of one
 * clause from each disjunct is implied by the whole; the j-th such clause takes each disjunct's
 * j-th most selective one.
 */
function anyOf(reqs: readonly Requirement[]): Requirement {
  if (reqs.length === 0 || reqs.some((r) => r === null || r.length === 0)) return null;
  const sides = reqs as readonly Clause[][];
  const count = Math.min(MAX_CLAUSES, Math.max(...sides.map((s) => s.length)));
  const out: Clause[] = [];
  for (let j = 0; j < count; j++) out.push(sides.flatMap((s) => s[j % s.length]!));
  return out;
}

/** All hold: every clause of every one does; keep the most selective few. */
function allOf(reqs: readonly Requirement[]): Requirement {
  const clauses = reqs.flatMap((r) => r ?? []);
  if (clauses.length === 0) return null;
  return clauses
    .map((clause) => ({ clause, score: score(clause) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_CLAUSES)
    .map((c) => c.clause);
}

function fieldRequirement(test: FieldTest, resolve: (f: string) => string): Requirement {
  const field = test.field === null ? null : resolve(test.field);
  const each = test.tests.map((t) => valueRequirement(t, field));
  return test.all ? allOf(each) : anyOf(each);
}

function searchRequirement(search: Search, resolve: (f: string) => string): Requirement {
  if (search.kind === 'and') return allOf(search.items.map((t) => fieldRequirement(t, resolve)));
  return anyOf(search.items.map((s) => searchRequirement(s, resolve)));
}

/** A necessary literal condition for a rule's detection under one variant's field renames. */
export function requirementOf(
  condition: Condition,
  searches: ReadonlyMap<string, Search>,
  resolve: (f: string) => string,
): Requirement {
  const ofSearch = (name: string): Requirement => {
    const s = searches.get(name);
    // A missing identifier never matches; any requirement would do, but "none" is the honest answer.
    return s === undefined ? null : searchRequirement(s, resolve);
  };
  const visit = (c: Condition): Requirement => {
    switch (c.kind) {
      case 'id':
        return ofSearch(c.name);
      case 'not':
        return null;
      case 'and':
        return allOf(c.items.map(visit));
      case 'or':
        return anyOf(c.items.map(visit));
      case 'of': {
        const each = c.names.map(ofSearch);
        return c.quantifier === 'all' ? allOf(each) : anyOf(each);
      }
    }
  };
  return visit(condition);
}
