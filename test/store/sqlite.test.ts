// The embedded SQLite store against the shared contract, in memory and on disk (reopened).
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/index.js';
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
