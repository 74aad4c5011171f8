// The per-event view lowers each field once, whatever its shape, and finds it under any spelling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../../src/core/event.js';
import { EventView } from '../../../src/detect/sigma/event-view.js';

const event = (fields: Event['fields']): Event => ({
  timestamp: 0,
  source: { kind: 'evtx', file: 'x.evtx', offset: 0 },
  fields,
});

test('lower gives each field lower-cased once: strings, numbers, arrays, missing, other spellings', () => {
  const view = new EventView(
    event({
      Image: 'C:\\Windows\\CMD.EXE',
      EventID: 4688,
      Tags: ['A', 7, null, ['B']],
      'Threat Name': 'HackTool:X',
    }),
  );
  const image = view.lower('Image');
  assert.deepEqual(image, ['c:\\windows\\cmd.exe']);
  assert.equal(view.lower('Image'), image, 'the second ask is the first answer');
  assert.deepEqual(view.lower('EventID'), ['4688']);
  assert.deepEqual(view.lower('Tags'), ['a', '7', 'b']);
  assert.equal(view.lower('Missing'), null);
  assert.equal(view.lower('Missing'), null);
  assert.deepEqual(view.lower('ThreatName'), ['hacktool:x']);
  assert.deepEqual(view.lower('constructor'), null);
  // Names asked in another order still find their own values.
  assert.deepEqual(view.lower('Tags'), ['a', '7', 'b']);
  assert.deepEqual(view.lower('Image'), ['c:\\windows\\cmd.exe']);
});

test('a field under another spelling is found in each event, however alike the events are', () => {
  // The map by normalised name is reused for an event with the same keys: the keys, not their count.
  const first = new EventView(event({ 'Threat Name': 'A', Image: 'x' }));
  assert.deepEqual(first.strings('ThreatName'), ['A']);
  const same = new EventView(event({ 'Threat Name': 'B', Image: 'y' }));
  assert.deepEqual(same.strings('ThreatName'), ['B']);
  const other = new EventView(event({ 'threat name': 'C', Image: 'z' }));
  assert.deepEqual(other.strings('ThreatName'), ['C']);
  const shorter = new EventView(event({ Image: 'w' }));
  assert.equal(shorter.strings('ThreatName'), null);
  assert.equal(new EventView(event({ 'Threat Name': 'D', Image: 'v' })).strings('threatname')?.[0], 'D');
});
