// Content ids must not change between versions (stored events dedupe against new ones): the fast
// stableJson and one-shot hash are pinned to the plain definitions they replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Event } from '../../src/core/event.js';
import { detectionId, eventIdAndFields, stableJson, timeOfEventId } from '../../src/core/ids.js';

/** The original definition, kept as the reference. */
function plainStableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(plainStableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${plainStableJson(record[k])}`).join(',')}}`;
}

function plainEventId(event: Event): string {
  return createHash('sha1')
    .update(event.source.kind)
    .update('\0')
    .update(String(event.timestamp))
    .update('\0')
    .update(plainStableJson(event.fields))
    .digest('hex');
}

// eslint-disable-next-line no-sparse-arrays
const sparse = [1, , 3];
const values: unknown[] = [
  null,
  undefined,
  true,
  0,
  -0,
  1.5e300,
  NaN,
  Infinity,
  -Infinity,
  '',
  'plain',
  'quote " backslash \\ newline \n tab \t nul \0',
  'lone \ud800 surrogate and pair 😀 and \u2028',
  [],
  [1, 'two', null, [3, [4]], { b: 1, a: 2 }],
  [undefined, () => 1],
  sparse,
  {},
  { b: 1, a: 2, c: { z: [1, { y: 2, x: 1 }], '': 0 } },
  { 10: 'ten', 2: 'two', a: 'a', '01': 'zero-one' },
  { é: 1, e: 2, E: 3, '😀': 4, '\ud800': 5 },
  { u: undefined, f: () => 1, s: Symbol('s'), n: null },
  Object.assign(Object.create(null) as object, { z: 1, a: 2 }),
  new Date(0),
  // Keys already in order (the native serialiser's case), with values it would write otherwise.
  { a: 'x', b: 2, c: null, d: true, e: -0, f: NaN, g: -Infinity, h: 'é\n"' },
  { a: undefined, b: 1 },
  { a: () => 1, b: Symbol('s') },
  { a: [3, 1], b: { d: 1, c: 2 } },
  // Arrays of scalars in sorted keys (evtx <Data> lists) take the native path; holes, undefined and
  // nesting do not.
  { Data: ['sa', ' Reason: "x"', null, 7, false], EventID: 18456 },
  { a: sparse, b: 1 },
  { a: [undefined], b: 1 },
  { a: [[1, 2]], b: [{ d: 1, c: 2 }] },
  { a: Object.assign([1, 2], { x: 1 }), b: 1 },
  { 9: 'nine', 10: 'ten' },
  Object.assign(Object.create(null) as object, { a: 1, b: 'two' }),
  JSON.parse('{"__proto__": 1, "a": 2}'),
  Object.assign(new String('ab'), { c: 1 }),
  Object.assign(new Date(0), { a: 1 }),
];

test('stableJson gives exactly what the plain definition gives', () => {
  values.forEach((value, i) => assert.equal(stableJson(value), plainStableJson(value), `value #${i}`));
});

test('stableJson: the shape cache never reuses an order for different keys', () => {
  // Same length, same order, then a different key; then the first shape again.
  const shapes = [
    { Computer: 'a', EventID: 1, Image: 'x' },
    { Computer: 'b', EventID: 2, Image: 'y' },
    { Computer: 'c', EventID: 3, Zmage: 'z' },
    { EventID: 4, Computer: 'd', Image: 'w' },
    { Computer: 'e', EventID: 5, Image: 'v' },
    { Computer: 'f', nested: [{ q: 1, p: 2 }], EventID: 6 },
    // Keys with NUL in them join to the same text as two other keys: still two shapes.
    { z: 1, 'a\0b': 2 },
    { 'z\0a': 1, b: 2 },
    { z: 3, 'a\0b': 4 },
  ];
  // Twice, so the second pass finds each shape in the cache, alternating as readers' shapes do.
  for (const s of [...shapes, ...shapes]) assert.equal(stableJson(s), plainStableJson(s));
});

test('event ids are the whole milliseconds, then the incremental sha1 of kind, time and stable fields', () => {
  const events: Event[] = [
    {
      timestamp: Date.UTC(2026, 4, 10, 2, 1),
      source: { kind: 'evtx', file: 'sec.evtx', recordId: 1 },
      fields: { EventID: 4624, Computer: 'WS-014', TargetUserName: 'ålice', IpAddress: '10.0.1.5' },
    },
    { timestamp: NaN, source: { kind: 'jsonl', file: 'x', line: 1 }, fields: { a: [1, 'b'], é: '\ud800' } },
    { timestamp: -0, source: { kind: 'zeek', file: 'conn.log', line: 2 }, fields: {} },
    { timestamp: 1_700_000_000_123.9, source: { kind: 'zeek', file: 'conn.log', line: 3 }, fields: {} },
  ];
  const prefixes = ['1778378460000', '0', '0', '1700000000123'];
  events.forEach((e, i) => {
    const { id, fieldsJson } = eventIdAndFields(e);
    // The hash is the id of every version before migration 11; the time in front is new.
    assert.equal(id, `${prefixes[i]}.${plainEventId(e)}`);
    assert.equal(timeOfEventId(id), Number(prefixes[i]));
    assert.equal(fieldsJson, plainStableJson(e.fields));
  });
  assert.equal(timeOfEventId('0123456789abcdef0123456789abcdef01234567'), undefined);
});

test('a detection id is made of its event hash, whatever form the event id has', () => {
  const detection = {
    ruleId: 'r1',
    timestamp: 5,
    source: { kind: 'evtx' as const, file: 'sec.evtx' },
    fields: { EventID: 4624 },
  };
  const hash = '0123456789abcdef0123456789abcdef01234567';
  assert.equal(
    detectionId({ ...detection, eventId: `5.${hash}` }),
    detectionId({ ...detection, eventId: hash }),
  );
  assert.notEqual(detectionId({ ...detection, eventId: `5.${hash}` }), detectionId(detection));
});
