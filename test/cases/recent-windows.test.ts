// The pipeline's recent dedup windows: typed-array tables in two generations. A window is found
// until its generation is forgotten, one met again moves into the newer generation, and the counts
// of a window replaced within a batch reach the store apart from its successor's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentWindows } from '../../src/cases/intake/recent-windows.js';
import { runIntake, type IntakeBatch, type IntakeSink } from '../../src/cases/intake/index.js';
import { FeedEventBuilder, type FeedRecord } from '../../src/ingest/feeds/index.js';
import { ConstituencyIndex } from '../../src/enrich/constituency/index.js';
import { IntakeEnricher } from '../../src/cases/intake/index.js';
import { FACTS } from '../enrich/constituency-fixture.js';

test('windows are found by key until their generation goes; one met again is kept', () => {
  const windows = new RecentWindows(100, 10);
  // 53-bit keys, some sharing their low 32 bits (the table's hash), and 0.
  const keys = [0, 1, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 40 + 7, ...Array.from({ length: 95 }, (_, i) => i * 2654435761 + 12345)];
  for (const [i, k] of keys.entries()) windows.set(k, 1000 + i, 2000 + i);
  for (const [i, k] of keys.entries()) {
    const at = windows.find(k);
    assert.ok(at >= 0, String(k));
    assert.deepEqual([windows.key(at), windows.start(at), windows.lastSeen(at)], [k, 1000 + i, 2000 + i]);
  }
  assert.equal(windows.find(2), -1);
  const at = windows.find(1);
  windows.count(at, 2500);
  windows.count(at, 2400);
  assert.deepEqual([windows.pending(at), windows.lastSeen(at)], [2, 2500]);
  assert.equal(windows.take(at), 2);
  assert.equal(windows.pending(at), 0);
  windows.set(1, 3000, 3000);
  assert.equal(windows.start(windows.find(1)), 3000, 'a later window replaces the earlier');
  windows.settle(); // 100 windows: the newer generation becomes the older
  windows.find(2 ** 53 - 1); // met again: moves into the newer generation
  for (let i = 0; i < 100; i++) windows.set(10 ** 6 + i, 5, 5);
  windows.settle(); // the first generation goes, but for the one moved
  assert.equal(windows.find(0), -1);
  assert.equal(windows.find(1), -1);
  assert.equal(windows.start(windows.find(2 ** 53 - 1)), 1003);
  assert.ok(windows.find(10 ** 6 + 99) >= 0);
});

test('a window replaced within a batch: its duplicates and its successor\'s go to the store apart', async () => {
  const HOUR = 3_600_000;
  const T0 = Date.parse('2026-11-16T08:00:00Z');
  const at = (t: number): FeedRecord => {
    const b = new FeedEventBuilder({ fileName: 't.csv', observation: new Date(T0).toISOString() }, { file: 't.csv', line: 1 });
    b.set('source.ip', '198.51.100.7');
    b.set('classification.type', 'vulnerable-system');
    b.set('time.source', new Date(t).toISOString());
    return { event: b.finish('x') };
  };
  const batches: IntakeBatch[] = [];
  const sink: IntakeSink = {
    windows: () => Promise.resolve(new Map()),
    caseFor: () => Promise.resolve({ caseId: 'c', opened: true }),
    addTemplate: () => Promise.reject(new Error('no template expected: the pipeline ran in this thread')),
    write: (b) => {
      batches.push(b);
      return Promise.resolve();
    },
  };
  const enricher = new IntakeEnricher(new ConstituencyIndex([], [], FACTS), FACTS, 'NL');
  const result = await runIntake([at(T0), at(T0 + HOUR), at(T0 + 2 * HOUR), at(T0 + 25 * HOUR), at(T0 + 26 * HOUR), at(T0 + 30 * HOUR)], {
    feed: 't',
    enricher,
    sink,
    cases: false,
  });
  assert.deepEqual([result.stored, result.duplicates], [2, 4]);
  const [batch] = batches;
  const [first, second] = batch!.events;
  assert.deepEqual(
    batch!.duplicates.map((d) => [d.eventId, d.count, d.lastSeen]).sort(),
    [
      [first!.id, 2, T0 + 2 * HOUR],
      [second!.id, 2, T0 + 30 * HOUR],
    ].sort(),
  );
});
