// Rules compiled lazily after a compile check: every failure the check recorded is reported at load,
// as an eager compile reports it, and a rule whose every variant failed is left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../../src/core/event.js';
import {
  checkCompile,
  compileRuleSet,
  loadDefaultMapping,
  parseRules,
} from '../../../src/detect/sigma/index.js';

const mapping = loadDefaultMapping();
const yaml = `title: Pcalua
id: 0955e4e1-c281-4fb9-9ee1-5ee7876b4a22
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\\\pcalua.exe'}
  condition: sel
level: high
---
title: Certutil
id: 0955e4e1-c281-4fb9-9ee1-5ee7876b4a23
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\\\certutil.exe'}
  condition: sel
level: high
`;

const event = (image: string): Event => ({
  timestamp: 0,
  source: { kind: 'evtx', file: 'x.evtx', recordId: 1 },
  fields: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: image },
});

test('a clean check: the lazily compiled rules report and match like eagerly compiled ones', () => {
  const load = parseRules(yaml, 'inline.yml');
  const check = checkCompile(load, mapping);
  assert.equal(check.failures.size, 0);
  const lazy = compileRuleSet(load, mapping, { compileCheck: check });
  const eager = compileRuleSet(load, mapping);
  assert.deepEqual(lazy.problems, eager.problems);
  for (const image of ['C:\\Windows\\pcalua.exe', 'C:\\Windows\\certutil.exe', 'C:\\x.exe']) {
    const ids = (set: typeof lazy.ruleSet) => set.match(event(image)).map((r) => r.rule.id);
    assert.deepEqual(ids(lazy.ruleSet), ids(eager.ruleSet), image);
  }
  assert.equal(lazy.ruleSet.match(event('C:\\Windows\\pcalua.exe')).length, 1);
});

test('a failure the check recorded is a problem at load with file and line, and its rule is left out', () => {
  const load = parseRules(yaml, 'inline.yml');
  const certutil = load.rules[1]!;
  const variants = (compileRuleSet(load, mapping).ruleSet.rules[1] as unknown as { variants: unknown[] })
    .variants.length;
  const failures = new Map([
    [
      `${certutil.file}\n${certutil.line}`,
      Array.from({ length: variants }, (_, variant) => ({ variant, message: 'boom' })),
    ],
  ]);
  const { ruleSet, problems } = compileRuleSet(load, mapping, { compileCheck: { failures } });
  const failed = problems.filter((p) => p.code === 'sigma.compile.failed');
  assert.equal(failed.length, variants);
  assert.deepEqual(
    { message: failed[0]!.message, file: failed[0]!.file, line: failed[0]!.line },
    { message: 'boom', file: 'inline.yml', line: certutil.line },
  );
  assert.deepEqual(
    ruleSet.rules.map((r) => r.rule.title),
    ['Pcalua'],
  );
  assert.equal(ruleSet.match(event('C:\\Windows\\certutil.exe')).length, 0);
});
