// Built bucket prefilters kept on disk between scans: a later rule set reads them back instead of
// building, matches exactly as a freshly built one, and a record of another bucket is not used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event } from '../../../src/core/event.js';
import {
  compileRuleSet,
  loadDefaultMapping,
  parseRules,
  PrefilterStore,
} from '../../../src/detect/sigma/index.js';

const mapping = loadDefaultMapping();
const load = parseRules(
  `title: Pcalua
id: 0955e4e1-c281-4fb9-9ee1-5ee7876b4a22
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\\\pcalua.exe'}
  condition: sel
level: high
---
title: Certutil download
id: 0955e4e1-c281-4fb9-9ee1-5ee7876b4a23
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|contains|all: [certutil, urlcache]}
  condition: sel
level: high
`,
  'inline.yml',
);

const event = (fields: Record<string, string>): Event => ({
  timestamp: 0,
  source: { kind: 'evtx', file: 'x.evtx', recordId: 1 },
  fields: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, ...fields },
});
const events = [
  event({ Image: 'C:\\Windows\\pcalua.exe', CommandLine: 'pcalua -a x' }),
  event({ Image: 'C:\\Windows\\certutil.exe', CommandLine: 'certutil -urlcache -f http://x' }),
  event({ Image: 'C:\\Windows\\certutil.exe', CommandLine: 'certutil -hashfile x' }),
];
const titles = (set: ReturnType<typeof compileRuleSet>['ruleSet']) =>
  events.map((e) => set.match(e).map((r) => r.rule.title));

test('a bucket built once is written, read back by the next rule set, and matches the same', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vigil-prefilters-')), 'store');
  const expected = titles(compileRuleSet(load, mapping).ruleSet);
  assert.deepEqual(expected, [['Pcalua'], ['Certutil download'], []]);

  const first = new PrefilterStore(dir);
  assert.deepEqual(titles(compileRuleSet(load, mapping, { prefilterStore: first }).ruleSet), expected);
  assert.ok(first.written > 0 && first.read === 0, `written ${first.written}, read ${first.read}`);
  assert.equal(readdirSync(dir).length, first.written);

  const second = new PrefilterStore(dir);
  assert.deepEqual(titles(compileRuleSet(load, mapping, { prefilterStore: second }).ruleSet), expected);
  assert.equal(second.read, first.written);
  assert.equal(second.written, 0);
});

test('a record is used only for its own bucket key and item count', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vigil-prefilters-')), 'store');
  const store = new PrefilterStore(dir);
  compileRuleSet(load, mapping, { prefilterStore: store }).ruleSet.match(events[0]!);
  assert.ok(store.written > 0);
  const reader = new PrefilterStore(dir);
  // The Sysmon process-creation bucket holds both rules' variants.
  const sysmon = 'evtx|microsoft-windows-sysmon/operational|1';
  assert.notEqual(reader.load(sysmon, 2), undefined);
  assert.equal(reader.load(sysmon, 3), undefined);
  // Security 4688 is a bucket of these rules too, but no event met it, so it was never built.
  assert.equal(reader.load('evtx|security|4688', 2), undefined);
});
