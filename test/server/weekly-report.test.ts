// The weekly report through the API and the schedule, over the fixture fortnight written into a
// SQLite store: figures as the store gives them, who reads which TLP, the archive kept once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeeklyReport } from '../../src/report/weekly/index.js';
import { rmSync } from 'node:fs';
import { lastCompleteWeek } from '../../src/report/weekly/index.js';
import { dueAt, offsetOf, WeeklySchedule } from '../../src/server/reports/schedule.js';
import { API_CSP } from '../../src/server/web.js';
import type { SqlDb } from '../../src/store/sql.js';
import type { Store } from '../../src/store/index.js';
import { BREACHES, WARNED } from '../report/weekly/fixture.js';
import { seedStore } from '../report/weekly/seed.js';
import { addUser, signIn, startTestServer, type Client, type TestServer } from './support.js';

async function setUp(): Promise<{
  server: TestServer;
  fixtureId: (storeId: string) => string;
  as: (role: 'analyst' | 'constituent' | 'auditor') => Promise<Client>;
}> {
  const server = await startTestServer({ homeCountry: 'CN' });
  const ids = await seedStore(server.store as Store & { sql: SqlDb });
  const back = new Map([...ids].map(([f, s]) => [s, f]));
  let n = 0;
  return {
    server,
    fixtureId: (id) => back.get(id) ?? id,
    as: async (role) => {
      const name = `${role}${n++}`;
      await addUser(
        server.store,
        name,
        role,
        role === 'auditor' ? 'CLEAR' : 'AMBER',
        role === 'constituent' ? 'org-acme' : null,
      );
      return signIn(server.server, name);
    },
  };
}

test('GET /api/reports/weekly: the fixture week from the store, at TLP:AMBER', async () => {
  const { server, fixtureId, as } = await setUp();
  try {
    const analyst = await as('analyst');
    const response = await analyst.request('GET', '/api/reports/weekly?week=2026-W47&tlp=AMBER');
    assert.equal(response.statusCode, 200, response.body);
    const r = JSON.parse(response.body) as WeeklyReport;
    const fixture = (list: readonly string[]) => list.map(fixtureId).sort();
    assert.deepEqual(fixture(r.handled.caseIds), ['c1', 'c11', 'c12', 'c2', 'c3', 'c4', 'c6']);
    assert.deepEqual(fixture(r.handled.previousCaseIds), ['c4', 'c5']);
    assert.equal(r.opened.value, 6);
    assert.deepEqual(fixture(r.resolved.caseIds), ['c1', 'c3', 'c6']);
    assert.equal(r.resolution.medianHours, 8);
    // Cross-border from the cases' incidents: attacker addresses outside CN.
    assert.deepEqual(fixture(r.crossBorder.total.caseIds), ['c1', 'c2', 'c3']);
    assert.deepEqual(
      r.crossBorder.byCountry.map((c) => [c.country, fixture(c.caseIds)]),
      [
        ['US', ['c1', 'c2']],
        ['NL', ['c2']],
        ['RU', ['c3']],
      ],
    );
    assert.equal(r.notifications.total.value, 6);
    assert.deepEqual(
      r.notifications.byParty.map(
        (p) => `${p.party} ${p.outcomes.map((o) => `${o.outcome}:${o.value}`).join(',')}`,
      ),
      [
        'cert acknowledged:1,sent:1',
        'hosting acted:1,no-answer:1',
        'app-store acted:1',
        'registrar acknowledged:1',
      ],
    );
    assert.deepEqual(
      r.infrastructure.asns.map((a) => [a.asn, a.value, a.addresses]),
      [
        [64500, 2, 2],
        [64502, 1, 2],
        [64501, 1, 1],
        [null, 1, 1],
      ],
    );
    // The store's intake and advisories have nothing in this week: zero, not "no data".
    assert.equal(r.breaches?.total.value, 0);
    assert.deepEqual(r.vulnerabilities?.advisories, []);
  } finally {
    await server.close();
  }
});

