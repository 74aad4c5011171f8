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
