/**
 * Rule model → closures. Field names are resolved through the variant's renames once; string tests
 * pick the cheapest exact form (equals, includes, startsWith, endsWith) over pre-lowered values and
 * fall back to the linear glob; regexes are compiled once and see bounded input.
 */
import { cidrContains } from './cidr.js';
import type { EventView } from './event-view.js';
import type { Condition, FieldTest, Search, ValueTest } from './model.js';
import { compileGlob, isAny, type PatternPart } from './pattern.js';
import { regexMinLength } from './regex-literal.js';
import { sequenceMatcher } from './regex-sequence.js';
import { MAX_REGEX_INPUT } from './regex-safety.js';
import { timePart } from './timepart.js';

/** Tests one string value (already lower-cased when the test is not cased). */
type StringPredicate = (value: string) => boolean;
export type ViewPredicate = (view: EventView) => boolean;

/** A pattern as the one exact string operation it needs, when it needs only one. */
type PatternForm =
  | { readonly op: 'equals' | 'starts' | 'ends' | 'contains'; readonly literal: string }
  | { readonly op: 'always' }
  | { readonly op: 'glob' };

function patternForm(parts: readonly PatternPart[]): PatternForm {
  const first = parts[0];
  const last = parts[parts.length - 1];
  const inner = parts.slice(isAny(first) ? 1 : 0, isAny(last) && parts.length > 1 ? -1 : undefined);
  if (parts.length === 0) return { op: 'equals', literal: '' };
  if (!inner.every((p) => typeof p === 'string')) return { op: 'glob' };
  const literal = inner.join('');
  const starts = isAny(first);
  const ends = isAny(last);
  if (parts.length === 1 && starts) return { op: 'always' };
  if (starts && ends) return { op: 'contains', literal };
  if (starts) return { op: 'ends', literal };
  if (ends) return { op: 'starts', literal };
  return { op: 'equals', literal };
}

function patternPredicate(parts: readonly PatternPart[]): StringPredicate {
  const form = patternForm(parts);
  switch (form.op) {
    case 'always':
      return () => true;
    case 'contains': {
      const literal = form.literal;
      return (v) => v.includes(literal);
    }
    case 'ends': {
      const literal = form.literal;
      return (v) => v.endsWith(literal);
    }
    case 'starts': {
      const literal = form.literal;
      return (v) => v.startsWith(literal);
    }
    case 'equals': {
      const literal = form.literal;
      return (v) => v === literal;
    }
    case 'glob':
      return compileGlob(parts);
  }
}

/**
 * Whether a value passes any of these tests, as one function: a field's value list (a rule may name
 * hundreds of DLLs) becomes a set of exact values and lists of prefixes, suffixes and substrings
 * looped over inline, instead of one closure call per listed value.
 */
function anyValue(tests: readonly ValueTest[], predicates: readonly StringPredicate[]): StringPredicate {
  if (predicates.length === 1) return predicates[0]!;
  const equals = new Set<string>();
  const starts: string[] = [];
  const ends: string[] = [];
  const contains: string[] = [];
  const others: StringPredicate[] = [];
  tests.forEach((test, i) => {
    const form: PatternForm = test.kind === 'pattern' ? patternForm(test.parts) : { op: 'glob' };
    if (form.op === 'equals') equals.add(form.literal);
    else if (form.op === 'starts') starts.push(form.literal);
    else if (form.op === 'ends') ends.push(form.literal);
    else if (form.op === 'contains') contains.push(form.literal);
    else others.push(predicates[i]!);
  });
  return (v) => {
    if (equals.has(v)) return true;
    for (let i = 0; i < starts.length; i++) if (v.startsWith(starts[i]!)) return true;
    for (let i = 0; i < ends.length; i++) if (v.endsWith(ends[i]!)) return true;
    for (let i = 0; i < contains.length; i++) if (v.includes(contains[i]!)) return true;
    for (let i = 0; i < others.length; i++) if (others[i]!(v)) return true;
    return false;
  };
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
          if (theirs === null) return false;
          // Loops, not some() with an arrow: no closure per evaluation on the hot path.
          for (let i = 0; i < values.length; i++) if (theirs.includes(values[i]!)) return true;
          return false;
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
  const field = test.field === null ? null : resolve(test.field);
  // One value, the common case: one closure (compiling thousands of rules should make few).
  if (compiled.length === 1) return singleTest(compiled[0]!, field);
  const valuesOf = (raw: boolean): ((view: EventView) => readonly string[] | null) =>
    field === null
      ? raw
        ? (view) => view.allRaw()
        : (view) => view.allLower()
      : raw
        ? (view) => view.strings(field)
        : (view) => view.lower(field);
  // Whole-event tests (fieldref, …) need a field; keywords test every value with onValue alone.
  const byView = (c: Compiled): boolean => c.onView !== undefined && field !== null;
  const preds: ViewPredicate[] = [];
  // Tests of one form (raw or lower-cased values) read the field once, not once per listed value.
  for (const raw of [false, true]) {
    const group = compiled.flatMap((c, i) => (byView(c) || c.raw !== raw ? [] : [i]));
    if (group.length === 0) continue;
    const values = valuesOf(raw);
    const onValues = group.map((i) => compiled[i]!.onValue);
    const missing = group.map((i) => compiled[i]!.onMissing);
    if (test.all) {
      const allMissing = missing.every(Boolean);
      preds.push((view) => {
        const vs = values(view);
        if (vs === null) return allMissing;
        for (let t = 0; t < onValues.length; t++) {
          const onValue = onValues[t]!;
          let seen = false;
          for (let i = 0; i < vs.length; i++)
            if (onValue(vs[i]!)) {
              seen = true;
              break;
            }
          if (!seen) return false;
        }
        return true;
      });
    } else {
      const anyMissing = missing.some(Boolean);
      // Built on first use: a rule compiled for its first candidate event often never reaches this test.
      let onValue: StringPredicate | undefined;
      preds.push((view) => {
        const vs = values(view);
        if (vs === null) return anyMissing;
        onValue ??= anyValue(
          group.map((i) => test.tests[i]!),
          onValues,
        );
        for (let i = 0; i < vs.length; i++) if (onValue(vs[i]!)) return true;
        return false;
      });
    }
  }
  for (const c of compiled) {
    const onView = c.onView;
    if (onView === undefined || !byView(c)) continue;
    const values = valuesOf(c.raw);
    preds.push((view) => onView(view, values(view)));
  }
  return test.all ? allOf(preds) : anyOf(preds);
}

function singleTest(c: Compiled, field: string | null): ViewPredicate {
  const onValue = c.onValue;
  if (field === null)
    return (view) => {
      const values = c.raw ? view.allRaw() : view.allLower();
      for (let i = 0; i < values.length; i++) if (onValue(values[i]!)) return true;
      return false;
    };
  const onView = c.onView;
  if (onView !== undefined) return (view) => onView(view, c.raw ? view.strings(field) : view.lower(field));
  return (view) => {
    const values = c.raw ? view.strings(field) : view.lower(field);
    if (values === null) return c.onMissing;
    for (let i = 0; i < values.length; i++) if (onValue(values[i]!)) return true;
    return false;
  };
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
