// Feed intake into the store, on SQLite and on PostgreSQL: deduplication within the declared window
// (and across a restart), cases per owner and RSIT type (joining the open one, a new one after it
// ends), cross-border cases for the country's CERT, and the weekly report's breach figures.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IntakeEnricher, runIntake, type DedupRule } from '../../src/cases/intake/index.js';
import { ConstituencyIndex } from '../../src/enrich/constituency/index.js';
import { FeedEventBuilder, type FeedEvent, type FeedRecord } from '../../src/ingest/feeds/index.js';
import { SqliteStore, type Store } from '../../src/store/index.js';
import type { SqlIntake } from '../../src/store/intake.js';
import { FACTS, fixture } from '../enrich/constituency-fixture.js';
import { openTestPostgres, postgresProblem } from '../helpers/postgres.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-16T08:00:00Z');

function record(fields: Record<string, unknown>, at: number, line = 1): FeedRecord {
  const b = new FeedEventBuilder({ fileName: 'test.csv', observation: new Date(at).toISOString(), feedName: 'Test' }, { file: 'test.csv', line });
  for (const [k, v] of Object.entries(fields)) b.set(k, v);
  if (!b.has('time.source')) b.set('time.source', new Date(at).toISOString());
  return { event: b.finish(JSON.stringify(fields)) };
}

const records = (list: FeedRecord[]): FeedRecord[] => list;

function enricher(): IntakeEnricher {
  const { organisations, parties } = fixture();
  return new IntakeEnricher(new ConstituencyIndex(organisations, parties, FACTS), FACTS, 'NL');
}

const rules: DedupRule[] = [{ name: 'test', keys: ['source.ip', 'classification.type', 'source.port'], windowMs: 24 * HOUR }];

