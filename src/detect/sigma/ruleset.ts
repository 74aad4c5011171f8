/**
 * Compiled rules, indexed by what an event can match — reader kind, Channel, EventID, Zeek log — so
 * each event meets only the rules that can fire on it. Meta filters are compiled with them.
 */
import type { Event } from '../../core/event.js';
import type { Issue } from '../../core/issue.js';
import { issue } from '../../core/issue.js';
import { compileCondition, compileSearch, type ViewPredicate } from './compile.js';
import { EventView } from './event-view.js';
import { variantsFor, WINDOWS_KINDS, type LogsourceMapping, type SourceVariant } from './logsource.js';
import type { Condition, Search, SigmaFilter, SigmaRule } from './model.js';
import type { CompileCheck, RuleLoad } from './parse.js';
import { BucketPrefilter, empty, PrefilterGroup } from './prefilter.js';
import type { PrefilterArena } from './prefilter-arena.js';
import type { PrefilterStore } from './prefilter-store.js';
import { requirementOf, type Requirement } from './requirement.js';

export interface CompiledRule {
  readonly rule: SigmaRule;
  /** Whether the rule fires on the event (log source, detection, meta filters), without the index. */
  matches(event: Event): boolean;
  /** The fields the rule's detection names (Sigma names, before renames). */
  readonly fieldNames: readonly string[];
}

interface CompiledVariant {
  readonly compiled: CompiledRuleImpl;
  readonly source: SourceVariant;
  readonly predicate: ViewPredicate;
  /**
   * Literals one of which must occur for the predicate to hold (see prefilter.ts); worked out when a
   * bucket holding the variant is first met, as most buckets never are in one scan.
   */
  readonly requirement: Requirement;
}

/**
 * A variant whose requirement is derived on first use, and whose predicate too when compiling was
 * checked beforehand (checkCompile): most buckets are never met in one scan, so most rules need no
 * closures at all.
 */
class LazyVariant implements CompiledVariant {
  #requirement: Requirement | undefined;
  #predicate: ViewPredicate | undefined;

  constructor(
    readonly compiled: CompiledRuleImpl,
    readonly source: SourceVariant,
    predicate?: ViewPredicate,
  ) {
    this.#predicate = predicate;
  }

  get predicate(): ViewPredicate {
    if (this.#predicate === undefined) {
      const rule = this.compiled.rule;
      try {
        this.#predicate = compileDetection(rule.searches, rule.condition, this.source.fieldMap);
      } catch {
        // Cannot happen for a variant checkCompile passed (same code, rule and mapping); were it
        // to, the variant fires on nothing, as a variant refused at load would.
        this.#predicate = () => false;
      }
    }
    return this.#predicate;
  }

  get requirement(): Requirement {
    if (this.#requirement === undefined) {
      try {
        this.#requirement = detectionRequirement(this.compiled.rule, this.source.fieldMap);
      } catch {
        // No requirement known: the variant is evaluated on every event of its bucket, never skipped.
        this.#requirement = null;
      }
    }
    return this.#requirement;
  }
}

function fieldNamesOf(searches: ReadonlyMap<string, Search>): string[] {
  const names = new Set<string>();
  const visit = (s: Search): void => {
    if (s.kind === 'and') {
      for (const t of s.items) if (t.field !== null) names.add(t.field);
    } else s.items.forEach(visit);
  };
  searches.forEach(visit);
  return [...names];
}

/** Whether the event comes from the variant's source (reader kind, channel, EventID, log type, conditions). */
export function sourceMatches(source: SourceVariant, view: EventView): boolean {
  const event = view.event;
  if (!source.kinds.has(event.source.kind)) return false;
  if (source.channels) {
    const channel = view.lower('Channel')?.[0];
    if (channel === undefined || !source.channels.includes(channel)) return false;
  }
  if (source.eventIds) {
    const id = Number(view.strings('EventID')?.[0]);
    if (!source.eventIds.includes(id)) return false;
  }
  if (source.logTypes) {
    const logType = event.source.logType?.toLowerCase();
    if (logType === undefined || !source.logTypes.includes(logType)) return false;
  }
  for (const c of source.conditions) {
    const values = view.lower(c.field);
    if (values === null) return false;
    let met = false;
    for (let i = 0; i < values.length && !met; i++) met = c.values.includes(values[i]!);
    if (!met) return false;
  }
  for (const f of source.requireFields) if (view.raw(f) === undefined) return false;
  return true;
}

