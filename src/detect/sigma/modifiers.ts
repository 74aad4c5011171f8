/**
 * Field modifiers (`CommandLine|contains|windash`): one table from name to what it does to a value,
 * applied in the order written, turning a rule's raw values into ValueTests.
 */
import { parseCidr } from './cidr.js';
import type { FieldTest, TimePart, ValueTest } from './model.js';
import { ANY, isAny, literalOf, lowerParts, parseSigmaString, type PatternPart } from './pattern.js';
import { checkRegex } from './regex-safety.js';

export interface ModifierProblem {
  readonly code: string;
  readonly message: string;
}

/** `bytes`: the values are already byte strings (one char per byte) from a utf16 step. */
interface EncodingState {
  bytes: boolean;
}

type StringTransform = (parts: PatternPart[][], state: EncodingState) => PatternPart[][] | ModifierProblem;

const TIME_PARTS: readonly TimePart[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];

/** Every modifier the specification names; the string ones as transforms, the rest as flags. */
const STRING_TRANSFORMS: Record<string, StringTransform> = {
  contains: (values) => values.map((p) => wrap(p, true, true)),
  startswith: (values) => values.map((p) => wrap(p, false, true)),
  endswith: (values) => values.map((p) => wrap(p, true, false)),
  base64: (values, state) => encodeEach(values, (text) => [[base64(text, state)]], state, false),
  base64offset: (values, state) =>
    encodeEach(values, (text) => base64Offsets(text, state.bytes).map((s) => [s]), state, false),
  utf16le: (values, state) => encodeEach(values, (text) => [[utf16(text, false, false)]], state, true),
  wide: (values, state) => encodeEach(values, (text) => [[utf16(text, false, false)]], state, true),
  utf16be: (values, state) => encodeEach(values, (text) => [[utf16(text, true, false)]], state, true),
  utf16: (values, state) => encodeEach(values, (text) => [[utf16(text, false, true)]], state, true),
  windash: (values) => values.map(windash),
};

const FLAGS = new Set([
  'all',
  'cased',
  'exists',
  'fieldref',
  're',
  'i',
  'm',
  's',
  'cidr',
  'gt',
  'gte',
  'lt',
  'lte',
  'neq',
  'expand',
  ...TIME_PARTS,
]);

export function isKnownModifier(name: string): boolean {
  return name in STRING_TRANSFORMS || FLAGS.has(name);
}

function wrap(parts: PatternPart[], start: boolean, end: boolean): PatternPart[] {
  const out = [...parts];
  if (start && !isAny(out[0])) out.unshift(ANY);
  if (end && !isAny(out[out.length - 1])) out.push(ANY);
  return out;
}

/** Text → the string whose chars are its bytes (one char per byte), for the encoding chain. */
function encodeEach(
  values: PatternPart[][],
  encode: (text: string) => PatternPart[][],
  state: EncodingState,
  producesBytes: boolean,
): PatternPart[][] | ModifierProblem {
  const out: PatternPart[][] = [];
  for (const parts of values) {
    const literal = literalOf(parts);
    if (literal === undefined) {
      return {
        code: 'sigma.modifier.wildcard-encoding',
        message: 'wildcards cannot be encoded (base64/utf16)',
      };
    }
    out.push(...encode(literal));
  }
  state.bytes = producesBytes;
  return out;
}

/** Text as bytes: UTF-8, or one byte per char when a utf16 step made it a byte string. */
function toBytes(text: string, isBytes: boolean): Buffer {
  return Buffer.from(text, isBytes ? 'latin1' : 'utf8');
}

function utf16(text: string, bigEndian: boolean, bom: boolean): string {
  const le = Buffer.from(text, 'utf16le');
  if (bigEndian) le.swap16();
  return (bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), le]) : le).toString('latin1');
}

function base64(text: string, state: EncodingState): string {
  return toBytes(text, state.bytes).toString('base64');
}

/**
 * The three encodings of a value at byte offsets 0, 1 and 2 inside a longer base64 string, with the
 * characters that depend on unknown neighbours cut off (as pySigma and the specification do).
 */
export function base64Offsets(text: string, isBytes = false): string[] {
  const bytes = toBytes(text, isBytes);
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64');
    const endCut = ends[(bytes.length + shift) % 3]!;
    const cut = encoded.slice(starts[shift], endCut === 0 ? undefined : encoded.length + endCut);
    out.push(cut.replace(/=+$/, ''));
  }
  return out;
}

const DASHES = '-/\u2013\u2014\u2015';

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /\w/.test(c);
}

