import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filetimeToMs, parseTimestamp } from '../../src/core/time.js';

test('parseTimestamp reads the forms logs carry', () => {
  const t = Date.UTC(2021, 2, 3, 4, 5, 6, 789);
  assert.equal(parseTimestamp('2021-03-03T04:05:06.789Z'), t);
  assert.equal(parseTimestamp('2021-03-03T04:05:06.7891234Z'), t);
  assert.equal(parseTimestamp('2021-03-03 04:05:06.789'), t);
  assert.equal(parseTimestamp('2021-03-03T06:05:06.789+02:00'), t);
  assert.equal(parseTimestamp(t / 1000), t);
  assert.equal(parseTimestamp(String(t / 1000)), t);
  assert.ok(Number.isNaN(parseTimestamp('yesterday')));
  assert.ok(Number.isNaN(parseTimestamp(undefined)));
});

test('filetimeToMs converts from 1601 to the Unix epoch', () => {
  assert.equal(filetimeToMs(116444736000000000n), 0);
  assert.equal(filetimeToMs(116444736000000000n + 10_000n * 1500n), 1500);
});