function compileDetection(
  searches: ReadonlyMap<string, Search>,
  condition: Condition,
  fieldMap: Readonly<Record<string, string>>,
): ViewPredicate {
  const resolve = (f: string): string => fieldMap[f] ?? f;
  const compiled = new Map<string, ViewPredicate>();
  for (const [name, search] of searches) compiled.set(name, compileSearch(search, resolve));
  return compileCondition(condition, compiled);
}

function detectionRequirement(rule: SigmaRule, fieldMap: Readonly<Record<string, string>>): Requirement {
  return requirementOf(rule.condition, rule.searches, (f) => fieldMap[f] ?? f);
}

class CompiledRuleImpl implements CompiledRule {
  readonly variants: CompiledVariant[] = [];
  filters: { source: readonly SourceVariant[]; predicates: ViewPredicate[] }[] = [];
  readonly fieldNames: readonly string[];

  constructor(
    readonly rule: SigmaRule,
    /** Load order: detections of one event come out in this order. */
    readonly ordinal: number,
  ) {
    this.fieldNames = fieldNamesOf(rule.searches);
  }

  matchesView(view: EventView, variants: readonly CompiledVariant[]): boolean {
    for (const v of variants) {
      if (v.compiled !== this) continue;
      if (sourceMatches(v.source, view) && v.predicate(view)) return this.passesFilters(view);
    }
    return false;
  }

  passesFilters(view: EventView): boolean {
    for (const filter of this.filters) {
      // A filter applies to events of its own log source; there its condition must hold.
      for (let i = 0; i < filter.source.length; i++) {
        if (sourceMatches(filter.source[i]!, view) && !filter.predicates[i]!(view)) return false;
      }
    }
    return true;
  }

  matches(event: Event): boolean {
    return this.matchesView(new EventView(event), this.variants);
  }
}

/** Index bucket key → its variants: a Map, or one that makes a bucket's rules when first asked for. */
interface BucketIndex {
  has(key: string): boolean;
  get(key: string): readonly CompiledVariant[] | undefined;
  keys(): Iterable<string>;
}

/** Distinct (kind, channel, EventID) seen; hostile logs can invent any number, so the cache is bounded. */
const MAX_EVENT_KEYS = 4096;
const EMPTY_PREFILTER = new PrefilterGroup<never>([]);

export class RuleSet {
  readonly rules: readonly CompiledRule[];
  /** Rules whose variants could be indexed by channel or EventID; the rest are checked on every event of their kind. */
  indexedVariants = 0;
  /** Variants behind a literal prefilter (the rest are evaluated on every event of their bucket). */
  get guardedVariants(): number {
    let count = 0;
    for (const rule of this.rules as readonly CompiledRuleImpl[])
      for (const variant of rule.variants) if (variant.requirement !== null) count++;
    return count;
  }

  /** `kind|channel|eventId` keys (with `*` for any) → variants. */
  readonly #buckets: BucketIndex;
  /** Each bucket key's place in #buckets: how workers of one scan name a bucket in a shared arena. */
  readonly #bucketSlots = new Map<string, number>();
  /** Where the workers of one scan share built prefilters; none in a single thread. */
  readonly #arena: PrefilterArena | undefined;
  /** Where built prefilters are kept between scans of this rule set; none: built every time. */
  readonly #store: PrefilterStore | undefined;
  /** Each bucket's prefilter, built when an event first selects the bucket, then shared by every group. */
  readonly #prefilters = new Map<string, BucketPrefilter<CompiledVariant>>();
  /** The group of prefilters of each set of buckets an event can select, keyed by their keys. */
  readonly #groups = new Map<string, PrefilterGroup<CompiledVariant>>();
  /**
   * kind → raw Channel (or log type) → EventID → prefilter group: the per-event lookup, keyed by the
   * values as the event spells them, so the hot path builds no key string and lower-cases nothing.
   */
  readonly #byEvent = new Map<string, Map<string, Map<string, PrefilterGroup<CompiledVariant>>>>();
  #eventKeys = 0;
  /** Reused for each event's candidates: match() is synchronous and not re-entered. */
  readonly #candidates: CompiledVariant[] = [];

