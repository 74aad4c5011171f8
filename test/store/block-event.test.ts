// The store computes content ids on the bytes a block keeps (toBlockEvent): pinned to the id function
// of core/ids.ts, byte for byte, on every event of the attack samples and on edge cases, since stored
// ids and re-ingest depend on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Event } from '../../src/core/event.js';
import { createHash } from 'node:crypto';
import { eventIdAndFields, eventIdTime } from '../../src/core/ids.js';
import { walkEvidence } from '../../src/ingest/index.js';
import { ByteArena, keyOfId, toBlockEvent } from '../../src/store/sqlite/event-blocks.js';
import { corpusMissing, SHARED_DATA } from '../helpers/shared-data.js';

/** The id as eventIdAndFields made it before: the text of kind, time and JSON, hashed. */
function oldEventId(e: Event, fieldsJson: string): string {
  const digest = createHash('sha1').update(`${e.source.kind}\0${String(e.timestamp)}\0${fieldsJson}`).digest('hex');
  return `${eventIdTime(e.timestamp)}.${digest}`;
}

function assertSameAsIdFunction(events: readonly Event[]): void {
  // One arena for all, as an add uses it: the arena grows and moves while earlier events are read.
  const arena = new ByteArena();
  const made = events.map((e) => toBlockEvent(e, arena));
  events.forEach((e, i) => {
    const { id, fieldsJson } = eventIdAndFields(e);
    const b = made[i]!;
    assert.equal(b.id, id, `event #${i} of ${e.source.file}`);
    assert.equal(b.id, oldEventId(e, fieldsJson));
    assert.equal(b.fields.toString('utf8', b.start, b.end), fieldsJson, `fields of event #${i}`);
    // The dedup key, read off the digest as it is made, is the one keyOfId reads off the id.
    const { keyTs, keyHi, keyLo } = b;
    assert.deepEqual({ keyTs, keyHi, keyLo }, keyOfId(id), `key of event #${i}`);
  });
}

test('block events: ids and bytes are those of eventIdAndFields on every attack-sample event', { skip: corpusMissing('evtx-attack-samples') }, async () => {
  const events: Event[] = [];
  for await (const item of walkEvidence([join(SHARED_DATA, 'evtx-attack-samples')])) {
    if (item.file === null) continue;
    for await (const r of item.records) if (r.ok) events.push(r.event);
  }
  assert.ok(events.length > 8000, `${events.length} events`);
  assertSameAsIdFunction(events);
});

test('block events: ids of odd times, kinds and text are those of eventIdAndFields', () => {
  assertSameAsIdFunction([
    { timestamp: NaN, source: { kind: 'jsonl', file: 'x', line: 1 }, fields: { a: [1, 'b'], é: '\ud800' } },
    { timestamp: -0, source: { kind: 'zeek', file: 'conn.log', line: 2 }, fields: {} },
    { timestamp: -1.5, source: { kind: 'zeek', file: 'conn.log', line: 2 }, fields: { n: -0, i: Infinity } },
    { timestamp: 1_700_000_000_123.9, source: { kind: 'w3c', file: 'u_ex.log', line: 3 }, fields: { q: '😀 \u2028 "\\' } },
    {
      timestamp: Date.UTC(2026, 4, 10),
      source: { kind: 'evtx', file: 'sec.evtx', recordId: 1 },
      fields: { 10: 'ten', 2: 'two', Zz: [null, true, ['x', -0]], 'ümlaut key': 'ÿ'.repeat(5000) },
    },
  ]);
});
