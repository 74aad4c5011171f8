/**
 * Multi-pattern prefilter. Most Sigma rules can only fire when some literal appears in some field
 * (`CommandLine|contains: ' -enc '`), and a process-creation event meets a thousand such rules. For
 * each rule we derive a necessary condition — "one of these (field, literal) pairs is present" — and
 * per index bucket run one Aho-Corasick automaton per field over the event's lower-cased values, so
 * only rules whose literals occur are evaluated. The condition is only ever necessary: a rule that
 * passes still runs its full predicate, so the prefilter cannot change a result, only skip work.
 */
import type { Condition, FieldTest, Search, ValueTest } from './model.js';
import type { PatternPart } from './pattern.js';

/** One of these pairs must be present (field already renamed, literal lower-cased); null: no such condition known. */
export type Requirement = readonly { readonly field: string; readonly literal: string }[] | null;

/**
 * The longest ASCII run of a pattern's literal text: every match contains it, lower-cased. Non-ASCII
 * characters end a run because their lower-casing is not always one character for one.
 */
function longestLiteral(parts: readonly PatternPart[]): string {
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
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 128) run += p[i]!.toLowerCase();
      else end();
    }
  }
  end();
  return best;
}

function valueRequirement(test: ValueTest, field: string): Requirement {
  switch (test.kind) {
    case 'pattern': {
      const literal = longestLiteral(test.parts);
      return literal === '' ? null : [{ field, literal }];
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
    const score = Math.min(shortest, 8) * 4 - r.length;
    if (score > chosenScore) {
      chosen = r;
      chosenScore = score;
    }
  }
  return chosen;
}

function fieldRequirement(test: FieldTest, resolve: (f: string) => string): Requirement {
  // Keyword searches look at every value: scanning whole events for a few keyword rules costs more
  // than evaluating those rules (bench/sigma.bench.ts), so they stay unguarded.
  if (test.field === null) return null;
  const field = resolve(test.field);
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

/**
 * Aho-Corasick over lower-case ASCII literals, scanned over lower-cased values. Transitions live in
 * one Map per state: a dense table would cost states × alphabet memory per field and bucket, and the
 * scan is not where matching spends its time (measured: bench/sigma.bench.ts).
 */
export class LiteralAutomaton {
  readonly #next: Map<number, number>[] = [new Map<number, number>()];
  readonly #fail: number[] = [0];
  /** Literal ids ending at each state, including those reached through fail links. */
  readonly #out: number[][] = [[]];
  #built = false;

  add(literal: string, id: number): void {
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const c = literal.charCodeAt(i);
      let to = this.#next[state]!.get(c);
      if (to === undefined) {
        to = this.#next.length;
        this.#next.push(new Map());
        this.#fail.push(0);
        this.#out.push([]);
        this.#next[state]!.set(c, to);
      }
      state = to;
    }
    this.#out[state]!.push(id);
  }

  build(): void {
    const queue: number[] = [...this.#next[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [c, to] of this.#next[state]!) {
        queue.push(to);
        let f = this.#fail[state]!;
        while (f !== 0 && !this.#next[f]!.has(c)) f = this.#fail[f]!;
        const target = this.#next[f]!.get(c);
        this.#fail[to] = target !== undefined && target !== to ? target : 0;
        const inherited = this.#out[this.#fail[to]]!;
        if (inherited.length > 0) this.#out[to] = [...this.#out[to]!, ...inherited];
      }
    }
    this.#built = true;
  }

  /**
   * Appends to `found` every literal id occurring in `text`, case-insensitively (ids may repeat).
   * ASCII is folded on the fly, so values need no lower-cased copy; text with other characters is
   * scanned lower-cased, since lower-casing can turn them into ASCII (the Kelvin sign into `k`).
   */
  scan(text: string, found: number[]): void {
    if (!this.#built) this.build();
    const next = this.#next;
    const fail = this.#fail;
    const out = this.#out;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) {
        this.scanLowered(text.toLowerCase(), found);
        return;
      }
      if (c >= 65 && c <= 90) c += 32;
      let to = next[state]!.get(c);
      while (to === undefined && state !== 0) {
        state = fail[state]!;
        to = next[state]!.get(c);
      }
      state = to ?? 0;
      const ids = out[state]!;
      for (let k = 0; k < ids.length; k++) found.push(ids[k]!);
    }
  }

  /** The same over text already lower-cased. */
  scanLowered(text: string, found: number[]): void {
    if (!this.#built) this.build();
    const next = this.#next;
    const fail = this.#fail;
    const out = this.#out;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let to = next[state]!.get(c);
      while (to === undefined && state !== 0) {
        state = fail[state]!;
        to = next[state]!.get(c);
      }
      state = to ?? 0;
      const ids = out[state]!;
      for (let k = 0; k < ids.length; k++) found.push(ids[k]!);
    }
  }
}

/** What a bucket's prefilter needs of an event: a field's string values. */
export interface StringFields {
  strings(field: string): readonly string[] | null;
}

/**
 * The prefilter of one index bucket: items with a requirement are returned only when one of their
 * literals occurs in the named field; items without one are always returned.
 */
export class BucketPrefilter<T> {
  readonly #always: T[] = [];
  readonly #guarded: T[] = [];
  readonly #fields = new Map<string, { automaton: LiteralAutomaton; owners: number[][] }>();
  /** Generation stamps: an item is selected for the current event when its stamp equals #generation. */
  #stamps = new Uint32Array(0);
  #generation = 0;
  readonly #found: number[] = [];

  constructor(items: readonly { item: T; requirement: Requirement }[]) {
    const literalIds = new Map<string, number>();
    for (const { item, requirement } of items) {
      if (requirement === null || requirement.length === 0) {
        this.#always.push(item);
        continue;
      }
      const index = this.#guarded.length;
      this.#guarded.push(item);
      for (const { field, literal } of requirement) {
        let entry = this.#fields.get(field);
        if (!entry) this.#fields.set(field, (entry = { automaton: new LiteralAutomaton(), owners: [] }));
        const key = `${field}\u0000${literal}`;
        let id = literalIds.get(key);
        if (id === undefined) {
          id = entry.owners.length;
          literalIds.set(key, id);
          entry.owners.push([]);
          entry.automaton.add(literal, id);
        }
        const owners = entry.owners[id]!;
        if (owners[owners.length - 1] !== index) owners.push(index);
      }
    }
    this.#stamps = new Uint32Array(this.#guarded.length);
  }

  get guardedCount(): number {
    return this.#guarded.length;
  }

  /** Items that may fire on the event whose fields `view` gives, in their original relative order per group. */
  select(view: StringFields, into: T[]): void {
    for (const item of this.#always) into.push(item);
    if (this.#guarded.length === 0) return;
    const generation = ++this.#generation;
    if (generation === 0xffffffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
    const stamps = this.#stamps;
    const gen = this.#generation;
    const picked: number[] = [];
    const found = this.#found;
    for (const [field, { automaton, owners }] of this.#fields) {
      const values = view.strings(field);
      if (values === null) continue;
      for (const value of values) {
        found.length = 0;
        automaton.scan(value, found);
        for (const id of found) {
          for (const index of owners[id]!) {
            if (stamps[index] !== gen) {
              stamps[index] = gen;
              picked.push(index);
            }
          }
        }
      }
    }
    picked.sort((a, b) => a - b);
    for (const index of picked) into.push(this.#guarded[index]!);
  }
}
