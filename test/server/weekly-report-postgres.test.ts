// The weekly report from a PostgreSQL store: the fixture fortnight gives the same figures as on SQLite,
// and the schedule keeps each issue once. Skips loudly without a server; fails under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeeklySchedule } from '../../src/server/reports/schedule.js';
import { weeklyReportFromStore } from '../../src/server/reports/weekly-data.js';
import type { WeeklyReport } from '../../src/report/weekly/index.js';
import { openTestPostgres, POSTGRES_URL, postgresProblem } from '../helpers/postgres.js';
import { seedStore } from '../report/weekly/seed.js';

const problem = await postgresProblem();
if (problem !== null && process.env.CI === 'true') {
  test('PostgreSQL is reachable (required under CI)', () =>
    assert.fail(`PostgreSQL at ${POSTGRES_URL}: ${problem}`));
} else if (problem !== null) {
  console.warn(
    `\n*** SKIPPED: PostgreSQL at ${POSTGRES_URL} is not reachable (${problem}): the weekly report on PostgreSQL is NOT tested ***\n`,
  );
  test('weekly report on PostgreSQL', { skip: problem }, () => undefined);
} else {
  test('weekly report on PostgreSQL: the fixture week, and the archive written once', async () => {
    const pg = await openTestPostgres();
    const store = pg.store;
    try {
      const ids = await seedStore(store);
      const back = new Map([...ids].map(([f, s]) => [s, f]));
      const r = await weeklyReportFromStore(store, { week: '2026-W47', tlp: 'AMBER', homeCountry: 'CN' });
      assert.deepEqual(r.handled.caseIds.map((id) => back.get(id)).sort(), [
        'c1',
        'c11',
        'c12',
        'c2',
        'c3',
        'c4',
        'c6',
      ]);
      assert.equal(r.handled.previous, 2);
      assert.equal(r.resolution.medianHours, 8);
      assert.equal(r.crossBorder.total.value, 3);
      assert.equal(r.notifications.total.value, 6);
      assert.equal(r.infrastructure.asns[0]?.asn, 64500);
      const now = () => Date.UTC(2026, 10, 23, 1);
      const schedule = () =>
        new WeeklySchedule({ store, homeCountry: 'CN', options: { tlps: ['GREEN'] }, log: () => {}, now });
      const first = schedule();
      assert.deepEqual(await first.start(), ['2026-W47-GREEN']);
      await first.stop();
      const again = schedule();
      assert.deepEqual(await again.start(), []);
      await again.stop();
      const kept = await store.weeklyReports.get('2026-W47-GREEN');
      assert.equal((kept?.report as WeeklyReport).handled.value, 6);
      assert.equal(kept?.generatedAt, now());
    } finally {
      await store.close();
      await pg.drop();
    }
  });
}
