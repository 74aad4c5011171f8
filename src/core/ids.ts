/** Content-derived ids: the same record ingested twice gets the same id, so every write is idempotent. */
import { createHash, hash } from 'node:crypto';
import type { Event } from './event.js';

// Ingest calls stableJson once per event, so it is written for speed; its output is pinned, byte for
// byte, to the plain definition (test/core/ids.test.ts): ids of events stored by older versions must
// not change. The plain definition, for reading:
//   scalar → JSON.stringify(v) ?? 'null'; array → `[${a.map(stableJson).join(',')}]`;
//   object → `{${sortedKeys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`.

/** `"key":` per key seen; bounded, since keys are attacker-controlled. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_LIMIT = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size >= QUOTED_KEYS_LIMIT) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** An object shape's keys sorted, and each written `"key":`, computed once per shape. */
interface SortedShape {
  /** The keys in the object's own order. */
  readonly own: readonly string[];
  readonly keys: readonly string[];
  readonly quoted: readonly string[];
}

// Records of one reader come in runs of the same shape (one EVTX template, one Zeek log), and a few
// shapes alternate: the last shape is checked first, then a bounded map (shapes are log data).
let lastShape: SortedShape = { own: [], keys: [], quoted: [] };
const shapes = new Map<string, SortedShape>();
const SHAPES_LIMIT = 1_000;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sortedShape(record: object): SortedShape {
  const keys = Object.keys(record);
  if (sameKeys(keys, lastShape.own)) return lastShape;
  const name = keys.join('\0');
  let shape = shapes.get(name);
  // Keys may hold NUL themselves: a shape found under the joined name must list the same keys.
  if (shape === undefined || !sameKeys(keys, shape.own)) {
    const sorted = keys.slice().sort();
    shape = { own: keys, keys: sorted, quoted: sorted.map(quotedKey) };
    if (shapes.size >= SHAPES_LIMIT) shapes.clear();
    shapes.set(name, shape);
  }
  lastShape = shape;
  return shape;
}

function isScalar(v: unknown): boolean {
  const type = typeof v;
  return v === null || type === 'string' || type === 'number' || type === 'boolean';
}

/** A dense array of scalars: JSON.stringify writes it as stableJson does (a hole it would write `null`). */
function isScalarArray(v: unknown): boolean {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return false;
  const items = v as readonly unknown[];
  for (let i = 0; i < items.length; i++) if (!(i in items) || !isScalar(items[i])) return false;
  return true;
}

/**
 * Whether JSON.stringify writes the object as stableJson does: plain (no toJSON, no boxed primitive:
 * Date, String), own keys already sorted (objects built by core/shaped-fields.ts), and only strings,
 * numbers, booleans, nulls and dense arrays of them (undefined, symbols and functions it would leave
 * out). Checked key by key in enumeration order, without the shape lookup the general case needs:
 * 0.26 µs an event against 0.8 on evtx-attack-samples.
 */
function stringifiesStably(record: object): boolean {
  const proto = Object.getPrototypeOf(record) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const fields = record as Record<string, unknown>;
  let previous: string | undefined;
  // for…in lists own keys in Object.keys order here: the prototype is Object.prototype or none, and
  // an enumerable key added to Object.prototype only makes the check fail.
  for (const key in fields) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const v = fields[key];
    if (!isScalar(v) && !isScalarArray(v)) return false;
  }
  return true;
}

/** Stable JSON: object keys sorted, so equal content hashes equally whatever the reader's key order. */
export function stableJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    const items = value as readonly unknown[];
    let out = '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += ',';
      // `map` skips holes and `join` writes them as nothing.
      if (i in items) out += stableJson(items[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  if (stringifiesStably(record)) return JSON.stringify(record);
  const { keys, quoted } = sortedShape(record);
  // Parts joined once give a flat string; `+=` gave a rope of ~150 pieces that hashing and writing
  // each flattened again, and that a batch of events kept alive past the young generation.
  const parts = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = record[keys[i]!];
    parts[i] = quoted[i]! + (typeof v === 'string' ? JSON.stringify(v) : stableJson(v));
  }
  return `{${parts.join(',')}}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * An event's id: its kind, time and fields, not where it was read from (a copied file dedupes).
 * Written `<ms>.<sha1>`: the time first, so a store can keep its ids in one (time, id) index whose
 * inserts land near each other instead of at random (a random 1 M-entry index rewrote most of its
 * pages on every commit), and find an event by id through that index.
 */
export function eventId(event: Event): string {
  return eventIdAndFields(event).id;
}

/** The whole milliseconds an event is stored under (0 when it has no time): its id's prefix. */
export function eventIdTime(timestamp: number): number {
  // `+ 0` makes -0 (a time in (-1, 0]) plain 0, as the id writes it and keyOfId reads it back.
  return Number.isFinite(timestamp) ? Math.trunc(timestamp) + 0 : 0;
}

/** The id, and the fields as the stable JSON it was computed from (stores keep that text). */
export function eventIdAndFields(event: Event): { id: string; fieldsJson: string } {
  const fieldsJson = stableJson(event.fields);
  // One-shot hash of the same bytes the incremental hash saw: kind, NUL, time, NUL, fields.
  const digest = hash('sha1', `${eventIdPrefix(event)}${fieldsJson}`, 'hex');
  return { id: eventIdOfDigest(event.timestamp, digest), fieldsJson };
}

/**
 * What an event id hashes before the fields' stable JSON, in UTF-8: kind, NUL, time, NUL. A store
 * that writes the JSON's bytes anyway hashes this and those bytes, end to end, and gets the same id
 * as eventIdAndFields without making the text twice.
 */
export function eventIdPrefix(event: Event): string {
  return `${event.source.kind}\0${String(event.timestamp)}\0`;
}

/** The id of an event at `timestamp` whose prefix and stable JSON have this SHA-1 (hex). */
export function eventIdOfDigest(timestamp: number, sha1Hex: string): string {
  return `${eventIdTime(timestamp)}.${sha1Hex}`;
}

/**
 * The time an id names, or undefined for an id not of the `<ms>.<sha1>` form (ids before migration 11
 * were the bare hash).
 */
export function timeOfEventId(id: string): number | undefined {
  const dot = id.indexOf('.');
  if (dot <= 0) return undefined;
  const time = Number(id.slice(0, dot));
  return Number.isFinite(time) ? time : undefined;
}

/** The content hash in an event id: what detection ids are made of, so they outlive the id's form. */
function eventContentHash(id: string): string {
  return id.slice(id.indexOf('.') + 1);
}

/** A detection's id: the rule and the event it fired on (or, for a correlation, its last event and group). */
export function detectionId(d: {
  readonly ruleId: string;
  readonly timestamp: number;
  readonly eventId?: string;
  readonly source: Event['source'];
  readonly fields: Event['fields'];
}): string {
  const where =
    d.eventId !== undefined
      ? eventContentHash(d.eventId)
      : `${d.source.file}\0${d.source.offset ?? ''}\0${d.source.line ?? ''}\0${d.source.recordId ?? ''}`;
  return createHash('sha1')
    .update(d.ruleId)
    .update('\0')
    .update(String(d.timestamp))
    .update('\0')
    .update(where)
    .update('\0')
    .update(stableJson(d.fields))
    .digest('hex');
}
