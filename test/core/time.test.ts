import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base36, filetimeToMs, parseTimestamp, parseUtcIso } from '../../src/core/time.js';

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

test('parseUtcIso gives what Date.parse gives, for harmonised times and anything else', () => {
  const texts = [
    '2024-03-01T00:00:00+00:00', '2024-03-01T23:59:59+00:00', '2024-03-01T12:34:56.123456+00:00', '2024-03-02T00:00:01+00:00',
    '2024-02-29T10:00:00+00:00', '2023-02-29T10:00:00+00:00', '2024-02-31T10:00:00+00:00', '2024-13-01T10:00:00+00:00',
    '2024-03-01T24:00:00+00:00', '2024-03-01T10:60:00+00:00', '2024-03-01T10:00:60+00:00', '2024-03-01T1a:00:00+00:00',
    '2024-03-01T10:00:00.12x456+00:00', '2024-03-01T10:00:00,123456+00:00', '2024-03-01X10:00:00+00:00', '2024/03/01T10:00:00+00:00',
    '1969-12-31T23:59:59+00:00', '2024-03-01T10:00:00+01:00', '2024-03-01 10:00:00', '2024-03-01T10:00:00Z', 'not a time', '',
  ];
  for (const t of texts) assert.deepEqual(parseUtcIso(t), Date.parse(t), t);
  // The day remembered from one text is not used for another day.
  assert.equal(parseUtcIso('2024-03-01T01:00:00+00:00'), Date.UTC(2024, 2, 1, 1));
  assert.equal(parseUtcIso('2024-03-05T01:00:00+00:00'), Date.UTC(2024, 2, 5, 1));
});

test('base36 is toString(36)', () => {
  for (const n of [0, 1, 35, 36, 1295, 1296, 1709251200000, 2 ** 53 - 1, 2 ** 52 + 12345, -5, 1.5, 2 ** 60])
    assert.equal(base36(n), n.toString(36), String(n));
  for (let i = 0; i < 1000; i++) {
    const n = Math.floor(2 ** 53 * ((i * 0.6180339887498949) % 1));
    assert.equal(base36(n), n.toString(36));
  }
});