  constructor(
    rules: CompiledRuleImpl[],
    arena?: PrefilterArena,
    store?: PrefilterStore,
    /** Buckets made when first asked for (lazyRuleSet); `rules` then holds the rules made so far. */
    lazyBuckets?: BucketIndex,
  ) {
    this.rules = rules;
    this.#arena = arena;
    this.#store = store;
    if (lazyBuckets) {
      this.#buckets = lazyBuckets;
      for (const key of lazyBuckets.keys()) this.#bucketSlots.set(key, this.#bucketSlots.size);
      return;
    }
    const buckets = new Map<string, CompiledVariant[]>();
    for (const rule of rules) {
      for (const variant of rule.variants) {
        for (const key of indexKeys(variant.source)) {
          let list = buckets.get(key);
          if (!list) buckets.set(key, (list = []));
          list.push(variant);
        }
        if (variant.source.channels || variant.source.eventIds || variant.source.logTypes)
          this.indexedVariants++;
      }
    }
    this.#buckets = buckets;
    for (const key of buckets.keys()) this.#bucketSlots.set(key, this.#bucketSlots.size);
  }

  /**
   * The prefilter for an event: the index buckets its kind, channel, EventID and log type select,
   * grouped (each field is scanned once per event; each bucket's automata are built once).
   */
  #prefilterFor(view: EventView): PrefilterGroup<CompiledVariant> {
    const kind = view.event.source.kind;
    const windows = WINDOWS_KINDS.has(kind);
    const channel = (windows ? view.first('Channel') : view.event.source.logType) ?? '';
    const id = windows ? (view.first('EventID') ?? '') : '*';
    let prefilter = this.#byEvent.get(kind)?.get(channel)?.get(id);
    if (prefilter === undefined) {
      prefilter = this.#merge(kind, channel.toLowerCase(), id, windows);
      if (this.#eventKeys >= MAX_EVENT_KEYS) {
        this.#byEvent.clear();
        this.#eventKeys = 0;
      }
      let byChannel = this.#byEvent.get(kind);
      if (byChannel === undefined)
        this.#byEvent.set(
          kind,
          (byChannel = new Map<string, Map<string, PrefilterGroup<CompiledVariant>>>()),
        );
      let byId = byChannel.get(channel);
      if (byId === undefined)
        byChannel.set(channel, (byId = new Map<string, PrefilterGroup<CompiledVariant>>()));
      byId.set(id, prefilter);
      this.#eventKeys++;
    }
    return prefilter;
  }

  #merge(kind: string, channel: string, id: string, windows: boolean): PrefilterGroup<CompiledVariant> {
    const keys = windows
      ? [`${kind}|${channel}|${id}`, `${kind}|${channel}|*`, `${kind}|*|${id}`, `${kind}|*|*`]
      : [`${kind}|${channel}|*`, `${kind}|*|*`];
    const present = keys.filter((k) => this.#buckets.has(k));
    if (present.length === 0) return EMPTY_PREFILTER;
    // Only bucket keys the rules define can be present, so this map stays as small as the rule set.
    const signature = present.join('\n');
    let group = this.#groups.get(signature);
    if (group === undefined) {
      group = new PrefilterGroup(present.map((k) => this.#bucketPrefilter(k)));
      this.#groups.set(signature, group);
    }
    return group;
  }

  #bucketPrefilter(key: string): BucketPrefilter<CompiledVariant> {
    let prefilter = this.#prefilters.get(key);
    if (prefilter === undefined) {
      const variants = this.#buckets.get(key)!;
      // Requirements are read only when the bucket is built here, not when another worker's is adopted.
      const items = variants.map((item) => ({
        item,
        get requirement() {
          return item.requirement;
        },
      }));
      const store = this.#store;
      const build = (): BucketPrefilter<CompiledVariant> => {
        const stored = store?.load(key, items.length);
        if (stored !== undefined) return new BucketPrefilter(items, stored);
        const built = new BucketPrefilter(items);
        store?.save(key, items.length, built.state());
        return built;
      };
      const arena = this.#arena;
      prefilter =
        arena === undefined
          ? build()
          : arena.share(
              this.#bucketSlots.get(key)!,
              key,
              items.length,
              (state) => new BucketPrefilter(items, state),
              build,
            );
      this.#prefilters.set(key, prefilter);
    }
    return prefilter;
  }

  /** The rules that fire on this event (after meta filters), each once. */
  match(event: Event): CompiledRule[] {
    const view = new EventView(event);
    const candidates = this.#candidates;
    empty(candidates);
    this.#prefilterFor(view).select(event.fields, candidates);
    const fired: CompiledRuleImpl[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const v = candidates[i]!;
      const rule = v.compiled;
      if (fired.length > 0 && fired.includes(rule)) continue;
      if (v.source.conditions.length > 0 || v.source.requireFields.length > 0) {
        if (!sourceMatches(v.source, view)) continue;
      }
      if (v.predicate(view) && rule.passesFilters(view)) fired.push(rule);
    }
    empty(candidates);
    return fired.length > 1 ? fired.sort((a, b) => a.ordinal - b.ordinal) : fired;
  }
}

