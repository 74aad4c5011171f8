// ISO weeks for the weekly report: periods, the week of a moment, the week before, across year ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastCompleteWeek, previousWeek, weekOf, weekPeriod } from '../../../src/report/weekly/index.js';

test('ISO weeks: Monday 00:00 UTC to the next Monday, week 1 holding 4 January', () => {
  assert.deepEqual(weekPeriod('2026-W47'), { from: Date.UTC(2026, 10, 16), to: Date.UTC(2026, 10, 23) });
  assert.deepEqual(weekPeriod('2026-W01'), { from: Date.UTC(2025, 11, 29), to: Date.UTC(2026, 0, 5) });
  assert.deepEqual(weekPeriod('2026-W53'), { from: Date.UTC(2026, 11, 28), to: Date.UTC(2027, 0, 4) });
  assert.deepEqual(weekPeriod('2025-W53'), { problem: '2025 has no week 53 (it has 52)' });
  assert.deepEqual(weekPeriod('2026-W00'), { problem: '2026 has no week 0 (it has 53)' });
  assert.match((weekPeriod('W47') as { problem: string }).problem, /is not an ISO week/);
  assert.match(
    (weekPeriod('2026-W47; DROP'.repeat(10)) as { problem: string }).problem.slice(0, 60),
    /^"2026-W47/,
  );
});

test('the week of a moment, the week before, the last complete week', () => {
  assert.equal(weekOf(Date.UTC(2026, 0, 1)), '2026-W01'); // a Thursday
  assert.equal(weekOf(Date.UTC(2027, 0, 1)), '2026-W53'); // a Friday, still 2026's last week
  assert.equal(weekOf(Date.UTC(2026, 10, 22, 23, 59)), '2026-W47');
  assert.equal(weekOf(Date.UTC(2026, 10, 23)), '2026-W48');
  assert.equal(previousWeek('2026-W01'), '2025-W52');
  assert.equal(previousWeek('2027-W01'), '2026-W53');
  assert.equal(lastCompleteWeek(Date.UTC(2026, 10, 23)), '2026-W47');
  assert.equal(lastCompleteWeek(Date.UTC(2026, 10, 22, 23, 59)), '2026-W46');
  for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2030, 0, 1); t += 86_400_000) {
    const p = weekPeriod(weekOf(t)) as { from: number; to: number };
    assert.ok(p.from <= t && t < p.to, new Date(t).toISOString());
  }
});
