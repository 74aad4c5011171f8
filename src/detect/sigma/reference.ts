/**
 * The reference evaluator: a direct reading of the specification over the rule model — no index,
 * no caches, no fast paths, every comparison lower-cases on the spot and every pattern goes through
 * the glob. It is slow on purpose; the compiled RuleSet must agree with it on every corpus event.
 */
import type { Event, FieldValue } from '../../core/event.js';
import { cidrContains } from './cidr.js';
import { variantsFor, type LogsourceMapping, type SourceVariant } from './logsource.js';
import type { Condition, FieldTest, Search, SigmaFilter, SigmaRule, ValueTest } from './model.js';
import { globMatch, tokens } from './pattern.js';
import { MAX_REGEX_INPUT } from './regex-safety.js';
import { timePart } from './timepart.js';

function lookup(event: Event, name: string): FieldValue | undefined {
  if (Object.hasOwn(event.fields, name)) return event.fields[name];
  const wanted = name.replace(/ /g, '').toLowerCase();
  for (const key of Object.keys(event.fields))
    if (key.replace(/ /g, '').toLowerCase() === wanted) return event.fields[key];
  return undefined;
}

function flatten(value: FieldValue | undefined): string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return (value as FieldValue[]).flatMap((v) => flatten(v) ?? []);
  return [String(value)];
}

function testValue(
  test: ValueTest,
  value: string | null,
  event: Event,
  rename: (f: string) => string,
): boolean {
  switch (test.kind) {
    case 'null':
      return value === null;
    case 'exists':
      return (value !== null) === test.want;
    case 'not':
      return !testValue(test.inner, value, event, rename);
    case 'anyOf':
      return test.tests.some((t) => testValue(t, value, event, rename));
  }
  if (value === null) return false;
  switch (test.kind) {
    case 'pattern':
      return globMatch(test.cased ? value : value.toLowerCase(), tokens(test.parts));
    case 'regex':
      return new RegExp(test.source, test.flags).test(value.slice(0, MAX_REGEX_INPUT));
    case 'cidr':
      return cidrContains(test.cidr, value);
    case 'compare': {
      if (value.trim() === '') return false;
      const n = Number(value);
      if (!Number.isFinite(n)) return false;
      return test.op === 'gt'
        ? n > test.value
        : test.op === 'gte'
          ? n >= test.value
          : test.op === 'lt'
            ? n < test.value
            : n <= test.value;
    }
    case 'fieldref': {
      const other = flatten(lookup(event, rename(test.field)));
      if (other === null) return false;
      return other.some((o) => (test.cased ? o === value : o.toLowerCase() === value.toLowerCase()));
    }
    case 'timepart': {
      const n = timePart(value, test.part);
      return n !== undefined && testValue(test.inner, String(n), event, rename);
    }
  }
}

function testOne(
  test: ValueTest,
  values: string[] | null,
  event: Event,
  rename: (f: string) => string,
): boolean {
  if (values === null) return testValue(test, null, event, rename);
  if (test.kind === 'not') return !testOne(test.inner, values, event, rename);
  if (test.kind === 'exists') return test.want;
  return values.some((v) => testValue(test, v, event, rename));
}

function fieldTest(test: FieldTest, event: Event, rename: (f: string) => string): boolean {
  const values =
    test.field === null
      ? Object.values(event.fields).flatMap((v) => flatten(v) ?? [])
      : flatten(lookup(event, rename(test.field)));
  const results = test.tests.map((t) => testOne(t, values, event, rename));
  return test.all ? results.every(Boolean) : results.some(Boolean);
}

function search(s: Search, event: Event, rename: (f: string) => string): boolean {
  return s.kind === 'and'
    ? s.items.every((t) => fieldTest(t, event, rename))
    : s.items.some((x) => search(x, event, rename));
}

function condition(
  c: Condition,
  searches: ReadonlyMap<string, Search>,
  event: Event,
  rename: (f: string) => string,
): boolean {
  switch (c.kind) {
    case 'id': {
      const s = searches.get(c.name);
      return s !== undefined && search(s, event, rename);
    }
    case 'not':
      return !condition(c.inner, searches, event, rename);
    case 'and':
      return c.items.every((x) => condition(x, searches, event, rename));
    case 'or':
      return c.items.some((x) => condition(x, searches, event, rename));
    case 'of': {
      const results = c.names.map((n) => condition({ kind: 'id', name: n }, searches, event, rename));
      return c.quantifier === 'all' ? results.every(Boolean) : results.some(Boolean);
    }
  }
}

function fromSource(v: SourceVariant, event: Event): boolean {
  if (!v.kinds.has(event.source.kind)) return false;
  const first = (name: string): string | undefined => flatten(lookup(event, name))?.[0];
  if (v.channels && !v.channels.includes((first('Channel') ?? '').toLowerCase())) return false;
  if (v.eventIds && !v.eventIds.includes(Number(first('EventID')))) return false;
  if (v.logTypes && !v.logTypes.includes((event.source.logType ?? '').toLowerCase())) return false;
  for (const c of v.conditions) {
    const values = flatten(lookup(event, c.field)) ?? [];
    if (!values.some((x) => c.values.includes(x.toLowerCase()))) return false;
  }
  return v.requireFields.every((f) => lookup(event, f) !== undefined);
}

// The mapping is pure data; resolving it once per log source keeps the reference usable on
// corpus-sized differential tests without changing what it decides.
const variantCache = new WeakMap<object, WeakMap<object, readonly SourceVariant[]>>();
function variants(ls: SigmaRule['logsource'], mapping: LogsourceMapping): readonly SourceVariant[] {
  let byMapping = variantCache.get(mapping);
  if (!byMapping) variantCache.set(mapping, (byMapping = new WeakMap()));
  let found = byMapping.get(ls);
  if (!found) byMapping.set(ls, (found = variantsFor(ls, mapping).variants));
  return found;
}

/** Whether `rule` fires on `event`, filters included, by the plain reading of the spec. */
export function referenceMatch(
  rule: SigmaRule,
  event: Event,
  mapping: LogsourceMapping,
  filters: readonly SigmaFilter[] = [],
): boolean {
  const fires = variants(rule.logsource, mapping).some((v) => {
    const rename = (f: string): string => v.fieldMap[f] ?? f;
    return fromSource(v, event) && condition(rule.condition, rule.searches, event, rename);
  });
  if (!fires) return false;
  for (const filter of filters) {
    if (!filter.rules.includes(rule.id) && !(rule.name !== undefined && filter.rules.includes(rule.name)))
      continue;
    for (const v of variants(filter.logsource, mapping)) {
      const rename = (f: string): string => v.fieldMap[f] ?? f;
      if (fromSource(v, event) && !condition(filter.condition, filter.searches, event, rename)) return false;
    }
  }
  return true;
}