function indexKeys(source: SourceVariant): string[] {
  const keys: string[] = [];
  for (const kind of source.kinds) {
    if (WINDOWS_KINDS.has(kind)) {
      const channels = source.channels ?? ['*'];
      const ids = source.eventIds?.map(String) ?? ['*'];
      for (const c of channels) for (const id of ids) keys.push(`${kind}|${c}|${id}`);
    } else {
      for (const t of source.logTypes ?? ['*']) keys.push(`${kind}|${t}|*`);
    }
  }
  return keys;
}

/**
 * Compiles every loaded rule and filter; problems (unmapped log sources …) come back as issues.
 * With `compileCheck` (made by checkCompile for this load and mapping) rule predicates are compiled
 * when first used, and the failures it recorded are reported here as if compiled now.
 */
export function compileRuleSet(
  load: RuleLoad,
  mapping: LogsourceMapping,
  options: {
    readonly prefilterArena?: PrefilterArena;
    readonly prefilterStore?: PrefilterStore;
    readonly compileCheck?: CompileCheck;
  } = {},
): { ruleSet: RuleSet; problems: Issue[] } {
  const problems: Issue[] = [];
  const compiled: CompiledRuleImpl[] = [];
  const byRef = new Map<string, CompiledRuleImpl>();
  const check = options.compileCheck;
  for (const rule of load.rules) {
    const impl = new CompiledRuleImpl(rule, compiled.length);
    const { variants, note } = variantsFor(rule.logsource, mapping);
    if (note)
      problems.push(
        issue(
          'sigma.logsource.unmapped',
          note,
          { file: rule.file, line: rule.line, path: 'logsource' },
          'warning',
        ),
      );
    const failures = check?.failures.get(ruleKey(rule));
    variants.forEach((source, index) => {
      const failed = failures?.find((f) => f.variant === index);
      if (failed) {
        problems.push(compileFailure(rule, failed.message));
        return;
      }
      try {
        impl.variants.push(
          new LazyVariant(
            impl,
            source,
            check ? undefined : compileDetection(rule.searches, rule.condition, source.fieldMap),
          ),
        );
      } catch (error) {
        problems.push(compileFailure(rule, (error as Error).message));
      }
    });
    if (impl.variants.length === 0) continue;
    compiled.push(impl);
    byRef.set(rule.id, impl);
    if (rule.name) byRef.set(rule.name, impl);
  }
  for (const filter of load.filters) attachFilter(filter, byRef, mapping, problems);
  return {
    ruleSet: new RuleSet(compiled, options.prefilterArena, options.prefilterStore),
    problems,
  };
}