/** `-x` and `/x` flags (a dash not after a word character, before one) accept every dash spelling. */
function windash(parts: PatternPart[]): PatternPart[] {
  const out: PatternPart[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      out.push(part);
      continue;
    }
    let literal = '';
    for (let i = 0; i < part.length; i++) {
      const c = part[i]!;
      if ((c === '-' || c === '/') && !isWordChar(part[i - 1]) && isWordChar(part[i + 1])) {
        if (literal) out.push(literal);
        literal = '';
        out.push({ oneOf: DASHES });
      } else literal += c;
    }
    if (literal) out.push(literal);
  }
  return out;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function expandPlaceholders(
  text: string,
  placeholders: Readonly<Record<string, readonly string[]>> | undefined,
): string[] | ModifierProblem {
  const names = [...text.matchAll(/%([\w.-]+)%/g)].map((m) => m[1]!);
  let results = [text];
  for (const name of new Set(names)) {
    const values = placeholders?.[name];
    if (!values || values.length === 0) {
      return {
        code: 'sigma.placeholder.unset',
        message: `placeholder %${name}% has no value in the configuration`,
      };
    }
    results = results.flatMap((r) => values.map((v) => r.split(`%${name}%`).join(v)));
  }
  return results;
}

export interface FieldTestInput {
  readonly key: string;
  readonly raw: unknown;
  readonly path: string;
  readonly placeholders?: Readonly<Record<string, readonly string[]>> | undefined;
  readonly keyword?: boolean;
}

/** One `field|modifiers: value(s)` entry as a FieldTest, or the reason it cannot be one. */
export function buildFieldTest(input: FieldTestInput): FieldTest | ModifierProblem {
  const [fieldName = '', ...modifiers] = input.key.split('|');
  for (const m of modifiers) {
    if (!isKnownModifier(m)) return { code: 'sigma.modifier.unknown', message: `unknown modifier "${m}"` };
  }
  const has = (m: string): boolean => modifiers.includes(m);
  const field = input.keyword || fieldName === '' ? null : fieldName;
  const rawValues = Array.isArray(input.raw) ? (input.raw as unknown[]) : [input.raw];
  if (rawValues.length === 0) return { code: 'sigma.value.empty', message: 'empty value list' };
  const cased = has('cased');
  const timePart = TIME_PARTS.find((p) => has(p));
  const compareOp = (['gt', 'gte', 'lt', 'lte'] as const).find((op) => has(op));

  const tests: ValueTest[] = [];
  for (const raw of rawValues) {
    if (raw === null) {
      tests.push({ kind: 'null' });
      continue;
    }
    if (has('exists')) {
      if (typeof raw !== 'boolean')
        return { code: 'sigma.exists.value', message: 'exists takes true or false' };
      tests.push({ kind: 'exists', want: raw });
      continue;
    }
    if (typeof raw === 'object')
      return { code: 'sigma.value.type', message: 'a value must be a string, number, boolean or null' };
    if (has('fieldref')) {
      tests.push({ kind: 'fieldref', field: String(raw), cased });
      continue;
    }
    if (compareOp || timePart) {
      const n = Number(raw);
      if (!Number.isFinite(n))
        return { code: 'sigma.compare.value', message: `"${String(raw)}" is not a number` };
      const inner: ValueTest = compareOp
        ? { kind: 'compare', op: compareOp, value: n }
        : { kind: 'pattern', parts: [String(n)], cased: true };
      tests.push(timePart ? { kind: 'timepart', part: timePart, inner } : inner);
      continue;
    }
    if (has('cidr')) {
      const cidr = parseCidr(String(raw));
      if (!cidr) return { code: 'sigma.cidr.invalid', message: `"${String(raw)}" is not a CIDR range` };
      tests.push({ kind: 'cidr', cidr, text: String(raw) });
      continue;
    }
    const text = scalarText(raw)!;
    if (has('re')) {
      const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
      const verdict = checkRegex(text, flags);
      if (!verdict.ok) return { code: 'sigma.regex.refused', message: verdict.reason ?? 'regex refused' };
      tests.push({ kind: 'regex', source: verdict.source, flags: verdict.flags });
      continue;
    }
    let texts: string[] = [text];
    if (has('expand')) {
      const expanded = expandPlaceholders(text, input.placeholders);
      if (!Array.isArray(expanded)) return expanded;
      texts = expanded;
    }
    let values: PatternPart[][] = texts.map((t) => parseSigmaString(t));
    const state: EncodingState = { bytes: false };
    for (const m of modifiers) {
      const transform = STRING_TRANSFORMS[m];
      if (!transform) continue;
      const next = transform(values, state);
      if (!Array.isArray(next)) return next;
      values = next;
    }
    if (
      field === null &&
      !modifiers.some((m) => m === 'startswith' || m === 'endswith' || m === 'contains')
    ) {
      // Keywords are searched for anywhere in a value.
      values = values.map((p) => wrap(p, true, true));
    }
    const valueTests: ValueTest[] = values.map((parts) => ({
      kind: 'pattern',
      parts: cased ? parts : lowerParts(parts),
      cased,
    }));
    tests.push(valueTests.length === 1 ? valueTests[0]! : { kind: 'anyOf', tests: valueTests });
  }
  if (has('neq'))
    return { field, tests: [{ kind: 'not', inner: { kind: 'anyOf', tests } }], all: false, path: input.path };
  return { field, tests, all: has('all'), path: input.path };
}
