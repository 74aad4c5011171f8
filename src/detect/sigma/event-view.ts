/**
 * One event as the compiled matcher sees it: field values found once (exact name, then any case) and
 * lower-cased at most once per event, however many rules ask.
 */
import type { Event, FieldValue } from '../../core/event.js';

export class EventView {
  readonly fields: Event['fields'];
  /**
   * Field names lowered so far and their values, side by side: an event meets few predicates, which
   * ask for a handful of names (interned strings, so a compare is a pointer compare) — cheaper to
   * search in a row than a Map is to make per event. Made on first use.
   */
  #lowerNames: string[] | undefined;
  #lowerValues: (readonly string[] | null)[] | undefined;
  #keysByLower: Map<string, string> | undefined;
  #allLower: string[] | undefined;
  #allRaw: string[] | undefined;

  constructor(readonly event: Event) {
    this.fields = event.fields;
  }

  /**
   * The field's raw value, found by exact name or, failing that, ignoring case and spaces: Defender
   * writes `Threat Name` where rules say `ThreatName`.
   */
  raw(name: string): FieldValue | undefined {
    // Own fields only: a rule naming `constructor` must not find Object's. What Object.prototype
    // holds is a function or an object (`__proto__`), never a field value, so one read tells.
    const read = this.fields[name] as unknown;
    const exact =
      read === undefined
        ? undefined
        : typeof read === 'function' ||
            (typeof read === 'object' &&
              read !== null &&
              !Array.isArray(read) &&
              !Object.hasOwn(this.fields, name))
          ? undefined
          : (read as FieldValue);
    if (exact !== undefined) return exact;
    this.#keysByLower ??= keysByNormalizedName(Object.keys(this.fields));
    const key = this.#keysByLower.get(normalizeFieldName(name));
    return key === undefined ? undefined : this.fields[key];
  }

  /** The first of the field's string values (what `strings(name)?.[0]` gives), without an array for scalars. */
  first(name: string): string | undefined {
    const value = this.raw(name);
    if (typeof value === 'string') return value;
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? toStrings(value)?.[0] : String(value);
  }

  /** The field's values as strings (arrays flattened); null when the field is missing or null. */
  strings(name: string): readonly string[] | null {
    return toStrings(this.raw(name));
  }

  lower(name: string): readonly string[] | null {
    let names = this.#lowerNames;
    let lowered = this.#lowerValues;
    if (names === undefined || lowered === undefined) {
      names = this.#lowerNames = [];
      lowered = this.#lowerValues = [];
    } else {
      for (let i = 0; i < names.length; i++) if (names[i] === name) return lowered[i]!;
    }
    const value = this.raw(name);
    let values: readonly string[] | null;
    if (typeof value === 'string') values = [value.toLowerCase()];
    else {
      const strings = toStrings(value);
      values = strings === null ? null : strings.map((v) => v.toLowerCase());
    }
    names.push(name);
    lowered.push(values);
    return values;
  }

  /** Every string value of every field, lower-cased: what keywords search. */
  allLower(): readonly string[] {
    if (!this.#allLower) {
      const out: string[] = [];
      for (const value of Object.values(this.fields)) {
        const values = toStrings(value);
        if (values) for (const v of values) out.push(v.toLowerCase());
      }
      this.#allLower = out;
    }
    return this.#allLower;
  }

  allRaw(): readonly string[] {
    if (!this.#allRaw) {
      const out: string[] = [];
      for (const value of Object.values(this.fields)) {
        const values = toStrings(value);
        if (values) for (const v of values) out.push(v);
      }
      this.#allRaw = out;
    }
    return this.#allRaw;
  }
}

/**
 * The last event's keys and their map by normalised name: events of one template have the same keys
 * in the same order (interned strings, so comparing them is cheap), and a rule naming a field the
 * event lacks asks for the map on nearly every event. The map is never written once made.
 */
let lastKeys: readonly string[] = [];
let lastKeyMap = new Map<string, string>();

function keysByNormalizedName(keys: readonly string[]): Map<string, string> {
  if (keys.length === lastKeys.length) {
    let same = true;
    for (let i = 0; i < keys.length && same; i++) same = keys[i] === lastKeys[i];
    if (same) return lastKeyMap;
  }
  const map = new Map<string, string>();
  for (const k of keys) map.set(normalizeFieldName(k), k);
  lastKeys = keys;
  lastKeyMap = map;
  return map;
}

export function toStrings(value: FieldValue | undefined): readonly string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const v of value as readonly FieldValue[]) {
      const s = toStrings(v);
      if (s) out.push(...s);
    }
    return out;
  }
  return [String(value)];
}

// Field names repeat across millions of events; normalise each spelling once.
const normalized = new Map<string, string>();
const MAX_NORMALIZED = 100_000;

export function normalizeFieldName(name: string): string {
  let n = normalized.get(name);
  if (n === undefined) {
    n = name.replace(/ /g, '').toLowerCase();
    if (normalized.size < MAX_NORMALIZED) normalized.set(name, n);
  }
  return n;
}
