/**
 * Field objects built so V8 keeps them in fast mode.
 *
 * An object that gets more than about twenty properties by keyed stores (`out[name] = value`) is turned
 * into a hash table by V8, and a Windows event has 20–60 fields: on evtx-attack-samples 80 % of the
 * flattened events were hash tables. Enumerating one (`for…in`, what the Sigma prefilter does) cost about
 * 9× a fast object, serialising it (the store) 1.6×, and building it twice what this builder costs.
 * So names and values are collected first, and the object is cloned from a fast template object with
 * the same keys (object spread copies its hidden class), then filled in place.
 *
 * The template lists the keys sorted, as the store keeps them: the object is then already in the
 * order of the stable JSON its content id hashes, and core/ids.ts serialises it with one native
 * JSON.stringify (2.5 µs an event on evtx-attack-samples) instead of key by key (4.2 µs).
 */
import { putField } from './fields.js';

interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  template: Record<string, unknown> | undefined;
}

/** Key sequences are log data, so the cache of shapes is bounded; past it, objects are built plainly. */
const MAX_SHAPE_NODES = 65_536;
let shapeNodes = 0;
const shapes: ShapeNode = { next: new Map(), template: undefined };

function templateFor(names: readonly string[]): Record<string, unknown> | undefined {
  let node = shapes;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    let child = node.next.get(name);
    if (child === undefined) {
      if (shapeNodes >= MAX_SHAPE_NODES) return undefined;
      child = { next: new Map(), template: undefined };
      node.next.set(name, child);
      shapeNodes++;
    }
    node = child;
  }
  if (node.template === undefined) {
    const keys: Record<string, null> = {};
    // Sorted as stableJson sorts (UTF-16 code units); integer-like names still come first, as V8
    // enumerates them first whatever the order they were added in, and stableJson then sorts.
    for (const name of names.slice().sort()) putField(keys, name, null);
    // JSON.parse makes fast-mode objects whatever the number of keys, `__proto__` as an own property.
    node.template = JSON.parse(JSON.stringify(keys)) as Record<string, unknown>;
  }
  return node.template;
}

/**
 * Collects fields (a later value under a name replaces the earlier); build() gives them in sorted key
 * order, and in the order collected only past the bounded shape cache.
 */
export class FieldsBuilder<T> {
  private readonly names: string[] = [];
  private readonly values: T[] = [];

  put(name: string, value: T): void {
    const at = this.names.indexOf(name);
    if (at >= 0) {
      this.values[at] = value;
      return;
    }
    this.names.push(name);
    this.values.push(value);
  }

  /** Adds the field unless one of that name is already there. */
  putIfAbsent(name: string, value: T): void {
    if (this.names.includes(name)) return;
    this.names.push(name);
    this.values.push(value);
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** The value collected under the name, or undefined. */
  get(name: string): T | undefined {
    const at = this.names.indexOf(name);
    return at >= 0 ? this.values[at] : undefined;
  }

  build(): Record<string, T> {
    return fieldsOf(this.names, this.values);
  }
}

/**
 * The fields named `names[i]` with `values[i]`, in sorted key order (past the bounded shape cache, in
 * the order given). A name given twice keeps its last value, as repeated stores would.
 */
export function fieldsOf<T>(names: readonly string[], values: readonly T[]): Record<string, T> {
  const template = templateFor(names);
  const out = (template === undefined ? {} : { ...template }) as Record<string, T>;
  // An own `__proto__` from the template takes a plain store; without a template putField defines it.
  for (let i = 0; i < names.length; i++) {
    if (template === undefined) putField(out, names[i]!, values[i]!);
    else out[names[i]!] = values[i]!;
  }
  return out;
}

/**
 * Field objects for the records of one header (Zeek TSV `#fields`, W3C `#Fields:`, a CSV header row):
 * the names are known once, so the sorted template is found once and each record is a clone of it,
 * filled by column. Sorted keys make the store's stable JSON one native JSON.stringify: on Zeek logs
 * it took 2.7 µs an event key by key.
 */
export class HeaderFields {
  readonly #names: readonly string[];
  readonly #template: Record<string, unknown> | undefined;

  constructor(names: readonly string[]) {
    this.#names = names;
    this.#template = templateFor(names);
  }

  /** A record's fields: `valueAt(i)` gives the value of column i (a later column of a name wins). */
  build<T>(valueAt: (column: number) => T): Record<string, T> {
    const names = this.#names;
    const template = this.#template;
    if (template === undefined) {
      const out: Record<string, T> = {};
      for (let i = 0; i < names.length; i++) putField(out, names[i]!, valueAt(i));
      return out;
    }
    const out = { ...template } as Record<string, T>;
    // An own `__proto__` from the template takes a plain store.
    for (let i = 0; i < names.length; i++) out[names[i]!] = valueAt(i);
    return out;
  }
}
