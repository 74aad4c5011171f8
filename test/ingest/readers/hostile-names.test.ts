// Field names are attacker-controlled: `__proto__`, `constructor` and `toString` as column names,
// W3C and Zeek fields, JSON keys and Windows event data names are fields like any other — they
// never change an event's prototype and are never found on events that do not have them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '../../../src/core/event.js';
import { readOne, tempDir } from './support.js';

const dir = tempDir();

function assertPlain(events: readonly Event[], expected: Record<string, unknown>): void {
  assert.ok(events.length > 0);
  for (const e of events) {
    assert.equal(Object.getPrototypeOf(e.fields), Object.prototype, 'the prototype is untouched');
    for (const [k, v] of Object.entries(expected)) {
      assert.ok(Object.hasOwn(e.fields, k), `${k} is an own field`);
      assert.deepEqual(e.fields[k], v, k);
    }
    assert.equal(Object.hasOwn(e.fields, 'valueOf'), false);
  }
}

test('CSV headers', async () => {
  const path = join(dir, 'hostile.csv');
  writeFileSync(path, '__proto__,constructor,toString,ip\r\nevil,yes,no,203.0.113.5\r\n');
  const read = await readOne(path);
  assertPlain(read.events, { __proto__: 'evil', constructor: 'yes', toString: 'no' });
});

test('W3C #Fields', async () => {
  const path = join(dir, 'u_ex.log');
  writeFileSync(
    path,
    '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-05-10 00:00:00\n#Fields: date time __proto__ toString c-ip\n2026-05-10 03:02:00 evil x 203.0.113.5\n',
  );
  const read = await readOne(path);
  assert.equal(read.format, 'w3c');
  assertPlain(read.events, { __proto__: 'evil', toString: 'x' });
});

test('Zeek TSV #fields', async () => {
  const path = join(dir, 'conn.log');
  writeFileSync(
    path,
    '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#fields\tts\t__proto__\tconstructor\n#types\ttime\tstring\tstring\n1778382120.0\tevil\tyes\n',
  );
  const read = await readOne(path);
  assert.equal(read.format, 'zeek');
  assertPlain(read.events, { __proto__: 'evil', constructor: 'yes' });
});

test('JSON lines and Windows JSON keys', async () => {
  const path = join(dir, 'lines.jsonl');
  writeFileSync(
    path,
    `${JSON.stringify({ timestamp: '2026-05-10T03:02:00Z', __proto__x: 1, toString: 'a', nested: { constructor: 'b' } }).replace('__proto__x', '__proto__')}\n`,
  );
  const read = await readOne(path);
  assertPlain(read.events, { __proto__: 1, toString: 'a' });
  const win = join(dir, 'win.json');
  writeFileSync(
    win,
    `${JSON.stringify({ Event: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'WS-1', TimeCreated: { '#attributes': { SystemTime: '2026-05-10T03:02:00Z' } } }, EventData: { toString: 'x', constructorX: 'y' } } }).replace('constructorX', '__proto__')}\n`,
  );
  const winRead = await readOne(win);
  assertPlain(winRead.events, { toString: 'x', __proto__: 'y' });
});
