/**
 * Windows events in the evtx_dump JSON shape (`Event.System`, `Event.EventData`, `Event.UserData`)
 * flattened to the field names Sigma rules use: System children by name (`EventID`, `Channel`,
 * `Computer`), System attributes as `<Element>_<Attribute>` (`Provider_Name`, `Execution_ProcessID`,
 * `Security_UserID`, `TimeCreated_SystemTime`), EventData and UserData leaves by name (`Image`,
 * `CommandLine`; UserData one level down: `UserData.LogFileCleared.SubjectUserName` → `SubjectUserName`).
 *
 * Both our EVTX parser and the evtx_dump JSON reader call this, so a rule sees the same event either way.
 */
import { FieldsBuilder } from '../../core/shaped-fields.js';
import type { FieldValue } from '../../core/event.js';
import { parseTimestamp } from '../../core/time.js';

type Json = unknown;
type Fields = Record<string, FieldValue>;
type Out = FieldsBuilder<FieldValue>;

const ATTRIBUTES = '#attributes';
const TEXT = '#text';

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value as a field value: scalars as they are, arrays element-wise, objects by their text. */
function toFieldValue(value: Json): FieldValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(toFieldValue);
  if (isObject(value) && TEXT in value) return toFieldValue(value[TEXT]);
  return JSON.stringify(value);
}

/**
 * `${element}_${attribute}` names, made once: the same few dozen recur in every record, and a key
 * that is already an internalised string is cheaper to store. Bounded, since names are log data.
 */
const attributeNames = new Map<string, Map<string, string>>();
const MAX_ATTRIBUTE_NAMES = 4096;
let attributeNameCount = 0;

function attributeName(element: string, attribute: string): string {
  let byAttribute = attributeNames.get(element);
  if (byAttribute === undefined) {
    if (attributeNameCount >= MAX_ATTRIBUTE_NAMES) {
      attributeNames.clear();
      attributeNameCount = 0;
    }
    byAttribute = new Map();
    attributeNames.set(element, byAttribute);
  }
  let name = byAttribute.get(attribute);
  if (name === undefined) {
    name = `${element}_${attribute}`;
    byAttribute.set(attribute, name);
    attributeNameCount++;
  }
  return name;
}

// Object.keys, not for…in: own keys only, in the same order Object.entries gives them.
function flattenSystem(system: Record<string, Json>, out: Out): void {
  const names = Object.keys(system);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = system[name];
    if (isObject(value)) {
      const attributes = value[ATTRIBUTES];
      if (isObject(attributes)) {
        const attributeKeys = Object.keys(attributes);
        for (let j = 0; j < attributeKeys.length; j++) {
          const attribute = attributeKeys[j]!;
          out.put(attributeName(name, attribute), toFieldValue(attributes[attribute]));
        }
      }
      if (TEXT in value) out.put(name, toFieldValue(value[TEXT]));
    } else if (name !== ATTRIBUTES) {
      out.put(name, toFieldValue(value));
    }
  }
}

/** EventData / UserData children: named leaves by name; nested elements (UserData's wrapper) recursed. */
function flattenData(data: Record<string, Json>, out: Out, depth: number): void {
  const names = Object.keys(data);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === ATTRIBUTES) continue;
    const value = data[name];
    if (isObject(value) && !(TEXT in value) && depth < 4) {
      flattenData(value, out, depth + 1);
    } else {
      // A data field never overwrites a System field of the same name (EventID, Channel …).
      out.putIfAbsent(name, toFieldValue(value));
    }
  }
}

/** Flat fields of one evtx_dump-shaped record (the object that has an `Event` key). */
export function flattenEvtxJson(record: Json): Fields {
  const out: Out = new FieldsBuilder();
  const event = isObject(record) && isObject(record.Event) ? record.Event : record;
  if (!isObject(event)) return out.build();
  if (isObject(event.System)) flattenSystem(event.System, out);
  const names = Object.keys(event);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === 'System' || name === ATTRIBUTES) continue;
    const value = event[name];
    if (isObject(value)) flattenData(value, out, 0);
    else if (value !== null && value !== undefined) out.put(name, toFieldValue(value));
  }
  return out.build();
}

/** The record's time, from `Event.System.TimeCreated.#attributes.SystemTime`; NaN when missing. */
export function evtxJsonTimestamp(fields: Fields): number {
  const value = fields.TimeCreated_SystemTime;
  if (typeof value === 'string' && value.length === 27) {
    const ms = systemTimeMs(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return parseTimestamp(value);
}

/** The digit at `i`, or NaN. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + digit(s, i);
  return n;
}

/**
 * evtx_dump's `YYYY-MM-DDTHH:MM:SS.ffffffZ` read without a regular expression, to the same
 * milliseconds as parseTimestamp; NaN when the text has any other form.
 */
function systemTimeMs(s: string): number {
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return Number.NaN;
  if (s[19] !== '.' || s[26] !== 'Z') return Number.NaN;
  const fraction = digits(s, 20, 6);
  if (Number.isNaN(fraction)) return Number.NaN;
  const ms = Math.floor(+`0.${s.slice(20, 26)}` * 1000);
  // NaN in any field makes Date.UTC NaN.
  return Date.UTC(
    digits(s, 0, 4),
    digits(s, 5, 2) - 1,
    digits(s, 8, 2),
    digits(s, 11, 2),
    digits(s, 14, 2),
    digits(s, 17, 2),
    ms,
  );
}