test('attacker infrastructure from stored analyses takes only well-typed entries', async () => {
  const { server, as } = await setUp();
  try {
    await server.store.incidents.put({
      id: 'inc-odd',
      title: 'written by an older version',
      firstSeen: Date.UTC(2026, 10, 18),
      lastSeen: Date.UTC(2026, 10, 18, 1),
      detectionIds: [],
      analysis: { infrastructure: [{ ip: 5 }, 'x', null, { ip: '192.0.2.7', asn: '64500', country: '' }] },
    });
    const analyst = await as('analyst');
    const r = JSON.parse(
      (await analyst.request('GET', '/api/reports/weekly?week=2026-W47&tlp=AMBER')).body,
    ) as WeeklyReport;
    assert.equal(r.infrastructure.incidents, 4);
    const unknown = r.infrastructure.asns.find((a) => a.asn === null);
    assert.deepEqual([unknown?.addresses, unknown?.incidentIds], [2, ['inc-3', 'inc-odd']]);
    assert.deepEqual(r.infrastructure.countries.find((c) => c.country === 'unknown')?.incidentIds, [
      'inc-3',
      'inc-odd',
    ]);
  } finally {
    await server.close();
  }
});

test('the intake and advisories providers, when the store has them, fill their sections', async () => {
  const { server, as } = await setUp();
  try {
    Object.assign(server.store, {
      intake: { breachFigures: () => Promise.resolve(BREACHES) },
      advisories: { warnedIn: () => Promise.resolve(WARNED) },
    });
    const analyst = await as('analyst');
    const r = JSON.parse(
      (await analyst.request('GET', '/api/reports/weekly?week=2026-W47&tlp=GREEN')).body,
    ) as WeeklyReport;
    assert.equal(r.breaches?.total.value, 2950);
    assert.deepEqual(
      r.vulnerabilities?.advisories.map((a) => a.id),
      ['adv-1', 'adv-3'],
    );
  } finally {
    await server.close();
  }
});

test('a constituent reads the public report only, with no organisation names; HTML has its own CSP', async () => {
  const { server, as } = await setUp();
  try {
    const constituent = await as('constituent');
    const denied = await constituent.request('GET', '/api/reports/weekly?week=2026-W47&tlp=GREEN');
    assert.equal(denied.statusCode, 403);
    const html = await constituent.request('GET', '/api/reports/weekly?week=2026-W47&tlp=CLEAR&format=html');
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    assert.match(
      String(html.headers['content-security-policy']),
      /default-src 'none'; style-src 'unsafe-inline'/,
    );
    assert.match(html.body, /Weekly report 2026-W47/);
    for (const name of ['Acme', 'Northwind', 'Contoso', 'acme.example'])
      assert.ok(!html.body.includes(name), `${name} in the public report`);
    const md = await constituent.request('GET', '/api/reports/weekly?week=2026-W47&tlp=CLEAR&format=md');
    assert.match(String(md.headers['content-type']), /^text\/markdown/);
    assert.match(md.body, /^\*\*TLP:CLEAR\*\*/);
    // Other routes keep the strict policy.
    const me = await constituent.request('GET', '/api/auth/me');
    assert.equal(me.headers['content-security-policy'], API_CSP);
    const bad = await constituent.request('GET', '/api/reports/weekly?week=2026-W54');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /2026 has no week 54/);
  } finally {
    await server.close();
  }
});

test('a PDF without Chromium is a 503 that says what is missing', async () => {
  const { server, as } = await setUp();
  const before = process.env.VIGIL_CHROMIUM;
  process.env.VIGIL_CHROMIUM = '/nonexistent/chromium';
  try {
    const analyst = await as('analyst');
    const pdf = await analyst.request('GET', '/api/reports/weekly?week=2026-W47&format=pdf');
    assert.equal(pdf.statusCode, 503);
    assert.deepEqual(Object.keys(JSON.parse(pdf.body) as object), ['error', 'message']);
    assert.match(pdf.body, /"error":"pdf-unavailable".*PDF needs Chromium at \/nonexistent\/chromium/);
  } finally {
    if (before === undefined) delete process.env.VIGIL_CHROMIUM;
    else process.env.VIGIL_CHROMIUM = before;
    await server.close();
  }
});

