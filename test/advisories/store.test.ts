// The advisory repository (migration 8) on SQLite and on PostgreSQL, one contract for both. Without a
// PostgreSQL server the PostgreSQL half skips loudly; under CI=true a missing server fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore, type Store } from '../../src/store/index.js';
import { openTestPostgres, postgresProblem, POSTGRES_URL } from '../helpers/postgres.js';
import type { OwnAdvisoryContent } from '../../src/advisories/own/model.js';

const CONTENT: OwnAdvisoryContent = {
  title: 'Apache NimBLE: denial of service over Bluetooth LE',
  tlp: 'GREEN',
  summary: 'A crafted packet stops the stack.',
  cves: ['CVE-2024-24746'],
  products: [{ vendor: 'Apache', product: 'NimBLE', versions: [], range: 'vers:generic/<=1.6.0', cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  remediation: 'Update to 1.7.0.',
  references: ['https://www.cve.org/CVERecord?id=CVE-2024-24746'],
};

function contract(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>): void {
  test(`${name}: imported records, upserted, with the versions an incremental import compares`, async () => {
    const { store, close } = await open();
    try {
      await store.advisories.putRecord({ id: 'cve:CVE-2024-24746', kind: 'cve', title: 'a', state: 'PUBLISHED', updated: '2025-01-01T00:00:00Z', valid: true }, { x: 1 });
      await store.advisories.putRecord({ id: 'cve:CVE-2024-24746', kind: 'cve', title: 'b', state: 'PUBLISHED', updated: '2025-02-13T17:40:20.471Z', valid: false }, { x: 2 });
      await store.advisories.putRecord({ id: 'csaf:BSI-2022-0001', kind: 'csaf', title: 'c', state: 'final', updated: null, valid: true }, { y: 1 });
      const got = await store.advisories.getRecord('cve:CVE-2024-24746');
      assert.equal(got?.title, 'b');
      assert.equal(got?.valid, false);
      assert.deepEqual(got?.document, { x: 2 });
      assert.deepEqual([...(await store.advisories.recordVersions('cve'))], [['CVE-2024-24746', '2025-02-13T17:40:20.471Z']]);
      assert.deepEqual((await store.advisories.listRecords({ kind: 'csaf' })).map((r) => r.id), ['csaf:BSI-2022-0001']);
      const docs = [];
      for await (const d of store.advisories.documents()) docs.push(d.id);
      assert.deepEqual(docs, ['csaf:BSI-2022-0001', 'cve:CVE-2024-24746']);
    } finally {
      await close();
    }
  });

  test(`${name}: software per organisation`, async () => {
    const { store, close } = await open();
    try {
      const [a] = await store.advisories.addSoftware([
        { organisationId: 'org-a', vendor: 'Apache', product: 'NimBLE', version: '1.6.0', source: 'x.csv:2' },
        { organisationId: 'org-b', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.2176.009', cpe: 'cpe:2.3:a:microsoft:exchange_server:2016:*:*:*:*:*:*:*' },
      ]);
      assert.deepEqual((await store.advisories.software('org-a')).map((i) => [i.product, i.version, i.source]), [['NimBLE', '1.6.0', 'x.csv:2']]);
      assert.equal((await store.advisories.software()).length, 2);
      assert.equal(await store.advisories.removeSoftware('org-b', a!.id!), false, 'another organisation cannot remove it');
      assert.equal(await store.advisories.removeSoftware('org-a', a!.id!), true);
      assert.deepEqual(await store.advisories.software('org-a'), []);
    } finally {
      await close();
    }
  });

  test(`${name}: own advisories draft → review → published, one winner per move, warnedIn`, async () => {
    const { store, close } = await open();
    try {
      const t0 = Date.UTC(2026, 10, 16, 9);
      const a = await store.advisories.createDraft(CONTENT, 'alice', t0);
      const b = await store.advisories.createDraft({ ...CONTENT, title: 'second' }, 'alice', t0);
      assert.equal(a.id, 'VIGIL-2026-0001');
      assert.equal(b.id, 'VIGIL-2026-0002');
      assert.equal(a.status, 'draft');
      const edited = await store.advisories.editDraft(a.id, { ...CONTENT, summary: 'edited' }, 'alice');
      assert.equal(edited?.summary, 'edited');
      await store.advisories.move(a.id, 'review', { at: t0 + 1, actor: 'alice', action: 'submitted', note: null });
      assert.equal(await store.advisories.editDraft(a.id, CONTENT, 'alice'), undefined, 'no edits in review');
      const publishedAt = t0 + 3600_000;
      const final = await store.advisories.move(a.id, 'published', { at: publishedAt, actor: 'bob', action: 'published', note: null }, { reviewedBy: 'bob', publishedAt, csaf: { document: {} }, organisationIds: ['org-a'] });
      assert.equal(final?.status, 'published');
      assert.deepEqual(final.organisationIds, ['org-a']);
      assert.equal(final.reviewedBy, 'bob');
      assert.deepEqual(final.history.map((h) => h.action), ['created', 'edited', 'submitted', 'published']);
      const week = await store.advisories.warnedIn({ from: t0, to: t0 + 7 * 86400_000 });
      assert.deepEqual(week.advisories, [
        {
          id: a.id,
          title: CONTENT.title,
          published: new Date(publishedAt).toISOString(),
          tlp: 'GREEN',
          cves: ['CVE-2024-24746'],
          products: [{ vendor: 'Apache', product: 'NimBLE', severity: 'high', cvss: 7.5 }],
          organisationIds: ['org-a'],
        },
      ]);
      assert.deepEqual((await store.advisories.warnedIn({ from: publishedAt + 1, to: publishedAt + 2 })).advisories, []);
      assert.equal(await store.advisories.move(a.id, 'draft', { at: 1, actor: 'x', action: 'returned', note: null }), undefined, 'published is final');
      // The recipients, recorded after the e-mails went out: the published entry's note says how many.
      const recorded = await store.advisories.setRecipients(a.id, ['org-a', 'org-c'], '2 of 2 affected organisations e-mailed');
      assert.deepEqual(recorded?.organisationIds, ['org-a', 'org-c']);
      assert.equal(recorded?.history.at(-1)?.note, '2 of 2 affected organisations e-mailed');
      assert.equal(recorded?.history.length, final.history.length, 'no new history entry');
      assert.equal(await store.advisories.setRecipients(b.id, ['org-a'], 'x'), undefined, 'only a published advisory');
      // Two moves of the same review at once: the status guard lets exactly one through.
      await store.advisories.move(b.id, 'review', { at: t0 + 2, actor: 'alice', action: 'submitted', note: null });
      const [one, two] = await Promise.all([
        store.advisories.move(b.id, 'published', { at: t0 + 3, actor: 'bob', action: 'published', note: null }, { publishedAt: t0 + 3 }),
        store.advisories.move(b.id, 'draft', { at: t0 + 3, actor: 'carol', action: 'returned', note: 'no' }),
      ]);
      assert.equal([one, two].filter(Boolean).length, 1, 'exactly one of two concurrent moves wins');
      const history = (await store.advisories.getOwn(b.id))!.history.map((h) => h.action);
      assert.equal(history.length, 3, 'and only the winner is in the history');
      assert.equal((await store.advisories.listOwn()).length, 2);
    } finally {
      await close();
    }
  });
}

contract('sqlite', () => {
  const store = new SqliteStore(':memory:');
  return Promise.resolve({ store, close: () => store.close() });
});

const problem = await postgresProblem();
if (problem !== null) {
  const message = `PostgreSQL at ${POSTGRES_URL} is not reachable (${problem}): the advisory repository is NOT tested on it`;
  if (process.env.CI === 'true') test('PostgreSQL is reachable (required under CI)', () => assert.fail(message));
  else {
    console.warn(`\n*** SKIPPED: ${message} ***\n`);
    test('postgres advisory repository', { skip: message }, () => undefined);
  }
} else
  contract('postgres', async () => {
    const pg = await openTestPostgres();
    return {
      store: pg.store,
      close: async () => {
        await pg.store.close();
        await pg.drop();
      },
    };
  });
