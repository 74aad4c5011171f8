import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenJson } from '../../src/ingest/flatten-json.js';
import { stableJson } from '../../src/core/ids.js';

test('nested JSON flattens to dotted names in sorted key order, so the stable JSON is the native one', () => {
  const line =
    '{"timestamp":"2018-03-24T14:37:19Z","src_ip":"10.0.0.1","alert":{"signature":"ET SCAN","severity":2,"meta":{"tag":["a","b"]}},"flow":{"bytes_toserver":10}}';
  for (let round = 0; round < 2; round++) {
    const fields = flattenJson(JSON.parse(line));
    assert.deepEqual(Object.keys(fields), [
      'alert.meta.tag',
      'alert.severity',
      'alert.signature',
      'flow.bytes_toserver',
      'src_ip',
      'timestamp',
    ]);
    assert.deepEqual(fields['alert.meta.tag'], ['a', 'b']);
    assert.equal(stableJson(fields), JSON.stringify(fields));
  }
});

test('a later value under a dotted name replaces an earlier one; __proto__ stays an own field', () => {
  const fields = flattenJson(JSON.parse('{"a.b":1,"a":{"b":2},"__proto__":{"polluted":"yes"},"c":null}'));
  assert.equal(fields['a.b'], 2);
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.ok(Object.hasOwn(fields, '__proto__.polluted'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(fields), ['__proto__.polluted', 'a.b', 'c']);
});

test('objects nested past 16 levels are kept as their JSON text; what is not an object gives no fields', () => {
  let deep: unknown = { leaf: 1 };
  for (let i = 0; i < 20; i++) deep = { n: deep };
  const fields = flattenJson(deep);
  const [name] = Object.keys(fields);
  assert.equal(name!.split('.').length, 17);
  assert.equal(typeof fields[name!], 'string');
  assert.deepEqual(JSON.parse(fields[name!] as string), { n: { n: { n: { leaf: 1 } } } });
  assert.deepEqual(flattenJson([1, 2]), {});
  assert.deepEqual(flattenJson('text'), {});
  assert.deepEqual(flattenJson(null), {});
});