test('the schedule: due on Monday 00:00 UTC for the week before, configurable', () => {
  const monday = Date.UTC(2026, 10, 23);
  assert.deepEqual(dueAt(monday, 0), { week: '2026-W47', next: Date.UTC(2026, 10, 30) });
  assert.deepEqual(dueAt(monday - 1, 0), { week: '2026-W46', next: monday });
  // Tuesday 06:00: on Monday the week before last is still the latest due.
  const offset = offsetOf({ weekday: 2, hour: 6 });
  assert.equal(dueAt(monday + 5 * 3_600_000, offset).week, '2026-W46');
  assert.deepEqual(dueAt(monday + 30 * 3_600_000, offset), {
    week: '2026-W47',
    next: Date.UTC(2026, 11, 1, 6),
  });
  assert.throws(() => offsetOf({ weekday: 8 }), /give 1 \(Monday\) to 7/);
  assert.throws(() => offsetOf({ hour: 24 }), /give 0 to 23/);
});

test('the schedule keeps each issue once across restarts, and the archive serves it', async () => {
  const { server, as } = await setUp();
  try {
    const now = () => Date.UTC(2026, 10, 23, 0, 5);
    const options = { tlps: ['CLEAR', 'AMBER'] as const };
    const first = new WeeklySchedule({ store: server.store, homeCountry: 'CN', options, log: () => {}, now });
    assert.deepEqual(await first.start(), ['2026-W47-CLEAR', '2026-W47-AMBER']);
    await first.stop();
    // A restart: nothing new.
    const second = new WeeklySchedule({
      store: server.store,
      homeCountry: 'CN',
      options,
      log: () => {},
      now,
    });
    assert.deepEqual(await second.start(), []);
    await second.stop();
    const kept = await server.store.weeklyReports.get('2026-W47-AMBER');
    assert.equal(kept?.generatedAt, now());
    assert.equal((kept?.report as WeeklyReport).handled.value, 7);

    const analyst = await as('analyst');
    const list = JSON.parse((await analyst.request('GET', '/api/reports/weekly/issues')).body) as {
      id: string;
    }[];
    assert.deepEqual(
      list.map((i) => i.id),
      ['2026-W47-AMBER', '2026-W47-CLEAR'],
    );
    const md = await analyst.request('GET', '/api/reports/weekly/issues/2026-W47-AMBER?format=md');
    assert.equal(md.statusCode, 200);
    assert.match(md.body, /the CERT handled 7 incidents/);
    const constituent = await as('constituent');
    const theirs = JSON.parse((await constituent.request('GET', '/api/reports/weekly/issues')).body) as {
      id: string;
    }[];
    assert.deepEqual(
      theirs.map((i) => i.id),
      ['2026-W47-CLEAR'],
    );
    assert.equal(
      (await constituent.request('GET', '/api/reports/weekly/issues/2026-W47-AMBER')).statusCode,
      404,
    );
    const auditor = await as('auditor');
    assert.equal((await auditor.request('GET', '/api/reports/weekly/issues/2026-W47-CLEAR')).statusCode, 200);
  } finally {
    await server.close();
  }
});

test('a server started with the schedule writes the due week’s issues (and waits for them when it stops)', async () => {
  const t = await startTestServer({ weeklyReports: { tlps: ['CLEAR', 'GREEN'] } });
  // The issue of the last complete week is due at once; close() waits for the run under way.
  await t.server.close();
  try {
    const week = lastCompleteWeek(Date.now());
    assert.deepEqual(
      (await t.store.weeklyReports.list()).map((i) => i.id),
      [`${week}-CLEAR`, `${week}-GREEN`],
    );
    const issue = await t.store.weeklyReports.get(`${week}-CLEAR`);
    assert.equal((issue?.report as WeeklyReport).publisher, 'Vigil CERT');
  } finally {
    await t.store.close();
    rmSync(t.dataDir, { recursive: true, force: true });
  }
});
