/**
 * Necessary literal conditions. Most Sigma rules can only fire when some literal appears in some
 * field (`CommandLine|contains: ' -enc '`); for each rule we derive "one of these (field, literal)
 * pairs is present", which the prefilter checks for many rules at once. A requirement is only ever
 * necessary: a rule that passes still runs its full predicate, so it cannot change a result.
 */
import type { Condition, FieldTest, Search, ValueTest } from './model.js';
import type { PatternPart } from './pattern.js';
import { regexLiterals } from './regex-literal.js';

/**
 * One of these pairs must be present: the field already renamed (null: any value of any field, as
 * keywords search), the literal lower-cased. null: no such condition known.
 */
export type Requirement = readonly { readonly field: string | null; readonly literal: string }[] | null;

/**
 * The longest literal run of a pattern: every match contains it. Uncased patterns are stored
 * lower-cased and compared with the lower-cased value, which is exactly what the prefilter scans,
 * so any character may be part of the run. For cased ones only ASCII counts: the scan sees the
 * value lower-cased, and lower-casing other characters is not one-for-one (`Σ` depends on context).
 */
function longestLiteral(parts: readonly PatternPart[], cased: boolean): string {
  let best = '';
  let run = '';
  const end = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (const p of parts) {
    if (typeof p !== 'string') {
      end();
      continue;
    }
    if (!cased) {
      run += p;
      continue;
    }
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 128) run += p[i]!.toLowerCase();
      else end();
    }
  }
  end();
  return best;
}

function valueRequirement(test: ValueTest, field: string | null): Requirement {
  switch (test.kind) {
    case 'pattern': {
      const literal = longestLiteral(test.parts, test.cased);
      return literal === '' ? null : [{ field, literal }];
    }
    case 'regex': {
      const literals = regexLiterals(test.source, test.flags);
      return literals === null ? null : literals.map((literal) => ({ field, literal }));
    }
    case 'anyOf':
      return union(test.tests.map((t) => valueRequirement(t, field)));
    default:
      return null;
  }
}

function union(reqs: readonly Requirement[]): Requirement {
  if (reqs.length === 0 || reqs.some((r) => r === null)) return null;
  return reqs.flatMap((r) => r!);
}

/** Of several requirements that must all hold, keep the most selective: fewest, longest literals. */
function best(reqs: readonly Requirement[]): Requirement {
  let chosen: Requirement = null;
  let chosenScore = -Infinity;
  for (const r of reqs) {
    if (r === null || r.length === 0) continue;
    const shortest = Math.min(...r.map((p) => p.literal.length));
    // A named field is scanned alone; keywords make the prefilter look at every value.
    const score = Math.min(shortest, 8) * 4 - r.length - (r.some((p) => p.field === null) ? 8 : 0);
    if (score > chosenScore) {
      chosen = r;
      chosenScore = score;
    }
  }
  return chosen;
}

function fieldRequirement(test: FieldTest, resolve: (f: string) => string): Requirement {
  const field = test.field === null ? null : resolve(test.field);
  const each = test.tests.map((t) => valueRequirement(t, field));
  return test.all ? best(each) : union(each);
}

function searchRequirement(search: Search, resolve: (f: string) => string): Requirement {
  if (search.kind === 'and') return best(search.items.map((t) => fieldRequirement(t, resolve)));
  return union(search.items.map((s) => searchRequirement(s, resolve)));
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
        return best(c.items.map(visit));
      case 'or':
        return union(c.items.map(visit));
      case 'of': {
        const each = c.names.map(ofSearch);
        return c.quantifier === 'all' ? best(each) : union(each);
      }
    }
  };
  return visit(condition);
}
