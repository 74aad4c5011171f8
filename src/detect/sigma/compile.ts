/**
 * Rule model → closures. Field names are resolved through the variant's renames once; string tests
 * pick the cheapest exact form (equals, includes, startsWith, endsWith) over pre-lowered values and
 * fall back to the linear glob; regexes are compiled once and see bounded input.
 */
import { cidrContains } from './cidr.js';
import type { EventView } from './event-view.js';
import type { Condition, FieldTest, Search, ValueTest } from './model.js';
import { isAny, tokens, globMatch, type PatternPart } from './pattern.js';
import { regexMinLength } from './regex-literal.js';
import { sequenceMatcher } from './regex-sequence.js';
import { MAX_REGEX_INPUT } from './regex-safety.js';
import { timePart } from './timepart.js';

/** Tests one string value (already lower-cased when the test is not cased). */
type StringPredicate = (value: string) => boolean;
export type ViewPredicate = (view: EventView) => boolean;

function patternPredicate(parts: readonly PatternPart[]): StringPredicate {
  const first = parts[0];
  const last = parts[parts.length - 1];
  const inner = parts.slice(isAny(first) ? 1 : 0, isAny(last) && parts.length > 1 ? -1 : undefined);
  if (parts.length === 0) return (v) => v === '';
  if (inner.every((p) => typeof p === 'string')) {
    const literal = inner.join('');
    const starts = isAny(first);
    const ends = isAny(last);
    if (parts.length === 1 && starts) return () => true;
    if (starts && ends) return (v) => v.includes(literal);
    if (starts) return (v) => v.endsWith(literal);
    if (ends) return (v) => v.startsWith(literal);
    return (v) => v === literal;
  }
  const toks = tokens(parts);
  return (v) => globMatch(v, toks);
}

interface Compiled {
  /** Whether the test wants the raw string (regex, cased) instead of the lower-cased one. */
  readonly raw: boolean;
  readonly onValue: StringPredicate;
  /** Result when the field is missing or null. */
  readonly onMissing: boolean;
  /** Tests that look at the whole event (exists, fieldref) instead of one value. */
  readonly onView?: (view: EventView, values: readonly string[] | null) => boolean;
}

function compileValueTest(test: ValueTest, resolve: (f: string) => string): Compiled {
  switch (test.kind) {
    case 'pattern':
      return { raw: test.cased, onValue: patternPredicate(test.parts), onMissing: false };
    case 'regex': {
      const re = new RegExp(test.source, test.flags);
      const matches = sequenceMatcher(test.source, test.flags) ?? ((v: string) => re.test(v));
      // A value shorter than any match cannot match; most command lines are shorter than SNAKE's 82.
      const min = regexMinLength(test.source);
      return {
        raw: true,
        onValue: (v) =>
          v.length >= min && matches(v.length > MAX_REGEX_INPUT ? v.slice(0, MAX_REGEX_INPUT) : v),
        onMissing: false,
      };
    }
    case 'cidr':
      return { raw: true, onValue: (v) => cidrContains(test.cidr, v), onMissing: false };
    case 'compare': {
      const { op, value } = test;
      const cmp =
        op === 'gt'
          ? (n: number) => n > value
          : op === 'gte'
            ? (n: number) => n >= value
            : op === 'lt'
              ? (n: number) => n < value
              : (n: number) => n <= value;
      return {
        raw: true,
        onValue: (v) => {
          const n = Number(v);
          return v.trim() !== '' && Number.isFinite(n) && cmp(n);
        },
        onMissing: false,
      };
    }
    case 'null':
      return { raw: true, onValue: () => false, onMissing: true };
    case 'exists':
      return { raw: true, onValue: () => test.want, onMissing: !test.want };
    case 'fieldref': {
      const other = resolve(test.field);
      return {
        raw: test.cased,
        onValue: () => false,
        onMissing: false,
        onView: (view, values) => {
          if (values === null) return false;
          const theirs = test.cased ? view.strings(other) : view.lower(other);
          return theirs !== null && values.some((v) => theirs.includes(v));
        },
      };
    }
    case 'timepart': {
      const inner = compileValueTest(test.inner, resolve);
      return {
        raw: true,
        onValue: (v) => {
          const n = timePart(v, test.part);
          return n !== undefined && inner.onValue(String(n));
        },
        onMissing: false,
      };
    }
    case 'not': {
      const inner = compileValueTest(test.inner, resolve);
      const view = inner.onView;
      return {
        raw: inner.raw,
        onValue: (v) => !inner.onValue(v),
        onMissing: !inner.onMissing,
        ...(view ? { onView: (w: EventView, values: readonly string[] | null) => !view(w, values) } : {}),
      };
    }
    case 'anyOf': {
      const parts = test.tests.map((t) => compileValueTest(t, resolve));
      const raw = parts.some((p) => p.raw);
      if (raw && !parts.every((p) => p.raw)) {
        // Mixed: evaluate each against its own form through onView.
        return {
          raw: true,
          onValue: () => false,
          onMissing: parts.some((p) => p.onMissing),
          onView: (view, values) =>
            parts.some((p) =>
              values === null
                ? p.onMissing
                : p.onValue !== undefined && values.some((v) => p.onValue(p.raw ? v : v.toLowerCase())),
            ),
        };
      }
      return {
        raw,
        onValue: (v) => {
          for (let i = 0; i < parts.length; i++) if (parts[i]!.onValue(v)) return true;
          return false;
        },
        onMissing: parts.some((p) => p.onMissing),
      };
    }
  }
}