/**
 * Compiles every variant of every rule once, keeping only which fail: stored with a cached rule
 * set, it lets compileRuleSet compile lazily and still report each failure when the rules load.
 */
export function checkCompile(load: RuleLoad, mapping: LogsourceMapping): CompileCheck {
  const failures = new Map<string, { variant: number; message: string }[]>();
  for (const rule of load.rules) {
    variantsFor(rule.logsource, mapping).variants.forEach((source, variant) => {
      try {
        compileDetection(rule.searches, rule.condition, source.fieldMap);
      } catch (error) {
        const key = ruleKey(rule);
        failures.set(key, [...(failures.get(key) ?? []), { variant, message: (error as Error).message }]);
      }
    });
  }
  return { failures };
}

/** A rule's place, unique within a rule set (one YAML document per line at most). */
function ruleKey(rule: SigmaRule): string {
  return `${rule.file}\n${rule.line}`;
}

function compileFailure(rule: SigmaRule, message: string): Issue {
  return issue('sigma.compile.failed', message, { file: rule.file, line: rule.line });
}

function attachFilter(
  filter: SigmaFilter,
  byRef: ReadonlyMap<string, CompiledRuleImpl>,
  mapping: LogsourceMapping,
  problems: Issue[],
): void {
  const { variants } = variantsFor(filter.logsource, mapping);
  const predicates = variants.map((v) => compileDetection(filter.searches, filter.condition, v.fieldMap));
  for (const ref of filter.rules) {
    const target = byRef.get(ref);
    if (!target) {
      problems.push(
        issue(
          'sigma.filter.unknown-rule',
          `filter names rule "${ref}", which is not loaded`,
          { file: filter.file, line: filter.line, path: 'filter.rules' },
          'warning',
        ),
      );
      continue;
    }
    target.filters.push({ source: variants, predicates });
  }
}

/**
 * Where each compiled rule of a load sits in the index, worked out once (compileRuleSet's order and
 * ordinals) so a scan can make only the rules of the buckets its events meet: see lazyRuleSet.
 */
export interface RuleIndex {
  /** Bucket keys in RuleSet order, each with its variants as (rule ordinal, variant number) pairs. */
  readonly buckets: readonly (readonly [string, Int32Array])[];
  /** Per rule ordinal: its place in load.rules. */
  readonly loadIndexes: Int32Array;
  /**
   * The numbers (in variantsFor's list) of the variants that compile, rule after rule: rule `o`'s are
   * at [variantStarts[o], variantStarts[o + 1]) (one flat array: thousands of small ones cost more to
   * read back).
   */
  readonly variantStarts: Int32Array;
  readonly variants: Int32Array;
  /** The load.filters indexes attached to each rule, in attach order, laid out as the variants are. */
  readonly filterStarts: Int32Array;
  readonly filters: Int32Array;
}

/**
 * The index of a load compiled with its compile check, as compileRuleSet builds it (same rules left
 * out, same ordinals, same bucket order, filters attached by the same id-then-name look-up).
 */
export function ruleIndexOf(load: RuleLoad, mapping: LogsourceMapping, check: CompileCheck): RuleIndex {
  const loadIndexes: number[] = [];
  const variantLists: number[][] = [];
  const buckets = new Map<string, number[]>();
  const byRef = new Map<string, number>();
  load.rules.forEach((rule, loadIndex) => {
    const failures = check.failures.get(ruleKey(rule));
    const ordinal = loadIndexes.length;
    const kept: number[] = [];
    variantsFor(rule.logsource, mapping).variants.forEach((source, index) => {
      if (failures?.some((f) => f.variant === index)) return;
      kept.push(index);
      for (const key of indexKeys(source)) {
        let list = buckets.get(key);
        if (!list) buckets.set(key, (list = []));
        list.push(ordinal, index);
      }
    });
    if (kept.length === 0) return; // left out, as compileRuleSet leaves it out
    loadIndexes.push(loadIndex);
    variantLists.push(kept);
    byRef.set(rule.id, ordinal);
    if (rule.name) byRef.set(rule.name, ordinal);
  });
  const filters: number[][] = loadIndexes.map(() => []);
  load.filters.forEach((filter, filterIndex) => {
    for (const ref of filter.rules) {
      const ordinal = byRef.get(ref);
      if (ordinal !== undefined) filters[ordinal]!.push(filterIndex);
    }
  });
  const flat = (lists: readonly number[][]): { starts: Int32Array; items: Int32Array } => {
    const starts = new Int32Array(lists.length + 1);
    lists.forEach((list, i) => (starts[i + 1] = starts[i]! + list.length));
    return { starts, items: Int32Array.from(lists.flat()) };
  };
  const variants = flat(variantLists);
  const attached = flat(filters);
  return {
    buckets: [...buckets].map(([key, pairs]) => [key, Int32Array.from(pairs)] as const),
    loadIndexes: Int32Array.from(loadIndexes),
    variantStarts: variants.starts,
    variants: variants.items,
    filterStarts: attached.starts,
    filters: attached.items,
  };
}

