/**
 * The literal prefilter of one index bucket: a process-creation event meets a thousand rules, most
 * of which need some literal in some field (requirement.ts). One automaton per field holds every
 * literal asked of that field; one more holds the keyword (field-less) literals. Only rules each of
 * whose clauses saw one of its literals are returned. Rules with no requirement are always returned.
 *
 * An event selects up to four buckets (its channel and EventID, either, neither); a PrefilterGroup
 * scans its fields once for all of them, and each bucket's automata are built once, whatever groups
 * share the bucket. Field literals are scanned field by field; keyword literals once over every value
 * of the event joined by a character no keyword literal holds, so no occurrence spans two values.
 *
 * Which fields are scanned: the event's own, each under its name normalised as EventView.raw
 * normalises it. The predicate reads either the exact name or a key with the same normalised name,
 * so scanning every key of that normalised name covers whatever it reads (and perhaps more, which
 * only costs a needless evaluation).
 */
import type { EventFields, FieldValue } from '../../core/event.js';
import { normalizeFieldName } from './event-view.js';
import { AnchoredLiterals, type Anchor, type AnchoredState } from './anchored-literals.js';
import { LiteralAutomaton, type AutomatonState } from './literal-automaton.js';
import { MAX_CLAUSES, type Requirement } from './requirement.js';

/** Event field names seen, → their automata; bounded, as hostile logs can invent names freely. */
const MAX_KEYS = 10_000;

/** What finds the literals of one field in a value: an automaton (anywhere) or anchored literals. */
interface LiteralMatcher {
  scan(text: string, found: number[]): void;
}

/** Whether a (lower-cased) literal could occur in String(n) of a number n or String(b) of a boolean. */
function mayOccurInScalar(literal: string): boolean {
  return (
    /^[0-9.eE+-]+$/.test(literal) ||
    ['infinity', '-infinity', 'nan', 'true', 'false'].some((word) => word.includes(literal))
  );
}

/**
 * A built bucket prefilter as numbers, strings and typed arrays, items named by their index in the
 * bucket's item list: another worker with the same rules adopts it instead of deriving requirements
 * and building automata (prefilter-arena.ts).
 */
export interface BucketState {
  readonly always: Int32Array<ArrayBufferLike>;
  readonly guarded: Int32Array<ArrayBufferLike>;
  readonly ownerStart: Int32Array<ArrayBufferLike>;
  readonly ownerList: Int32Array<ArrayBufferLike>;
  readonly fullMask: Uint8Array<ArrayBufferLike>;
  readonly fields: readonly {
    readonly name: string;
    readonly automaton: AutomatonState | null;
    readonly anchored: AnchoredState | null;
  }[];
  readonly keywords: AutomatonState | null;
  readonly keywordsInScalars: boolean;
  readonly keywordLiterals: readonly (readonly [string, number])[];
}

export class BucketPrefilter<T> {
  readonly #always: T[] = [];
  readonly #guarded: T[] = [];
  /** Indices in the constructor's item list of #always and #guarded. */
  readonly #alwaysIndex: number[] = [];
  readonly #guardedIndex: number[] = [];
  /** Normalised field name → the matchers of the literals asked of that field. */
  readonly #byField = new Map<string, LiteralMatcher[]>();
  /** The same, by kind, for state(). */
  readonly #fieldState = new Map<
    string,
    { automaton: LiteralAutomaton | null; anchored: AnchoredLiterals | null }
  >();
  /** Keyword literals, scanned over the joined values; undefined when the bucket has none. */
  readonly keywords: LiteralAutomaton | undefined;
  /**
   * Whether some keyword literal could occur in a number's or a boolean's text (digits, `.`, `-`,
   * `+`, `e`, or within `infinity`, `nan`, `true`, `false`): if not, such values are not scanned for keywords.
   */
  readonly keywordsInScalars: boolean;
  /** The keyword literals and their ids, for a group that merges several buckets' keywords. */
  readonly keywordLiterals: readonly (readonly [string, number])[];
  /**
   * Literal id → the (guarded item, clause) pairs it satisfies, as item index × 4 + clause: those of
   * literal id are #ownerList[#ownerStart[id] … #ownerStart[id + 1]).
   */
  readonly #ownerStart: Int32Array<ArrayBufferLike>;
  readonly #ownerList: Int32Array<ArrayBufferLike>;
  /** Per guarded item, the mask of all its clauses. */
  readonly #fullMask: Uint8Array<ArrayBufferLike>;
  /** Per guarded item, clauses seen for the current event (bit 7: already picked). */
  readonly #masks: Uint8Array;
  /** Generation stamps, so nothing is cleared per event: marked when the stamp equals #generation. */
  readonly #itemStamps: Uint32Array;
  readonly #literalStamps: Uint32Array;
  #generation = 0;
  /** Literal ids seen in the current event (filled by a group's scan). */
  readonly found: number[] = [];
  readonly #picked: number[] = [];
  #solo: PrefilterGroup<T> | undefined;

