// The embedded SQLite store against the shared contract, in memory and on disk (reopened).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/index.js';
import { detectionId, eventIdAndFields } from '../../src/core/ids.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { storeContract } from './contract.js';
import { dedupKey, IntakeEnricher, runIntake, type DedupRule } from '../../src/cases/intake/index.js';
import { ConstituencyIndex } from '../../src/enrich/constituency/index.js';
import { FeedEventBuilder } from '../../src/ingest/feeds/index.js';
import { FACTS } from '../enrich/constituency-fixture.js';

storeContract('sqlite (memory)', () => Promise.resolve(new SqliteStore(':memory:')));

test('sqlite (file): data survives closing and reopening, and migrations run once', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'nested', 'vigil.db');
  const first = new SqliteStore(path);
  await first.events.add([{ timestamp: 5, source: { kind: 'jsonl', file: 'a', line: 1 }, fields: { a: 1 } }]);
  await first.close();
  const second = new SqliteStore(path);
  assert.equal(await second.events.count(), 1);
  assert.equal(await second.schemaVersion(), MIGRATIONS.at(-1)!.version);
  await second.close();
});

test('sqlite (file): a store made by version 1 upgrades, and its events still dedupe and pivot', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'v1.db');
  const event = {
    timestamp: Date.UTC(2026, 4, 10, 2, 1),
    source: { kind: 'evtx' as const, file: 'sec.evtx', recordId: 101 },
    fields: { EventID: 4624, Computer: 'WS-014', TargetUserName: 'alice', IpAddress: '10.0.1.5' },
  };
  // Only migration 1, as the first release left it, with one event written the way it wrote them.
  const old = new Database(path);
  old.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  old.exec(MIGRATIONS[0]!.sql);
  old.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(MIGRATIONS[0]!.name);
  old.close();
  const first = new SqliteStore(path);
  assert.equal(await first.events.add([event]), 1);
  await first.close();
  const upgraded = new SqliteStore(path);
  assert.equal(await upgraded.schemaVersion(), MIGRATIONS.at(-1)!.version);
  assert.equal(await upgraded.events.add([event]), 0);
  assert.equal((await upgraded.events.search({ ip: '10.0.1.5' })).length, 1);
  assert.equal((await upgraded.events.search({ user: 'ALICE' })).length, 1);
  await upgraded.close();
});

test('sqlite: a batch larger than one statement, with duplicates inside it, counts only new rows', async () => {
  const store = new SqliteStore(':memory:');
  const events = Array.from({ length: 137 }, (_, i) => ({
    timestamp: 1_000 + (i % 101),
    source: { kind: 'jsonl' as const, file: 'a.jsonl', line: i + 1 },
    fields: { n: i % 101, src_ip: `10.0.0.${i % 101}` },
  }));
  assert.equal(await store.events.add(events), 101);
  assert.equal(await store.events.add(events), 0);
  assert.equal(await store.events.count(), 101);
  await store.close();
});

