// The weekly report drawn from one store with the other parts writing into it: feed intake's
// deduplicated breach events (issue 9) and a published advisory of ours (issue 10) appear in the
// report's breach and vulnerability sections, with the cases behind them, and stay out of a week
// they do not belong to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntakeEnricher, runIntake } from '../../src/cases/intake/index.js';
import { ConstituencyIndex } from '../../src/enrich/constituency/index.js';
import { FeedEventBuilder, type FeedRecord } from '../../src/ingest/feeds/index.js';
import { weeklyReportFromStore } from '../../src/server/reports/weekly-data.js';
import { SqliteStore } from '../../src/store/index.js';
import { FACTS, fixture } from '../enrich/constituency-fixture.js';

const W47 = Date.parse('2026-11-17T08:00:00Z');

function record(fields: Record<string, unknown>, at: number, line: number): FeedRecord {
  const b = new FeedEventBuilder(
    { fileName: 'leaks.csv', observation: new Date(at).toISOString(), feedName: 'Leak feed' },
    { file: 'leaks.csv', line },
  );
  for (const [k, v] of Object.entries(fields)) b.set(k, v);
  b.set('time.source', new Date(at).toISOString());
  return { event: b.finish(JSON.stringify(fields)) };
}

test('breaches from the intake and our published advisories reach the weekly report', async () => {
  const store = new SqliteStore(':memory:');
  try {
    const { organisations, parties } = fixture();
    const enricher = new IntakeEnricher(new ConstituencyIndex(organisations, parties, FACTS), FACTS, 'NL');
    await runIntake(
      [
        record({ 'source.ip': '198.51.100.8', 'classification.type': 'data-leak' }, W47, 1),
        record({ 'source.ip': '198.51.100.9', 'classification.type': 'data-leak' }, W47, 2),
        // The same leak again within the dedup window: one breach, not two.
        record({ 'source.ip': '198.51.100.9', 'classification.type': 'data-leak' }, W47 + 3_600_000, 3),
        record(
          { 'source.ip': '198.51.100.7', 'source.port': 445, 'classification.type': 'vulnerable-system' },
          W47,
          4,
        ),
      ],
      {
        feed: 'leaks',
        enricher,
        sink: store.intake,
        rules: [{ name: 'leak', keys: ['source.ip', 'classification.type'], windowMs: 86_400_000 }],
        batchSize: 2,
      },
    );

    const draft = await store.advisories.createDraft(
      {
        title: 'Apache NimBLE: denial of service over Bluetooth LE',
        tlp: 'CLEAR',
        summary: 'A crafted packet stops the stack.',
        cves: ['CVE-2024-24746'],
        products: [
          {
            vendor: 'Apache',
            product: 'NimBLE',
            versions: [],
            range: 'vers:generic/<=1.6.0',
            cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
          },
        ],
        remediation: 'Update to 1.7.0.',
        references: [],
      },
      'alice',
      W47,
    );
    await store.advisories.move(draft.id, 'review', {
      at: W47 + 1,
      actor: 'alice',
      action: 'submitted',
      note: null,
    });
    await store.advisories.move(
      draft.id,
      'published',
      { at: W47 + 2, actor: 'bob', action: 'published', note: null },
      { reviewedBy: 'bob', publishedAt: W47 + 2, organisationIds: [] },
    );

    const report = await weeklyReportFromStore(store, { week: '2026-W47', tlp: 'AMBER', homeCountry: 'NL' });
    assert.ok(report.breaches, 'the breach section is filled from the intake');
    assert.equal(report.breaches.total.value, 2);
    assert.deepEqual(report.breaches.byType, [{ type: 'data-leak', count: 2 }]);
    assert.equal(report.breaches.total.caseIds.length, 1, 'both leaks went into one case for their owner');
    assert.match(report.breaches.total.query, /information-content-security/);

    assert.ok(report.vulnerabilities, 'the vulnerability section is filled from our advisories');
    assert.deepEqual(
      report.vulnerabilities.advisories.map((a) => [a.id, a.cves]),
      [[draft.id, ['CVE-2024-24746']]],
    );
    assert.equal(report.vulnerabilities.cves, 1);
    assert.deepEqual(
      report.vulnerabilities.byProduct.map((p) => [p.vendor, p.product, p.severity]),
      [['Apache', 'NimBLE', 'high']],
    );

    const before = await weeklyReportFromStore(store, { week: '2026-W46', tlp: 'AMBER', homeCountry: 'NL' });
    assert.equal(before.breaches?.total.value, 0);
    assert.deepEqual(before.vulnerabilities?.advisories, []);
  } finally {
    await store.close();
  }
});