/**
 * A RuleSet over a RuleIndex that makes a rule (its variants, its filters) only when an event first
 * meets one of its buckets, from `ruleAt` and `filterAt`. Its problems were reported when the index
 * was made; `rules` holds the rules made so far.
 */
export function lazyRuleSet(
  index: RuleIndex,
  ruleAt: (loadIndex: number) => SigmaRule,
  filterAt: (filterIndex: number) => SigmaFilter,
  mapping: LogsourceMapping,
  options: { readonly prefilterArena?: PrefilterArena; readonly prefilterStore?: PrefilterStore } = {},
): RuleSet {
  const made: CompiledRuleImpl[] = [];
  const byOrdinal = new Map<number, { impl: CompiledRuleImpl; bySource: Map<number, CompiledVariant> }>();
  const filterParts = new Map<number, { source: readonly SourceVariant[]; predicates: ViewPredicate[] }>();
  const filterPart = (filterIndex: number) => {
    let part = filterParts.get(filterIndex);
    if (part === undefined) {
      const filter = filterAt(filterIndex);
      const { variants } = variantsFor(filter.logsource, mapping);
      part = {
        source: variants,
        predicates: variants.map((v) => compileDetection(filter.searches, filter.condition, v.fieldMap)),
      };
      filterParts.set(filterIndex, part);
    }
    return part;
  };
  const ruleOf = (ordinal: number) => {
    let entry = byOrdinal.get(ordinal);
    if (entry === undefined) {
      const rule = ruleAt(index.loadIndexes[ordinal]!);
      const impl = new CompiledRuleImpl(rule, ordinal);
      const sources = variantsFor(rule.logsource, mapping).variants;
      const bySource = new Map<number, CompiledVariant>();
      for (let i = index.variantStarts[ordinal]!; i < index.variantStarts[ordinal + 1]!; i++) {
        const number = index.variants[i]!;
        const variant = new LazyVariant(impl, sources[number]!);
        impl.variants.push(variant);
        bySource.set(number, variant);
      }
      for (let i = index.filterStarts[ordinal]!; i < index.filterStarts[ordinal + 1]!; i++)
        impl.filters.push(filterPart(index.filters[i]!));
      byOrdinal.set(ordinal, (entry = { impl, bySource }));
      made.push(impl);
    }
    return entry;
  };
  const pairs = new Map(index.buckets);
  const buckets = new Map<string, readonly CompiledVariant[]>();
  const lazyBuckets: BucketIndex = {
    has: (key) => pairs.has(key),
    keys: () => pairs.keys(),
    get(key) {
      let variants = buckets.get(key);
      if (variants === undefined) {
        const list = pairs.get(key);
        if (list === undefined) return undefined;
        const out: CompiledVariant[] = [];
        for (let i = 0; i < list.length; i += 2) out.push(ruleOf(list[i]!).bySource.get(list[i + 1]!)!);
        buckets.set(key, (variants = out));
      }
      return variants;
    },
  };
  return new RuleSet(made, options.prefilterArena, options.prefilterStore, lazyBuckets);
}