test('sqlite (file): migration 11 gives stored events time-led ids that still dedupe, and hunts follow them', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'v10.db');
  const event = {
    timestamp: Date.UTC(2026, 4, 10, 2, 1),
    source: { kind: 'evtx' as const, file: 'sec.evtx', recordId: 101 },
    fields: { EventID: 4624, Computer: 'WS-014', TargetUserName: 'alice', IpAddress: '10.0.1.5' },
  };
  const { id, fieldsJson } = eventIdAndFields(event);
  const bareHash = id.slice(id.indexOf('.') + 1);
  const hunt = {
    kind: 'sigma' as const,
    ruleId: 'hunt-1',
    ruleTitle: 'Network logon',
    level: 'medium' as const,
    tags: [],
    timestamp: event.timestamp,
    host: 'WS-014',
    fields: { EventID: 4624 },
    source: event.source,
  };
  const huntId = detectionId({ ...hunt, eventId: bareHash });
  // A store as version 10 left it: the event under its bare hash, a hunt detection naming it.
  const old = new Database(path);
  old.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= 10)) {
    old.exec(m.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  old
    .prepare(
      `INSERT INTO events (id, ts, kind, file, record_id, host, user_name, src_ip, fields)
       VALUES (?, ?, 'evtx', 'sec.evtx', 101, 'WS-014', 'alice', '10.0.1.5', ?)`,
    )
    .run(bareHash, event.timestamp, fieldsJson);
  old
    .prepare(
      `INSERT INTO detections (id, kind, rule_id, rule_title, level, level_rank, ts, host, tags, fields, source, event_id)
       VALUES (?, 'sigma', 'hunt-1', 'Network logon', 'medium', 2, ?, 'WS-014', '[]', '{"EventID":4624}', ?, ?)`,
    )
    .run(huntId, event.timestamp, JSON.stringify(event.source), bareHash);
  old.close();

  const upgraded = new SqliteStore(path);
  assert.equal(await upgraded.schemaVersion(), MIGRATIONS.at(-1)!.version);
  assert.equal(await upgraded.events.add([event]), 0);
  assert.equal((await upgraded.events.get(id))?.event.fields.TargetUserName, 'alice');
  assert.equal(await upgraded.events.get(bareHash), undefined);
  assert.equal((await upgraded.detections.get(huntId))?.detection.eventId, id);
  // The same hunt run again names the event by its new id and still lands on the stored detection.
  assert.equal(await upgraded.detections.add([{ ...hunt, eventId: id }]), 0);
  assert.equal(await upgraded.detections.count(), 1);
  assert.equal((await upgraded.events.search({ host: 'ws-014' })).length, 1);
  await upgraded.close();
});

test('sqlite (file): migration 14 moves the dedup windows of stored feed events into the window table; they still dedupe', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'v12.db');
  const rule: DedupRule = { name: 'test', keys: ['source.ip', 'classification.type'], windowMs: 86_400_000 };
  const t0 = Date.UTC(2026, 10, 16, 8);
  const fields = (ip: string, at: number) => {
    const b = new FeedEventBuilder({ fileName: 'r.csv', observation: new Date(at).toISOString(), feedName: 'Test' }, { file: 'r.csv', line: 2 });
    b.set('source.ip', ip);
    b.set('classification.type', 'scanner');
    b.set('time.source', new Date(at).toISOString());
    return b.finish(ip).fields;
  };
  // A store as version 12 left it: two kept events, found by the window index on feed_events.
  const old = new Database(path);
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  for (const m of MIGRATIONS.filter((m) => m.version <= 12)) {
    old.exec(m.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  for (const ip of ['198.51.100.50', '198.51.100.51'])
    old
      .prepare(
        `INSERT INTO feed_events (feed, observed_at, source_time, dedup_key, window_start, last_seen, taxonomy, type, source_ip, organisation, fields)
         VALUES ('test', ?, ?, ?, ?, ?, 'other', 'scanner', ?, '', ?)`,
      )
      .run(t0, t0, dedupKey(fields(ip, t0), rule), t0, t0, ip, JSON.stringify(fields(ip, t0)));
  old.close();

  const upgraded = new SqliteStore(path);
  assert.equal(await upgraded.schemaVersion(), MIGRATIONS.at(-1)!.version);
  const constituency = new ConstituencyIndex([], [], FACTS);
  const result = await runIntake(
    [{ event: { fields: fields('198.51.100.50', t0 + 3_600_000), issues: [], line: 2 } }, { event: { fields: fields('198.51.100.52', t0), issues: [], line: 3 } }],
    { feed: 'test', enricher: new IntakeEnricher(constituency, FACTS, 'NL'), sink: upgraded.intake, rules: [rule], cases: false },
  );
  assert.deepEqual([result.duplicates, result.stored], [1, 1]);
  const kept = (await upgraded.intake.events({ feed: 'test' })).find((e) => e.sourceIp === '198.51.100.50')!;
  assert.deepEqual([kept.duplicates, kept.lastSeen, kept.fields['source.ip']], [1, t0 + 3_600_000, '198.51.100.50']);
  await upgraded.close();
});
