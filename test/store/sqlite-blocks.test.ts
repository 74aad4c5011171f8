// The block layout of the embedded store (migration 13) against the per-event SQL it replaced: every
// EventQuery filter gives the same events in the same (ts, id) order, and a version-12 file moves into
// blocks with its ids, dedup and detections intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { commonFields } from '../../src/core/accessors.js';
import type { Event, EventFields } from '../../src/core/event.js';
import { detectionId, eventIdAndFields } from '../../src/core/ids.js';
import { SqliteStore } from '../../src/store/index.js';
import type { EventQuery } from '../../src/store/types.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import {
  BLOCK_EVENTS,
  BlockWriter,
  ByteArena,
  compareTsId,
  decodeMeta,
  encodeBlocks,
  storedEvent,
  toBlockEvent,
} from '../../src/store/sqlite/event-blocks.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 10);

/** A deterministic mix: hosts in several cases and under a domain, users, addresses, kinds, value types. */
function corpus(n: number): Event[] {
  const hosts = ['WS-014', 'ws-014.corp.example', 'WS-0140', 'DC-01', 'Ünï-HOST', 'ünï-host', 'WS-014/x'];
  const users = ['alice', 'ALICE', 'Bob', 'svc-backup', 'Ålice'];
  const ips = ['10.0.1.5', '10.0.4.7', '203.0.113.80', '198.51.100.10'];
  const out: Event[] = [];
  let seed = 7;
  const next = (m: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return (seed >>> 12) % m;
  };
  for (let i = 0; i < n; i++) {
    // Five days, with runs at the same millisecond so ties are ordered by id.
    const timestamp = T0 + next(5) * DAY + next(4000) * 60_000 + (i % 3 === 0 ? 0.5 : 0);
    if (i % 2 === 0) {
      const fields: EventFields = {
        EventID: [4624, 4688, 1][next(3)]!,
        Computer: hosts[next(hosts.length)]!,
        TargetUserName: users[next(users.length)]!,
        IpAddress: ips[next(ips.length)]!,
        CommandLine: `C:\\Windows\\cmd.exe /c "echo ${i}" ${['Mimikatz', 'mimikatz', 'MIMIKATZ', 'É'][next(4)]}`,
        Elevated: next(2) === 0,
        Ratio: [0.1, 1.5, 1e21, 2 ** 60, -0, 7][next(6)]!,
        Note: next(5) === 0 ? null : `n${next(3)}`,
        Nested: ['x', next(2), ['y']],
      };
      out.push({ timestamp, source: { kind: 'evtx', file: `sec${next(3)}.evtx`, recordId: i }, fields });
    } else {
      const fields: EventFields = {
        'id.orig_h': ips[next(ips.length)]!,
        'id.resp_h': ips[next(ips.length)]!,
        'id.resp_p': 443,
        orig_bytes: next(10_000),
        'weird "key"': 'quote " and \\ backslash',
      };
      out.push({ timestamp, source: { kind: 'zeek', file: 'conn.log', line: i, logType: 'conn' }, fields });
    }
  }
  return out;
}

