// Dedup keys of the embedded store (migration 15): one row of keys per block behind a Bloom filter.
// A version-14 file (a key row per event in event_keys) moves over with dedup intact; a second
// connection to the same file sees what the first stored; repeats within an add are stored once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Event } from '../../src/core/event.js';
import { SqliteStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { eventIdAndFields } from '../../src/core/ids.js';
import {
  ByteArena,
  compareTsId,
  decodeMeta,
  encodeBlocks,
  toBlockEvent,
  type BlockMeta,
} from '../../src/store/sqlite/event-blocks.js';
import { EventTables, RAW_CODEC } from '../../src/store/sqlite/event-tables.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 10);

function events(n: number, from = 0): Event[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      // Spread over 40 days and out of order, as an add of real logs is.
      timestamp: T0 + ((i * 7919) % 40) * DAY + (i % 997) * 1000 + (i % 3 === 0 ? 0.25 : 0),
      source: { kind: 'evtx' as const, file: `f${i % 4}.evtx`, recordId: i },
      fields: { EventID: 4624 + (i % 5), Computer: `WS-${i % 13}`, TargetUserName: `u${i % 7}`, n: i },
    };
  });
}

/** The dedup key as version 14 stored it in event_keys: the id's millisecond and 52 bits of its hash. */
function v14Key(id: string): [number, number] {
  const dot = id.indexOf('.');
  return [Number(id.slice(0, dot)), parseInt(id.slice(dot + 1, dot + 14), 16)];
}

test('sqlite (file): migration 15 moves the version-14 dedup keys into one row per block; re-ingest stores nothing', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'v14.db');
  const old = new Database(path);
  old.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= 14)) {
    old.exec(m.sql);
    m.apply?.(old);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  // Two adds as version 14 made them: blocks and postings, and one event_keys row per event.
  const stored = events(3_000);
  // Rows as version 14 wrote them: no codec column yet (migration 16).
  const tables = new EventTables(old, RAW_CODEC);
  const key = old.prepare('INSERT INTO event_keys (ts, hash) VALUES (?, ?)');
  for (const add of [stored.slice(0, 1_800), stored.slice(1_800)]) {
    const arena = new ByteArena();
    const prepared = add.map((e) => toBlockEvent(e, arena));
    for (const e of prepared) key.run(...v14Key(e.id));
    prepared.sort((a, b) => compareTsId(a.ts, a.id, b.ts, b.id));
    for (const block of encodeBlocks(prepared)) tables.addBlock(block);
  }
  // Version 14 wrote the meta's first form (version 1): each event's id and file in the block's columns.
  const metas = old.prepare('SELECT block, meta FROM event_blocks').raw().all() as [number, string][];
  const setMeta = old.prepare('UPDATE event_blocks SET meta = ? WHERE block = ?');
  for (const [block, text] of metas) {
    const meta: BlockMeta = decodeMeta(text);
    assert.ok(meta.file.every((f) => typeof f === 'string'));
    setMeta.run(JSON.stringify(meta), block);
  }
  const blocks = old.prepare('SELECT count(*) FROM event_blocks').pluck().get() as number;
  assert.ok(blocks > 40, `${blocks} blocks`);
  old.close();

  const upgraded = new SqliteStore(path);
  assert.equal(await upgraded.schemaVersion(), MIGRATIONS.at(-1)!.version);
  assert.equal(await upgraded.events.count(), stored.length);
  // Every event again, in another order and with new ones among them: only the new ones are stored.
  assert.equal(await upgraded.events.add([...stored].reverse()), 0);
  const more = events(500, 3_000);
  assert.equal(await upgraded.events.add([...stored.slice(0, 700), ...more, ...stored.slice(2_000)]), more.length);
  assert.equal(await upgraded.events.count(), stored.length + more.length);
  // Blocks of both forms give every event as it was added.
  const byId = new Map([...stored, ...more].map((e) => [eventIdAndFields(e).id, e]));
  const found = await upgraded.events.search({ limit: 10_000 });
  assert.equal(found.length, byId.size);
  for (const e of found) assert.deepEqual(e.event, byId.get(e.id));
  await upgraded.close();

  // And so after the store is opened again, the filter made anew from the stored rows.
  const reopened = new SqliteStore(path);
  assert.equal(await reopened.events.add([...more, ...stored]), 0);
  await reopened.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'event_keys'").pluck().get(), 0);
  assert.equal(
    check.prepare('SELECT count(*) FROM event_block_keys k JOIN event_blocks b USING (block)').pluck().get(),
    check.prepare('SELECT count(*) FROM event_blocks').pluck().get(),
  );
  assert.equal(check.prepare('SELECT sum(length(keys)) / 16 FROM event_block_keys').pluck().get(), stored.length + more.length);
  check.close();
});

test('sqlite (file): two connections to one file dedupe against each other', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'two.db');
  const a = new SqliteStore(path);
  const b = new SqliteStore(path);
  const batch = events(2_000);
  assert.equal(await a.events.add(batch.slice(0, 1_200)), 1_200);
  // b's filter is made after a's add; then each stores, and the other sees it on its next add.
  assert.equal(await b.events.add(batch), 800);
  assert.equal(await a.events.add(batch), 0);
  const later = events(300, 2_000);
  assert.equal(await a.events.add(later), 300);
  assert.equal(await b.events.add([...later, ...batch]), 0);
  assert.equal(await b.events.count(), 2_300);
  await a.close();
  await b.close();
});

test('sqlite: repeats within one add are stored once, the first of them kept; many and few', async () => {
  const store = new SqliteStore(':memory:');
  const batch = events(400);
  // A few repeats (found by scanning) and, in the next add, hundreds (found through a map).
  const copy = { ...batch[5]!, source: { ...batch[5]!.source, file: 'copy.evtx' } };
  assert.equal(await store.events.add([...batch.slice(0, 100), copy, batch[5]!, batch[7]!]), 100);
  const found = await store.events.search({ limit: 10_000 });
  assert.ok(found.every((e) => e.event.source.file !== 'copy.evtx'));
  const fresh = events(300, 400);
  assert.equal(await store.events.add([...fresh, ...fresh, ...batch, ...fresh]), 300 + 300);
  assert.equal(await store.events.count(), 700);
  await store.close();
});
