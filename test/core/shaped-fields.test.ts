import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldsBuilder, HeaderFields } from '../../src/core/shaped-fields.js';
import { stableJson } from '../../src/core/ids.js';

function build(entries: readonly (readonly [string, unknown, 'put' | 'ifAbsent'])[]): Record<string, unknown> {
  const builder = new FieldsBuilder<unknown>();
  for (const [name, value, how] of entries) {
    if (how === 'put') builder.put(name, value);
    else builder.putIfAbsent(name, value);
  }
  return builder.build();
}

test('fields come out in sorted key order, as the stable JSON has them; put replaces the value, putIfAbsent keeps the first', () => {
  const fields = build([
    ['EventID', 1, 'put'],
    ['Channel', 'Security', 'put'],
    ['EventID', 4624, 'put'],
    ['Channel', 'System', 'ifAbsent'],
    ['Image', 'C:\\a.exe', 'ifAbsent'],
  ]);
  assert.deepEqual(Object.keys(fields), ['Channel', 'EventID', 'Image']);
  assert.deepEqual(fields, { EventID: 4624, Channel: 'Security', Image: 'C:\\a.exe' });
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
});

test('objects of one shape built again are equal and independent (the cached template is not shared)', () => {
  const names = Array.from({ length: 40 }, (_, i) => `Field${i}`);
  const first = build(names.map((n, i) => [n, i, 'put'] as const));
  const second = build(names.map((n) => [n, `${n}!`, 'put'] as const));
  assert.equal(first.Field39, 39);
  assert.equal(second.Field39, 'Field39!');
  first.Field0 = 'changed';
  assert.equal(build(names.map((n) => [n, null, 'put'] as const)).Field0, null);
});

test('a field named __proto__ is an own field, not a change of prototype, with or without a cached shape', () => {
  for (let round = 0; round < 2; round++) {
    const fields = build([
      ['__proto__', 'evil', 'put'],
      ['toString', 'x', 'put'],
    ]);
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
    assert.ok(Object.hasOwn(fields, '__proto__'));
    assert.equal(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value, 'evil');
    assert.deepEqual(Object.keys(fields), ['__proto__', 'toString']);
  }
});

test('an empty builder gives an empty plain object', () => {
  assert.deepEqual(new FieldsBuilder().build(), {});
});

test('has and get answer for the fields collected so far', () => {
  const builder = new FieldsBuilder<number>();
  builder.put('a', 1);
  builder.put('a', 2);
  assert.equal(builder.has('a'), true);
  assert.equal(builder.has('b'), false);
  assert.equal(builder.get('a'), 2);
  assert.equal(builder.get('b'), undefined);
});

test('header fields: every column by name in sorted key order, a later column of a name wins, __proto__ stays a field', () => {
  const header = new HeaderFields(['ts', 'uid', 'id.orig_h', 'uid', '__proto__', 'bytes']);
  const values = ['1.5', 'first', '10.0.0.1', 'second', 'evil', 7];
  const records = [header.build((i) => values[i]), header.build((i) => `${String(values[i])}!`)];
  const [fields, again] = records;
  assert.deepEqual(Object.keys(fields!), ['__proto__', 'bytes', 'id.orig_h', 'ts', 'uid']);
  assert.equal(fields!.uid, 'second');
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value, 'evil');
  assert.equal(again!.uid, 'second!');
  // Sorted keys: the stable JSON is the native serialiser's.
  assert.equal(stableJson(fields), JSON.stringify(fields));
});