/** The events table and per-event SQL of version 12, as the reference for what each query must give. */
function referenceStore(events: readonly Event[]) {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE events (id TEXT NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,
    host TEXT COLLATE NOCASE, user_name TEXT COLLATE NOCASE, src_ip TEXT, dst_ip TEXT, fields TEXT NOT NULL);
    CREATE UNIQUE INDEX events_ts_id ON events (ts, id);`);
  const insert = db.prepare('INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const e of events) {
    const { id, fieldsJson } = eventIdAndFields(e);
    const c = commonFields(e);
    insert.run(id, e.timestamp, e.source.kind, e.source.file, c.host, c.user, c.srcIp, c.dstIp, fieldsJson);
  }
  const select = (query: EventQuery, hostPart: 'exact' | 'domain'): { id: string; ts: number }[] => {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const where = (clause: string, ...values: unknown[]): void => {
      clauses.push(clause);
      params.push(...values);
    };
    if (query.from !== undefined) where('ts >= ?', query.from);
    if (query.to !== undefined) where('ts <= ?', query.to);
    if (query.host !== undefined) {
      if (hostPart === 'exact') where('host = ?', query.host);
      else where('host >= ? AND host < ?', `${query.host}.`, `${query.host}/`);
    }
    if (query.user !== undefined) where('user_name = ?', query.user);
    if (query.kind !== undefined) where('kind = ?', query.kind);
    if (query.ip !== undefined) where('(src_ip = ? OR dst_ip = ?)', query.ip, query.ip);
    if (query.field !== undefined)
      where(
        'EXISTS (SELECT 1 FROM json_each(events.fields) WHERE key = ? AND lower(CAST(value AS TEXT)) = lower(?))',
        query.field.name,
        query.field.value,
      );
    if (query.text !== undefined)
      where('instr(lower(fields), lower(?)) > 0', JSON.stringify(query.text).slice(1, -1));
    if (query.after !== undefined)
      where('(ts > ? OR (ts = ? AND id > ?))', query.after.timestamp, query.after.timestamp, query.after.id);
    const sql = `SELECT id, ts FROM events ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ts, id LIMIT ?`;
    return db.prepare(sql).all(...params, query.limit ?? 100) as { id: string; ts: number }[];
  };
  return {
    search(query: EventQuery): string[] {
      let rows = select(query, 'exact');
      if (query.host !== undefined)
        rows = [...rows, ...select(query, 'domain')]
          .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, query.limit ?? 100);
      return rows.map((r) => r.id);
    },
    count: (): number => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
  };
}

test('sqlite blocks: every query gives what the per-event SQL gave, in the same order', async () => {
  const events = corpus(2 * BLOCK_EVENTS + 500);
  const reference = referenceStore(events);
  const store = new SqliteStore(':memory:');
  // Several adds of different sizes: blocks overlap in time, and one add is cut into many blocks.
  let added = 0;
  for (const [from, to] of [[0, 7], [7, 1500], [1500, 1501], [1501, events.length]] as const)
    added += await store.events.add(events.slice(from, to));
  assert.equal(added, reference.count());
  assert.equal(await store.events.count(), reference.count());
  assert.equal(await store.events.add(events), 0);

  const sample = reference.search({ limit: 10_000 });
  const middle = sample[Math.floor(sample.length / 2)]!;
  const middleTs = (await store.events.get(middle))!.event.timestamp;
  const queries: EventQuery[] = [
    {},
    { limit: 10_000 },
    { limit: 1 },
    { from: T0 + DAY, to: T0 + 2 * DAY, limit: 10_000 },
    { from: T0 + DAY + 0.5, limit: 50 },
    { to: T0 + 3 * DAY },
    { host: 'WS-014', limit: 10_000 },
    { host: 'ws-014', limit: 7 },
    { host: 'WS-01', limit: 10_000 },
    { host: 'ünï-host', limit: 10_000 },
    { host: 'ÜNÏ-HOST', limit: 10_000 },
    { host: 'WS-014', from: T0 + DAY, to: T0 + 2 * DAY, limit: 10_000 },
    { user: 'ALICE', limit: 10_000 },
    { user: 'ålice', limit: 10_000 },
    { ip: '10.0.1.5', limit: 10_000 },
    { ip: '203.0.113.80', kind: 'zeek', limit: 300 },
    { kind: 'evtx', from: T0 + 2 * DAY, limit: 10_000 },
    { field: { name: 'TargetUserName', value: 'alice' }, limit: 10_000 },
    { field: { name: 'EventID', value: '4624' }, limit: 10_000 },
    { field: { name: 'Elevated', value: '1' }, limit: 10_000 },
    { field: { name: 'Elevated', value: 'true' }, limit: 10_000 },
    { field: { name: 'Ratio', value: '0.1' }, limit: 10_000 },
    { field: { name: 'Ratio', value: '1.0e+21' }, limit: 10_000 },
    { field: { name: 'Ratio', value: String(2 ** 60) }, limit: 10_000 },
    { field: { name: 'Ratio', value: '0' }, limit: 10_000 },
    { field: { name: 'Note', value: 'null' }, limit: 10_000 },
    { field: { name: 'Nested', value: '["X",1,["y"]]' }, limit: 10_000 },
    { field: { name: 'weird "key"', value: 'QUOTE " and \\ BACKSLASH' }, limit: 10_000 },
    { field: { name: 'id.resp_h', value: '10.0.4.7' }, ip: '10.0.1.5', limit: 10_000 },
    { text: 'mimikatz', limit: 10_000 },
    { text: 'é', limit: 10_000 },
    { text: 'windows\\cmd', limit: 10_000 },
    { text: '"echo 1', limit: 10_000 },
    // The end of one event's JSON and the start of the next, side by side in a block: no match.
    { text: '}{', limit: 10_000 },
    { text: 'backslash"}{"elevated', limit: 10_000 },
    { text: 'mimikatz', host: 'WS-014', user: 'bob', limit: 10_000 },
    { after: { timestamp: middleTs, id: middle }, limit: 10_000 },
    { after: { timestamp: middleTs, id: middle }, host: 'ws-014', limit: 25 },
    { after: { timestamp: middleTs, id: '' }, limit: 25 },
  ];
  for (const query of queries) {
    const got = (await store.events.search(query)).map((e) => e.id);
    assert.deepEqual(got, reference.search(query), JSON.stringify(query));
  }
  // A full scan in pages returns every event once, in order.
  const scanned: string[] = [];
  for await (const e of store.events.scan({}, 333)) scanned.push(e.id);
  assert.deepEqual(scanned, reference.search({ limit: 10_000 }));
  await store.close();
});

test('sqlite blocks: get finds each event by id, as it was added; an unknown id finds nothing', async () => {
  const events = corpus(300);
  const store = new SqliteStore(':memory:');
  await store.events.add(events);
  for (const e of events.slice(0, 50)) {
    const { id } = eventIdAndFields(e);
    const stored = await store.events.get(id);
    assert.equal(stored?.id, id);
    assert.deepEqual(stored.event.fields, JSON.parse(JSON.stringify(e.fields)));
    assert.deepEqual(stored.event.source, e.source);
    assert.equal(stored.event.timestamp, e.timestamp);
  }
  const { id } = eventIdAndFields(events[0]!);
  assert.equal(await store.events.get(`${id.slice(0, -1)}0`.replace(/.$/, id.endsWith('0') ? '1' : '0')), undefined);
  assert.equal(await store.events.get('not-an-id'), undefined);
  await store.close();
});

test('sqlite (file): migration 13 moves version-12 events into blocks; ids, dedup, pivots and hunts hold', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'v12.db');
  const events = corpus(2_500);
  const old = new Database(path);
  old.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= 12)) {
    old.exec(m.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  // Events as version 12 wrote them: one row each.
  const insert = old.prepare(
    `INSERT OR IGNORE INTO events (id, ts, kind, file, byte_offset, line, record_id, log_type, host, user_name, src_ip, dst_ip, fields)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const e of events) {
    const { id, fieldsJson } = eventIdAndFields(e);
    const c = commonFields(e);
    const s = e.source;
    insert.run(id, e.timestamp, s.kind, s.file, s.offset ?? null, s.line ?? null, s.recordId ?? null,
      s.logType ?? null, c.host, c.user, c.srcIp, c.dstIp, fieldsJson);
  }
  const stored = (old.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  const first = eventIdAndFields(events[0]!).id;
  const hunt = {
    kind: 'sigma' as const,
    ruleId: 'hunt-1',
    ruleTitle: 'Network logon',
    level: 'medium' as const,
    tags: [],
    timestamp: events[0]!.timestamp,
    host: 'WS-014',
    fields: { EventID: 4624 },
    source: events[0]!.source,
    eventId: first,
  };
  old
    .prepare(
      `INSERT INTO detections (id, kind, rule_id, rule_title, level, level_rank, ts, host, tags, fields, source, event_id)
       VALUES (?, 'sigma', 'hunt-1', 'Network logon', 'medium', 2, ?, 'WS-014', '[]', '{"EventID":4624}', ?, ?)`,
    )
    .run(detectionId(hunt), hunt.timestamp, JSON.stringify(hunt.source), first);
  const reference = referenceStore(events);
  old.close();

  const upgraded = new SqliteStore(path);
  assert.equal(await upgraded.schemaVersion(), MIGRATIONS.at(-1)!.version);
  assert.equal(await upgraded.events.count(), stored);
  assert.equal(await upgraded.events.add(events), 0);
  assert.equal((await upgraded.events.get(first))?.id, first);
  const detection = await upgraded.detections.get(detectionId(hunt));
  assert.equal((await upgraded.events.get(detection!.detection.eventId!))?.event.timestamp, hunt.timestamp);
  // Fields and text filters read the blocks' fields, which migration 13 wrote as they are (codec 0).
  for (const query of [
    { host: 'ws-014', limit: 10_000 },
    { ip: '10.0.1.5', limit: 50 },
    { limit: 10_000 },
    { field: { name: 'EventID', value: '4624' }, limit: 10_000 },
    { text: 'ws-014', limit: 10_000 },
  ])
    assert.deepEqual((await upgraded.events.search(query)).map((e) => e.id), reference.search(query));
  assert.deepEqual((await upgraded.events.get(first))?.event.fields, JSON.parse(eventIdAndFields(events[0]!).fieldsJson));
  await upgraded.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'events'").pluck().get(), 0);
  assert.deepEqual(check.prepare('SELECT DISTINCT codec FROM event_blocks').pluck().all(), [0]);
  check.close();
});