function intakeContract(
  name: string,
  open: () => Promise<{ store: Store; reopen: () => Promise<Store>; another: () => Promise<Store>; done: () => Promise<void> }>,
): void {
  describe(`intake on ${name}`, () => {
    it('deduplicates in the window, aggregates into cases per owner and type, counts breaches', async () => {
      const { store, reopen, done } = await open();
      try {
        const first = await runIntake(
          records([
            record({ 'source.ip': '198.51.100.7', 'source.port': 445, 'classification.type': 'vulnerable-system' }, T0),
            record({ 'source.ip': '198.51.100.7', 'source.port': 445, 'classification.type': 'vulnerable-system' }, T0 + HOUR),
            record({ 'source.ip': '198.51.100.7', 'source.port': 445, 'classification.type': 'vulnerable-system' }, T0 + 2 * HOUR),
            record({ 'source.ip': '198.51.100.8', 'classification.type': 'data-leak' }, T0),
            record({ 'source.ip': '198.51.100.9', 'classification.type': 'data-leak' }, T0),
            record({ 'source.ip': '192.0.2.200', 'classification.type': 'infected-system' }, T0),
            record({ 'source.ip': '203.0.113.5', 'classification.type': 'scanner' }, T0),
          ]),
          { feed: 'test', enricher: enricher(), sink: store.intake, rules, batchSize: 2 },
        );
        assert.equal(first.events, 7);
        assert.equal(first.duplicates, 2);
        assert.equal(first.stored, 5);
        assert.equal(first.casesOpened, 3, 'acme vulnerable, acme data-leak, cert-ru infected');
        assert.equal(first.crossBorder, 1);
        assert.equal(await store.intake.count(), 5);

        const kept = (await store.intake.events({ feed: 'test' })).find((e) => e.sourceIp === '198.51.100.7')!;
        assert.equal(kept.duplicates, 2);
        assert.equal(kept.lastSeen, T0 + 2 * HOUR);
        assert.equal(kept.organisation, 'acme');
        assert.equal(kept.fields['source.asn'], 64501, 'ASN from the offline facts');
        assert.equal(kept.fields['source.geolocation.cc'], 'NL');

        const cases = await store.intake.cases();
        const ru = cases.find((c) => c.kind === 'cross-border')!;
        assert.equal(ru.cert, 'cert-ru');
        assert.equal(ru.country, 'RU');
        const leak = cases.find((c) => c.rsitType === 'data-leak')!;
        assert.equal(leak.events, 2);
        const leakCase = (await store.cases.get(leak.caseId))!;
        assert.equal(leakCase.rsitClass, 'information-content-security');
        assert.equal(leakCase.severity, 'high');
        assert.deepEqual(leakCase.organisations, ['ACME Water']);
        assert.equal((await store.intake.events({ feed: 'test' })).find((e) => e.sourceIp === '203.0.113.5')!.caseId, null);

        const figures = await store.intake.breachFigures({ from: T0, to: T0 + 24 * HOUR });
        assert.equal(figures.count, 2);
        assert.deepEqual(figures.byType, { 'data-leak': 2 });
        assert.deepEqual(figures.byOrganisation, { acme: 2 });
        assert.deepEqual(figures.caseIds, [leak.caseId]);
        assert.match(figures.query, /information-content-security/);
        assert.equal((await store.intake.breachFigures({ from: T0 + HOUR, to: T0 + 24 * HOUR })).count, 0);

        // After a restart: the window holds, the open case is joined; past the window, a new event.
        const again = await reopen();
        const second = await runIntake(
          records([
            record({ 'source.ip': '198.51.100.7', 'source.port': 445, 'classification.type': 'vulnerable-system' }, T0 + 3 * HOUR),
            record({ 'source.ip': '198.51.100.7', 'source.port': 445, 'classification.type': 'vulnerable-system' }, T0 + 25 * HOUR),
            record({ 'source.ip': '198.51.100.10', 'classification.type': 'data-leak' }, T0 + 3 * HOUR),
          ]),
          { feed: 'test', enricher: enricher(), sink: again.intake, rules },
        );
        assert.equal(second.duplicates, 1);
        assert.equal(second.stored, 2);
        assert.equal(second.casesOpened, 0);
        assert.equal(second.casesJoined, 2);
        assert.equal((await again.intake.cases()).find((c) => c.rsitType === 'data-leak')!.events, 3);

        // The data-leak case is closed: the next leak opens a new case.
        await again.cases.update(leak.caseId, { status: 'closed' });
        const third = await runIntake(records([record({ 'source.ip': '198.51.100.11', 'classification.type': 'data-leak' }, T0 + 4 * HOUR)]), {
          feed: 'test', enricher: enricher(), sink: again.intake, rules,
        });
        assert.equal(third.casesOpened, 1);
        assert.notEqual(third.caseIds[0], leak.caseId);
        assert.equal((await again.intake.breachFigures({ from: T0, to: T0 + 48 * HOUR })).caseIds.length, 2);
        if (again !== store) await again.close();
      } finally {
        await done();
      }
    });

    it('a digest covers events by sequence: events stored during a long run, observed before the digest, go in the next one', async () => {
      const { store, done } = await open();
      try {
        const leak = (ip: string): FeedRecord => record({ 'source.ip': ip, 'classification.type': 'data-leak' }, T0);
        await runIntake(records([leak('198.51.100.20'), leak('198.51.100.21')]), { feed: 'test', enricher: enricher(), sink: store.intake, rules, batchSize: 1 });
        const [ic] = await store.intake.undigested();
        assert.ok(ic);
        const first = await store.intake.undigestedEvents(ic.caseId, 5000);
        assert.deepEqual(first.events.map((e) => e.sourceIp), ['198.51.100.20', '198.51.100.21']);
        // The digest goes out hours after the run's observation time, while the run goes on ...
        await store.intake.markDigested(ic.caseId, T0 + 5 * HOUR, first.lastSeq);
        assert.deepEqual(await store.intake.undigested(), []);
        // ... and the run stores more events, all observed at the run's start, before the digest.
        await runIntake(records([leak('198.51.100.22')]), { feed: 'test', enricher: enricher(), sink: store.intake, rules });
        assert.deepEqual((await store.intake.undigested()).map((c) => c.caseId), [ic.caseId]);
        const second = await store.intake.undigestedEvents(ic.caseId, 5000);
        assert.deepEqual(second.events.map((e) => e.sourceIp), ['198.51.100.22']);
        assert.ok(second.events[0]!.observedAt < T0 + 5 * HOUR);
        // A digest limited to fewer events than are waiting leaves the rest for the next.
        // One event per batch: within a batch, the store writes in dedup-key order.
        await runIntake(records([leak('198.51.100.23'), leak('198.51.100.24')]), { feed: 'test', enricher: enricher(), sink: store.intake, rules, batchSize: 1 });
        const part = await store.intake.undigestedEvents(ic.caseId, 2);
        assert.deepEqual(part.events.map((e) => e.sourceIp), ['198.51.100.22', '198.51.100.23']);
        await store.intake.markDigested(ic.caseId, T0 + 6 * HOUR, part.lastSeq);
        assert.deepEqual((await store.intake.undigestedEvents(ic.caseId, 5000)).events.map((e) => e.sourceIp), ['198.51.100.24']);
      } finally {
        await done();
      }
    });

    it('stores events compactly against a template and gives back exactly the fields parsed', async () => {
      const { store, done } = await open();
      try {
        const report = { fileName: 'r.csv', observation: new Date(T0).toISOString(), feedName: 'Test' };
        const event = (line: number, fields: Record<string, unknown>, raw: string): { event: FeedEvent } => {
          const b = new FeedEventBuilder(report, { file: 'r.csv', line });
          for (const [k, v] of Object.entries(fields)) b.set(k, v);
          return { event: b.finish(raw) };
        };
        const header = '"timestamp","ip","port","tag"';
        const list = [
          event(2, { 'time.source': '2026-11-16T07:00:00Z', 'source.ip': '198.51.100.30', 'source.port': 445, 'classification.type': 'vulnerable-system', 'extra.tag': 'smb' }, `${header}\n"2026-11-16 07:00:00",198.51.100.30,445,smb`),
          // One field fewer than the template, one more.
          event(3, { 'time.source': '2026-11-16T07:01:00Z', 'source.ip': '198.51.100.31', 'classification.type': 'vulnerable-system', 'extra.note': 'x' }, `${header}\n"2026-11-16 07:01:00",198.51.100.31,,`),
          // Another shape altogether: its own template.
          event(4, { 'source.url': 'http://bad.example/x', 'classification.type': 'phishing', 'malware.name': 'kit', 'source.fqdn': 'bad.example', 'event_description.text': 'phish' }, 'http://bad.example/x'),
          // No raw at all.
          event(5, { 'source.ip': '198.51.100.32', 'classification.type': 'vulnerable-system' }, ''),
        ];
        delete (list[3]!.event.fields as Record<string, unknown>).raw;
        await runIntake(records(list), { feed: 'test', enricher: enricher(), sink: store.intake, rules, cases: false });
        const stored = await store.intake.events({ feed: 'test' });
        assert.equal(stored.length, 4);
        for (const r of list) {
          const back = stored.find((e) => e.fields['source.ip'] === r.event.fields['source.ip'] && e.fields['source.url'] === r.event.fields['source.url']);
          assert.deepEqual(back?.fields, r.event.fields, `line ${r.event.line}`);
        }
      } finally {
        await done();
      }
    });

    it('windows written as a run and the ones after it (read back from the events) both hold across a restart', async () => {
      const { store, reopen, done } = await open();
      try {
        const at = (ip: string, t: number, port = 445): FeedRecord =>
          record({ 'source.ip': ip, 'source.port': port, 'classification.type': 'vulnerable-system' }, t);
        const options = { feed: 'test', enricher: enricher(), rules, cases: false };
        // Two events, and a duplicate of the first inside the same batch.
        const first = await runIntake(records([at('198.51.100.40', T0), at('198.51.100.41', T0), at('198.51.100.40', T0 + HOUR)]), { ...options, sink: store.intake });
        assert.deepEqual([first.stored, first.duplicates], [2, 1]);
        const windows = (store.intake as SqlIntake).dedupWindows;
        assert.equal(windows.tailSize, 2);
        await windows.writeRun();
        assert.equal(windows.tailSize, 0, 'the run took the tail');
        // Two more, left in the tail (not in the window table) when the store closes.
        await runIntake(records([at('198.51.100.42', T0), at('198.51.100.43', T0)]), { ...options, sink: store.intake });
        assert.equal(windows.tailSize, 2);

        const again = await reopen();
        const second = await runIntake(
          records([
            at('198.51.100.40', T0 + 2 * HOUR),
            at('198.51.100.41', T0 + 2 * HOUR),
            at('198.51.100.42', T0 + 3 * HOUR),
            at('198.51.100.43', T0 + 3 * HOUR),
            at('198.51.100.43', T0 + 25 * HOUR),
            at('198.51.100.40', T0 + 2 * HOUR, 139),
          ]),
          { ...options, sink: again.intake, batchSize: 2 },
        );
        assert.equal(second.duplicates, 4, 'every window held: the run and the tail read back');
        assert.equal(second.stored, 2, 'past the window, and another port');
        const byIp = new Map((await again.intake.events({ feed: 'test', limit: 100 })).filter((e) => e.fields['source.port'] === 445 && e.sourceTime === T0).map((e) => [e.sourceIp, e]));
        assert.deepEqual([byIp.get('198.51.100.40')?.duplicates, byIp.get('198.51.100.40')?.lastSeen], [2, T0 + 2 * HOUR]);
        assert.deepEqual([byIp.get('198.51.100.43')?.duplicates, byIp.get('198.51.100.43')?.lastSeen], [1, T0 + 3 * HOUR]);
        assert.equal(await again.intake.count(), 6);
        if (again !== store) await again.close();
      } finally {
        await done();
      }
    });

    it('a re-fed row older than its key\'s latest window is not stored a second time, from the tail or from the window table', async () => {
      const { store, reopen, done } = await open();
      try {
        const at = (t: number): FeedRecord => record({ 'source.ip': '198.51.100.60', 'source.port': 445, 'classification.type': 'vulnerable-system' }, t);
        const options = { feed: 'test', enricher: enricher(), rules, cases: false };
        await runIntake(records([at(T0), at(T0 + 25 * HOUR)]), { ...options, sink: store.intake });
        assert.equal(await store.intake.count(), 2, 'two windows of one key');
        // The same rows again: the first falls before the key's latest window, with a start stored already.
        await runIntake(records([at(T0), at(T0 + 25 * HOUR)]), { ...options, sink: store.intake });
        assert.equal(await store.intake.count(), 2, 'from the tail');
        await (store.intake as SqlIntake).dedupWindows.writeRun();
        const again = await reopen();
        await runIntake(records([at(T0 + 25 * HOUR), at(T0)]), { ...options, sink: again.intake, batchSize: 1 });
        await runIntake(records([at(T0)]), { ...options, sink: again.intake });
        assert.equal(await again.intake.count(), 2, 'from the window table');
        const first = (await again.intake.events({ feed: 'test' })).find((e) => e.sourceTime === T0)!;
        assert.equal(first.duplicates, 0);
        if (again !== store) await again.close();
      } finally {
        await done();
      }
    });

    it('two stores on one database: rows another one stored in between are read into the tail, not skipped', async () => {
      const { store, another, done } = await open();
      try {
        const other = await another();
        const at = (ip: string, t: number): FeedRecord => record({ 'source.ip': ip, 'source.port': 445, 'classification.type': 'vulnerable-system' }, t);
        const options = { feed: 'test', enricher: enricher(), rules, cases: false };
        await runIntake(records([at('198.51.100.70', T0)]), { ...options, sink: store.intake });
        await runIntake(records([at('198.51.100.71', T0)]), { ...options, sink: other.intake });
        // This store's next row does not follow the last it read: the other's row is read back with it.
        await runIntake(records([at('198.51.100.72', T0)]), { ...options, sink: store.intake });
        assert.equal((store.intake as SqlIntake).dedupWindows.tailSize, 3);
        assert.equal((other.intake as SqlIntake).dedupWindows.tailSize, 2, 'the first row read on opening, its own one as returned');
        const again = await runIntake(
          records([at('198.51.100.71', T0 + HOUR), at('198.51.100.72', T0 + 2 * HOUR), at('198.51.100.70', T0 + HOUR)]),
          { ...options, sink: store.intake },
        );
        assert.deepEqual([again.duplicates, again.stored], [3, 0]);
        const byOther = await runIntake(records([at('198.51.100.70', T0 + 3 * HOUR)]), { ...options, sink: other.intake });
        assert.deepEqual([byOther.duplicates, byOther.stored], [1, 0]);
        const byIp = new Map((await store.intake.events({ feed: 'test' })).map((e) => [e.sourceIp, e]));
        assert.deepEqual([byIp.get('198.51.100.70')?.duplicates, byIp.get('198.51.100.70')?.lastSeen], [2, T0 + 3 * HOUR]);
        assert.deepEqual([byIp.get('198.51.100.71')?.duplicates, byIp.get('198.51.100.72')?.lastSeen], [1, T0 + 2 * HOUR]);
        assert.equal(await store.intake.count(), 3);
        await other.close();
      } finally {
        await done();
      }
    });

    it('a window another store wrote into the table as a run is found: the key filter goes when the run mark moves', async () => {
      const { store, another, done } = await open();
      try {
        const at = (ip: string, t: number): FeedRecord => record({ 'source.ip': ip, 'source.port': 445, 'classification.type': 'vulnerable-system' }, t);
        const options = { feed: 'test', enricher: enricher(), rules, cases: false };
        await runIntake(records([at('198.51.100.80', T0)]), { ...options, sink: store.intake });
        const other = await another();
        await runIntake(records([at('198.51.100.81', T0)]), { ...options, sink: other.intake });
        await (other.intake as SqlIntake).dedupWindows.writeRun();
        // This store holds .81 neither in its tail nor in its filter: only the table has it.
        const again = await runIntake(records([at('198.51.100.81', T0 + HOUR), at('198.51.100.80', T0 + HOUR)]), { ...options, sink: store.intake });
        assert.deepEqual([again.duplicates, again.stored], [2, 0]);
        assert.equal(await store.intake.count(), 2);
        await other.close();
      } finally {
        await done();
      }
    });

    it('feed runs keep counts, issues and the validators for conditional requests', async () => {
      const { store, done } = await open();
      try {
        const run = await store.intake.startRun('spamhaus-drop');
        assert.equal(run.status, 'running');
        await store.intake.finishRun(run.id, { status: 'done', records: 3, events: 2, issues: 1, etag: '"abc"', lastModified: 'Mon, 14 Sep 2015 04:39:22 GMT', issueSamples: [{ code: 'x', message: 'y', severity: 'error', file: 'f', line: 2 }] });
        const last = (await store.intake.lastRun('spamhaus-drop', 'done'))!;
        assert.equal(last.etag, '"abc"');
        assert.equal(last.issueSamples[0]!.line, 2);
        assert.equal((await store.intake.runs()).length, 1);
      } finally {
        await done();
      }
    });
  });
}

