// The embedded SQLite store against the shared contract, in memory and on disk (reopened).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/index.js';
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