  /** Builds from the items' requirements, or, given the state another worker built, adopts it. */
  constructor(items: readonly { item: T; requirement: Requirement }[], built?: BucketState) {
    if (built !== undefined) {
      for (const i of built.always) this.#always.push(items[i]!.item);
      for (const i of built.guarded) this.#guarded.push(items[i]!.item);
      this.#alwaysIndex.push(...built.always);
      this.#guardedIndex.push(...built.guarded);
      for (const { name, automaton, anchored } of built.fields) {
        const field = {
          automaton: automaton === null ? null : LiteralAutomaton.fromState(automaton),
          anchored: anchored === null ? null : AnchoredLiterals.fromState(anchored),
        };
        this.#fieldState.set(name, field);
        this.#byField.set(
          name,
          [field.automaton, field.anchored].filter((m) => m !== null),
        );
      }
      this.keywords = built.keywords === null ? undefined : LiteralAutomaton.fromState(built.keywords);
      this.keywordsInScalars = built.keywordsInScalars;
      this.keywordLiterals = built.keywordLiterals;
      this.#ownerStart = built.ownerStart;
      this.#ownerList = built.ownerList;
      this.#fullMask = built.fullMask;
      this.#masks = new Uint8Array(this.#guarded.length);
      this.#itemStamps = new Uint32Array(this.#guarded.length);
      this.#literalStamps = new Uint32Array(this.#ownerStart.length - 1);
      return;
    }
    const owners: number[][] = [];
    const literalIds = new Map<string, number>();
    const fieldLiterals = new Map<string, Map<string, number>>();
    const fieldAnchored = new Map<string, { literal: string; anchor: Anchor; id: number }[]>();
    const keywordLiterals = new Map<string, number>();
    const fullMask: number[] = [];
    for (const [itemIndex, { item, requirement }] of items.entries()) {
      // A name Object.prototype has (`constructor`) reads an inherited value no key scan sees.
      if (
        requirement === null ||
        requirement.length === 0 ||
        requirement.length > MAX_CLAUSES ||
        requirement.some(
          (c) =>
            c.length === 0 ||
            c.some((p) => p.literal === '' || (p.field !== null && p.field in Object.prototype)),
        )
      ) {
        this.#always.push(item);
        this.#alwaysIndex.push(itemIndex);
        continue;
      }
      const index = this.#guarded.length;
      this.#guarded.push(item);
      this.#guardedIndex.push(itemIndex);
      fullMask.push((1 << requirement.length) - 1);
      requirement.forEach((clause, c) => {
        for (const { field, literal, anchor } of clause) {
          const name = field === null ? null : normalizeFieldName(field);
          const key = `${name ?? ''}\u0000${field === null ? 'k' : (anchor ?? 'f')}\u0000${literal}`;
          let id = literalIds.get(key);
          if (id === undefined) {
            id = owners.length;
            literalIds.set(key, id);
            owners.push([]);
            if (name === null) keywordLiterals.set(literal, id);
            else if (anchor !== undefined) {
              let anchored = fieldAnchored.get(name);
              if (!anchored) fieldAnchored.set(name, (anchored = []));
              anchored.push({ literal, anchor, id });
            } else {
              let literals = fieldLiterals.get(name);
              if (!literals) fieldLiterals.set(name, (literals = new Map<string, number>()));
              literals.set(literal, id);
            }
          }
          const ofLiteral = owners[id]!;
          const owner = index * 4 + c;
          // An item's owners are pushed together, so a repeat can only be the last one.
          if (ofLiteral[ofLiteral.length - 1] !== owner) ofLiteral.push(owner);
        }
      });
    }
    const fieldOf = (name: string) => {
      let field = this.#fieldState.get(name);
      if (!field) this.#fieldState.set(name, (field = { automaton: null, anchored: null }));
      return field;
    };
    for (const [name, literals] of fieldLiterals) {
      const automaton = new LiteralAutomaton();
      for (const [literal, id] of literals) automaton.add(literal, id);
      fieldOf(name).automaton = automaton;
    }
    for (const [name, literals] of fieldAnchored) {
      const anchored = new AnchoredLiterals();
      for (const { literal, anchor, id } of literals) anchored.add(literal, anchor, id);
      fieldOf(name).anchored = anchored;
    }
    for (const [name, { automaton, anchored }] of this.#fieldState)
      this.#byField.set(
        name,
        [automaton, anchored].filter((m) => m !== null),
      );
    this.#ownerStart = new Int32Array(owners.length + 1);
    let ownerCount = 0;
    owners.forEach((o, id) => {
      this.#ownerStart[id] = ownerCount;
      ownerCount += o.length;
    });
    this.#ownerStart[owners.length] = ownerCount;
    this.#ownerList = Int32Array.from(owners.flat());
    let inScalars = false;
    if (keywordLiterals.size > 0) {
      const automaton = new LiteralAutomaton({ cover: true });
      for (const [literal, id] of keywordLiterals) {
        automaton.add(literal, id);
        inScalars ||= mayOccurInScalar(literal);
      }
      this.keywords = automaton;
    }
    this.keywordLiterals = [...keywordLiterals];
    this.keywordsInScalars = inScalars;
    this.#fullMask = Uint8Array.from(fullMask);
    this.#masks = new Uint8Array(this.#guarded.length);
    this.#itemStamps = new Uint32Array(this.#guarded.length);
    this.#literalStamps = new Uint32Array(owners.length);
  }

  /** This bucket, built, for another worker to adopt (every automaton is frozen now). */
  state(): BucketState {
    return {
      always: Int32Array.from(this.#alwaysIndex),
      guarded: Int32Array.from(this.#guardedIndex),
      ownerStart: this.#ownerStart,
      ownerList: this.#ownerList,
      fullMask: this.#fullMask,
      fields: [...this.#fieldState].map(([name, { automaton, anchored }]) => ({
        name,
        automaton: automaton?.state() ?? null,
        anchored: anchored?.state() ?? null,
      })),
      keywords: this.keywords?.state() ?? null,
      keywordsInScalars: this.keywordsInScalars,
      keywordLiterals: this.keywordLiterals,
    };
  }

  get guardedCount(): number {
    return this.#guarded.length;
  }

  get hasGuarded(): boolean {
    return this.#guarded.length > 0;
  }

  /** The matchers of the literals asked of this (normalised) field name (none: an empty list). */
  matchersOf(normalizedName: string): readonly LiteralMatcher[] {
    return this.#byField.get(normalizedName) ?? [];
  }

  /** Items that may fire on an event with these fields: unguarded ones first, then in their order. */
  select(fields: EventFields, into: T[]): void {
    (this.#solo ??= new PrefilterGroup([this])).select(fields, into);
  }

  pushAlways(into: T[]): void {
    for (let i = 0; i < this.#always.length; i++) into.push(this.#always[i]!);
  }

  /** The guarded items all of whose clauses saw one of their literals in `found`, in their order. */
  collect(into: T[]): void {
    const found = this.found;
    if (found.length === 0) return;
    let generation = ++this.#generation;
    if (generation === 0xffffffff) {
      this.#itemStamps.fill(0);
      this.#literalStamps.fill(0);
      generation = this.#generation = 1;
    }
    const itemStamps = this.#itemStamps;
    const literalStamps = this.#literalStamps;
    const masks = this.#masks;
    const fullMask = this.#fullMask;
    const picked = this.#picked;
    let pickedCount = 0;
    for (let f = 0; f < found.length; f++) {
      const id = found[f]!;
      if (literalStamps[id] === generation) continue;
      literalStamps[id] = generation;
      const ownerList = this.#ownerList;
      for (let o = this.#ownerStart[id]!, end = this.#ownerStart[id + 1]!; o < end; o++) {
        const owner = ownerList[o]!;
        const index = owner >> 2;
        if (itemStamps[index] !== generation) {
          itemStamps[index] = generation;
          masks[index] = 0;
        }
        const mask = masks[index]! | (1 << (owner & 3));
        masks[index] = mask;
        if (mask === fullMask[index]) {
          masks[index] = mask | 0x80;
          // Kept in item order as they come (an event picks a handful): no sort call per event.
          let at = pickedCount++;
          for (; at > 0 && picked[at - 1]! > index; at--) picked[at] = picked[at - 1]!;
          picked[at] = index;
        }
      }
    }
    empty(found);
    for (let p = 0; p < pickedCount; p++) into.push(this.#guarded[picked[p]!]!);
  }
}

/**
 * One event key in a group: its automata across the group's buckets (bucket index, automaton, …),
 * and the last value scanned under the key with what it found (target, id, … with target -1 for
 * keywords). Consecutive events of one kind repeat most values (provider, computer, user, parent
 * image); a value equal to the last one is not scanned again, its hits are replayed.
 */
interface FieldScan {
  readonly automata: readonly (number | LiteralMatcher)[];
  last: FieldValue | undefined;
  readonly hits: number[];
  /** How many of `hits` are the last value's: the list is overwritten, never shortened. */
  hitCount: number;
}

/** The buckets one event selects, scanned together: each field once, keywords once over all values. */
export class PrefilterGroup<T> {
  readonly #buckets: readonly BucketPrefilter<T>[];
  readonly #guarded: boolean;
  readonly #byKey = new Map<string, FieldScan>();
  /**
   * The keys of the last event, in its order, and each one's scan (null: nothing to scan under it).
   * Events of one group mostly come from one template, so their keys come in the same order: the
   * loop compares each key with the one at its place (interned strings: a pointer compare) instead
   * of looking it up, and skips keys no literal is asked of without reading their values.
   */
  readonly #shapeKeys: string[] = [];
  readonly #shapeScans: (FieldScan | null)[] = [];
  /**
   * Every bucket's keyword literals in one automaton, so each value is scanned for keywords once:
   * the bucket's own when only one has keywords, else a merged one whose ids are spread back by
   * #keywordBucket / #keywordId.
   */
  readonly #keywords: LiteralAutomaton | undefined;
  readonly #keywordsInScalars: boolean;
  /** Where keyword hits go: the one keyword bucket's found list, or #merged to be spread. */
  readonly #keywordFound: number[];
  readonly #merged: number[] = [];
  readonly #keywordBucket: Int32Array | undefined;
  readonly #keywordId: Int32Array | undefined;

  constructor(buckets: readonly BucketPrefilter<T>[]) {
    this.#buckets = buckets;
    this.#guarded = buckets.some((b) => b.hasGuarded);
    const withKeywords = buckets.filter((b) => b.keywords !== undefined);
    this.#keywordsInScalars = withKeywords.some((b) => b.keywordsInScalars);
    if (withKeywords.length === 1) {
      this.#keywords = withKeywords[0]!.keywords;
      this.#keywordFound = withKeywords[0]!.found;
    } else {
      this.#keywordFound = this.#merged;
      if (withKeywords.length > 1) {
        const automaton = new LiteralAutomaton({ cover: true });
        const bucketOf: number[] = [];
        const idOf: number[] = [];
        buckets.forEach((b, i) => {
          for (const [literal, id] of b.keywordLiterals) {
            automaton.add(literal, bucketOf.length);
            bucketOf.push(i);
            idOf.push(id);
          }
        });
        this.#keywords = automaton;
        this.#keywordBucket = Int32Array.from(bucketOf);
        this.#keywordId = Int32Array.from(idOf);
      }
    }
  }

  /** The scan under a key, or null when no bucket asks a literal of it and none has keywords. */
  #scanFor(key: string): FieldScan | null {
    let scan = this.#byKey.get(key);
    if (scan === undefined) {
      const name = normalizeFieldName(key);
      const automata: (number | LiteralMatcher)[] = [];
      this.#buckets.forEach((b, i) => {
        for (const matcher of b.matchersOf(name)) automata.push(i, matcher);
      });
      scan = { automata, last: undefined, hits: [], hitCount: 0 };
      if (this.#byKey.size >= MAX_KEYS) this.#byKey.clear();
      this.#byKey.set(key, scan);
    }
    return scan.automata.length === 0 && this.#keywords === undefined ? null : scan;
  }

  select(fields: EventFields, into: T[]): void {
    const buckets = this.#buckets;
    for (let b = 0; b < buckets.length; b++) buckets[b]!.pushAlways(into);
    if (!this.#guarded) return;
    const keywords = this.#keywords;
    const keywordsInScalars = this.#keywordsInScalars;
    const keywordFound = this.#keywordFound;
    const shapeKeys = this.#shapeKeys;
    const shapeScans = this.#shapeScans;
    let place = 0;
    let onShape = true;
    // for…in also visits inherited enumerable keys: more than the predicates read, never less.
    for (const key in fields) {
      let scan: FieldScan | null;
      if (onShape && shapeKeys[place] === key) scan = shapeScans[place]!;
      else {
        // Another shape from here on: this event's keys become the remembered ones.
        onShape = false;
        scan = this.#scanFor(key);
        shapeKeys[place] = key;
        shapeScans[place] = scan;
      }
      place++;
      if (scan === null) continue;
      const value = fields[key];
      if (value === null || value === undefined) continue;
      const hits = scan.hits;
      if (value === scan.last) {
        for (let h = 0, end = scan.hitCount; h < end; h += 2) {
          const target = hits[h]!;
          (target < 0 ? keywordFound : buckets[target]!.found).push(hits[h + 1]!);
        }
        continue;
      }
      let hitCount = 0;
      const automata = scan.automata;
      for (let s = 0; s < automata.length; s += 2) {
        const target = automata[s] as number;
        const found = buckets[target]!.found;
        const before = found.length;
        scanValue(automata[s + 1] as LiteralMatcher, value, found);
        for (let f = before; f < found.length; f++) {
          hits[hitCount++] = target;
          hits[hitCount++] = found[f]!;
        }
      }
      if (
        keywords !== undefined &&
        (typeof value === 'string' || keywordsInScalars || typeof value === 'object')
      ) {
        const before = keywordFound.length;
        scanValue(keywords, value, keywordFound);
        for (let f = before; f < keywordFound.length; f++) {
          hits[hitCount++] = -1;
          hits[hitCount++] = keywordFound[f]!;
        }
      }
      scan.hitCount = hitCount;
      // Arrays may be the same object with other contents; only scalars are remembered.
      scan.last = typeof value === 'object' ? undefined : value;
    }
    if (place < shapeKeys.length) {
      shapeKeys.length = place;
      shapeScans.length = place;
    }
    const merged = this.#merged;
    if (merged.length > 0) {
      const bucketOf = this.#keywordBucket!;
      const idOf = this.#keywordId!;
      for (let m = 0; m < merged.length; m++) buckets[bucketOf[merged[m]!]!]!.found.push(idOf[merged[m]!]!);
      empty(merged);
    }
    for (let b = 0; b < buckets.length; b++) buckets[b]!.collect(into);
  }
}

/**
 * Empties a list that is refilled per event: setting `length` calls into the runtime (≈ 3 % of a
 * match in a profile), pop() is compiled inline, and these lists hold a few dozen ids at most.
 */
export function empty(list: unknown[]): void {
  while (list.length > 0) list.pop();
}

/** Scans a field's values as EventView.strings gives them: arrays flattened, null skipped, others as text. */
function scanValue(automaton: LiteralMatcher, value: FieldValue | undefined, found: number[]): void {
  if (typeof value === 'string') automaton.scan(value, found);
  else if (value === null || value === undefined) return;
  else if (Array.isArray(value))
    for (const v of value as readonly FieldValue[]) scanValue(automaton, v, found);
  else automaton.scan(String(value), found);
}