test('sqlite (file): new blocks keep their fields compressed (codec 1) and give them back exactly', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'codec.db');
  const events = corpus(2_500);
  const store = new SqliteStore(path);
  await store.events.add(events);
  for (const e of events.slice(0, 50)) {
    const { id, fieldsJson } = eventIdAndFields(e);
    // As JSON keeps them (-0 is 0).
    assert.deepEqual((await store.events.get(id))?.event.fields, JSON.parse(fieldsJson));
  }
  await store.close();
  const check = new Database(path, { readonly: true });
  assert.deepEqual(check.prepare('SELECT DISTINCT codec FROM event_blocks').pluck().all(), [1]);
  const stored = check.prepare('SELECT sum(length(fields)) FROM event_blocks').pluck().get() as number;
  check.close();
  const raw = events.reduce((sum, e) => sum + Buffer.byteLength(eventIdAndFields(e).fieldsJson), 0);
  assert.ok(stored * 4 < raw, `${stored} bytes stored for ${raw} of JSON`);
});

test('block meta: version 2 decodes to the columns version 1 stored, and both give the same events', () => {
  const arena = new ByteArena();
  const events = corpus(600).map((e) => toBlockEvent(e, arena));
  events.sort((a, b) => compareTsId(a.ts, a.id, b.ts, b.id));
  for (const block of encodeBlocks(events)) {
    const v2 = decodeMeta(block.meta);
    assert.equal(JSON.parse(block.meta).v, 2);
    // Version 1 as migration 15 left it: ids and per-event columns written out, files by index.
    const files = [...new Set(v2.file as string[])];
    const v1 = decodeMeta(JSON.stringify({ ...v2, file: v2.file.map((f) => files.indexOf(f as string)), files }));
    for (let i = 0; i < block.count; i++) {
      const fromV2 = storedEvent(v2, block.fields, i);
      assert.deepEqual(fromV2, storedEvent(v1, block.fields, i));
      const e = events.find((x) => x.id === fromV2.id)!;
      assert.deepEqual(
        { host: fromV2.host, user: fromV2.user, srcIp: fromV2.srcIp, dstIp: fromV2.dstIp, source: fromV2.event.source },
        { host: e.host, user: e.user, srcIp: e.srcIp, dstIp: e.dstIp, source: e.source },
      );
    }
  }
});

test('block meta: an event id whose hash is not 40 hex digits is refused, not stored under another id', () => {
  const arena = new ByteArena();
  const good = toBlockEvent(corpus(1)[0]!, arena);
  for (const digest of ['abc', `${good.digest.slice(0, 39)}z`, `${good.digest}00`]) {
    const writer = new BlockWriter();
    assert.throws(() => writer.add({ ...good, id: `1.${digest}`, digest }), /is not <ms>\.<sha1>/);
  }
  const writer = new BlockWriter();
  writer.add(good);
  assert.deepEqual(decodeMeta(writer.finish().meta).id, [good.id]);
});