function compileFieldTest(test: FieldTest, resolve: (f: string) => string): ViewPredicate {
  const compiled = test.tests.map((t) => compileValueTest(t, resolve));
  if (test.field === null) {
    // Keywords: any value of any field.
    const one =
      (c: Compiled): ViewPredicate =>
      (view) => {
        const values = c.raw ? view.allRaw() : view.allLower();
        for (const v of values) if (c.onValue(v)) return true;
        return false;
      };
    const preds = compiled.map(one);
    return test.all ? allOf(preds) : anyOf(preds);
  }
  const field = resolve(test.field);
  const one = (c: Compiled): ViewPredicate => {
    if (c.onView) {
      const onView = c.onView;
      return (view) => onView(view, c.raw ? view.strings(field) : view.lower(field));
    }
    return (view) => {
      const values = c.raw ? view.strings(field) : view.lower(field);
      if (values === null) return c.onMissing;
      for (const v of values) if (c.onValue(v)) return true;
      return false;
    };
  };
  const preds = compiled.map(one);
  return test.all ? allOf(preds) : anyOf(preds);
}

export function compileSearch(search: Search, resolve: (f: string) => string): ViewPredicate {
  if (search.kind === 'and') return allOf(search.items.map((t) => compileFieldTest(t, resolve)));
  return anyOf(search.items.map((s) => compileSearch(s, resolve)));
}

// Loops rather than `every`/`some` with an arrow: no closure is made per call on the hot path.
function allOf(preds: readonly ViewPredicate[]): ViewPredicate {
  if (preds.length === 1) return preds[0]!;
  return (view) => {
    for (let i = 0; i < preds.length; i++) if (!preds[i]!(view)) return false;
    return true;
  };
}

function anyOf(preds: readonly ViewPredicate[]): ViewPredicate {
  if (preds.length === 1) return preds[0]!;
  return (view) => {
    for (let i = 0; i < preds.length; i++) if (preds[i]!(view)) return true;
    return false;
  };
}

export function compileCondition(
  condition: Condition,
  searches: ReadonlyMap<string, ViewPredicate>,
): ViewPredicate {
  switch (condition.kind) {
    case 'id': {
      const s = searches.get(condition.name);
      return s ?? (() => false);
    }
    case 'not': {
      const inner = compileCondition(condition.inner, searches);
      return (view) => !inner(view);
    }
    case 'and':
      return allOf(condition.items.map((c) => compileCondition(c, searches)));
    case 'or':
      return anyOf(condition.items.map((c) => compileCondition(c, searches)));
    case 'of': {
      const items = condition.names.map((n) => searches.get(n) ?? (() => false));
      return condition.quantifier === 'all' ? allOf(items) : anyOf(items);
    }
  }
}