intakeContract('sqlite', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-intake-')), 'v.db');
  const store = new SqliteStore(path);
  let reopened: Store | undefined;
  return Promise.resolve({
    store,
    reopen: async () => {
      await store.close();
      return (reopened = new SqliteStore(path));
    },
    another: () => Promise.resolve(new SqliteStore(path)),
    done: async () => {
      await reopened?.close().catch(() => undefined);
      await store.close().catch(() => undefined);
    },
  });
});

const problem = await postgresProblem();
if (problem !== null) {
  const message = `PostgreSQL is not reachable (${problem}): feed intake on PostgreSQL is NOT tested`;
  if (process.env.CI === 'true') it('PostgreSQL is reachable (required under CI)', () => assert.fail(message));
  else {
    console.warn(`\n*** SKIPPED: ${message} ***\n`);
    it('intake on postgres', { skip: message }, () => undefined);
  }
} else {
  intakeContract('postgres', async () => {
    const pg = await openTestPostgres();
    return {
      store: pg.store,
      // The same schema through a second pool: what a restarted server sees.
      reopen: async () => {
        const { PostgresStore } = await import('../../src/store/index.js');
        const url = new URL(pg.storeUrl);
        const schema = url.searchParams.get('schema')!;
        url.searchParams.delete('schema');
        return PostgresStore.open({ url: url.toString(), schema });
      },
      another: async () => {
        const { PostgresStore } = await import('../../src/store/index.js');
        const url = new URL(pg.storeUrl);
        const schema = url.searchParams.get('schema')!;
        url.searchParams.delete('schema');
        return PostgresStore.open({ url: url.toString(), schema });
      },
      done: async () => {
        await pg.store.close();
        await pg.drop();
      },
    };
  });
}
