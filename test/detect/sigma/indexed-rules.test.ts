// The indexed rule cache a scan reads (indexed-rules.ts): the same problems, rule count, correlations
// and matches, in the same order, as compiling the whole cached load, while making only the rules of
// the buckets events meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event } from '../../../src/core/event.js';
import {
  cacheRules,
  compileRuleSet,
  loadCachedRules,
  loadDefaultMapping,
  loadIndexedRules,
  parseRules,
  type RuleSet,
} from '../../../src/detect/sigma/index.js';
import { lazyRuleSet, ruleIndexOf } from '../../../src/detect/sigma/ruleset.js';

const mapping = loadDefaultMapping();

const rules = `title: Whoami
id: 11111111-1111-4111-8111-111111111111
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\\\whoami.exe'}
  condition: sel
level: high
---
title: Any process
id: 22222222-2222-4222-8222-222222222222
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|contains: '\\\\'}
  condition: sel
level: low
---
title: Logon
id: 33333333-3333-4333-8333-333333333333
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624, LogonType: 10}
  condition: sel
level: medium
---
title: Switched off
id: 44444444-4444-4444-8444-444444444444
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\\\whoami.exe'}
  condition: sel
level: high
---
title: Nowhere
id: 55555555-5555-4555-8555-555555555555
logsource: {product: nosuchproduct}
detection:
  sel: {a: b}
  condition: sel
level: low
---
title: Not for admins
logsource: {product: windows, category: process_creation}
filter:
  rules: [22222222-2222-4222-8222-222222222222]
  admin: {User: admin}
  condition: not admin
---
title: Many logons
correlation:
  type: event_count
  rules: [33333333-3333-4333-8333-333333333333]
  group-by: [IpAddress]
  timespan: 5m
  condition: {gte: 3}
level: high
`;

const processEvent = (image: string, user = 'alice'): Event => ({
  timestamp: 0,
  source: { kind: 'evtx', file: 'x.evtx', recordId: 1 },
  fields: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: image, User: user },
});
const logonEvent: Event = {
  timestamp: 0,
  source: { kind: 'evtx', file: 'x.evtx', recordId: 2 },
  fields: { Channel: 'Security', EventID: 4624, LogonType: 10, IpAddress: '10.0.0.1' },
};
const events = [
  processEvent('C:\\Windows\\System32\\whoami.exe'),
  processEvent('C:\\Windows\\System32\\whoami.exe', 'admin'),
  processEvent('C:\\x\\calc.exe'),
  logonEvent,
];
const fired = (ruleSet: RuleSet): string[][] =>
  events.map((e) => ruleSet.match(e).map((r) => r.rule.title));

test('a scan reads the indexed cache as it would compile the whole cached load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-indexed-'));
  const cacheDir = join(dir, 'cache');
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'all.yml'), rules);
  const cached = await cacheRules([join(dir, 'rules'), join(dir, 'missing')], { cacheDir });
  assert.ok(cached);
  const off = ['44444444-4444-4444-8444-444444444444'];

  const whole = (await loadCachedRules(cached))!;
  whole.rules = whole.rules.filter((r) => !off.includes(r.id));
  const eager = compileRuleSet(whole, mapping, { compileCheck: whole.compileCheck! });

  const indexed = await loadIndexedRules(cached, off);
  assert.ok(indexed);
  assert.deepEqual(indexed.problems, [...whole.problems, ...eager.problems]);
  assert.ok(indexed.problems.some((p) => p.code === 'sigma.path.unreadable'));
  assert.ok(indexed.problems.some((p) => p.code === 'sigma.logsource.unmapped'));
  assert.equal(indexed.rulesLoaded, eager.ruleSet.rules.length);
  assert.deepEqual(indexed.correlations, whole.correlations);

  const lazy = indexed.ruleSet();
  assert.equal(lazy.rules.length, 0, 'no rule is made before an event meets its bucket');
  lazy.match(processEvent('C:\\Windows\\System32\\whoami.exe'));
  assert.deepEqual(lazy.rules.map((r) => r.rule.title).sort(), ['Any process', 'Whoami']);
  assert.deepEqual(fired(indexed.ruleSet()), fired(eager.ruleSet));
  assert.deepEqual(fired(eager.ruleSet), [['Whoami', 'Any process'], ['Whoami'], ['Any process'], ['Logon']]);

  // Read back from its own file on later scans, without the rule cache.
  const file = readdirSync(cacheDir).find((f) => f.includes('-indexed-'));
  assert.ok(file);
  rmSync(cached.cacheFile);
  const again = await loadIndexedRules(cached, off);
  assert.ok(again);
  assert.deepEqual(fired(again.ruleSet()), fired(eager.ruleSet));
  // Another set of rules switched off is another file, made from the rule cache: gone here.
  assert.equal(await loadIndexedRules(cached, []), undefined);
});

test('the index leaves out what the compile check failed, as compileRuleSet does', () => {
  const load = parseRules(rules, 'inline.yml');
  const whoami = load.rules[0]!;
  const variants = (compileRuleSet(load, mapping).ruleSet.rules[0] as unknown as { variants: unknown[] })
    .variants.length;
  const failures = new Map([
    [
      `${whoami.file}\n${whoami.line}`,
      Array.from({ length: variants }, (_, variant) => ({ variant, message: 'boom' })),
    ],
  ]);
  const check = { failures };
  const eager = compileRuleSet(load, mapping, { compileCheck: check });
  assert.ok(eager.problems.some((p) => p.code === 'sigma.compile.failed' && p.message === 'boom'));
  const lazy = lazyRuleSet(
    ruleIndexOf(load, mapping, check),
    (i) => load.rules[i]!,
    (i) => load.filters[i]!,
    mapping,
  );
  assert.deepEqual(fired(lazy), fired(eager.ruleSet));
  assert.ok(!fired(lazy).flat().includes('Whoami'));
});
