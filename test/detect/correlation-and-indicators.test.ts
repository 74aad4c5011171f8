// Correlation rules (Sigma 2.1) over base detections in time order, and indicator sets, through the
// same DetectionEngine a scan uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, EventFields } from '../../src/core/event.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { IndicatorSet, parseIndicatorList } from '../../src/detect/indicators/index.js';
import { correlate } from '../../src/detect/sigma/correlation/engine.js';
import { compileRuleSet, loadDefaultMapping, parseRules } from '../../src/detect/sigma/index.js';

const BASE = `title: Failed logon
id: 0e95725d-7320-415d-80f7-004da920fc11
name: failed_logon
status: test
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
level: low
---
title: Successful logon
id: 1b0f0ad0-8b0a-4a3c-a9ad-3a4b3d0cf1a2
name: success_logon
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624}
  condition: selection
level: low
`;

let record = 0;
function logon(id: 4624 | 4625, minute: number, user: string, ip: string, host = 'DC01'): Event {
  const fields: EventFields = {
    EventID: id,
    Channel: 'Security',
    Computer: host,
    TargetUserName: user,
    IpAddress: ip,
    SystemTime: new Date(Date.UTC(2026, 4, 10, 2, minute)).toISOString(),
  };
  return {
    timestamp: Date.UTC(2026, 4, 10, 2, minute),
    source: { kind: 'evtx', file: 'security.evtx', recordId: ++record },
    fields,
    raw: fields,
  };
}

function run(correlationYaml: string, events: Event[]) {
  const load = parseRules(`${BASE}---\n${correlationYaml}`, 'corr.yml');
  assert.deepEqual(
    load.problems.filter((p) => p.severity === 'error'),
    [],
  );
  const { ruleSet } = compileRuleSet(load, loadDefaultMapping());
  const engine = new DetectionEngine({ ruleSet, correlations: load.correlations });
  const base = events.flatMap((e) => engine.process(e));
  const correlated = correlate(load.correlations, engine.takeCorrelationInputs());
  return { base, correlated };
}

const bruteForce = (condition: string, timespan = '5m', generate = false) => `title: Brute force
id: 6d7a4c55-2f5e-4c3c-9a9e-0a6a8f0b7e01
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: ${timespan}
  condition: {${condition}}
  generate: ${generate}
level: high
`;

test('event_count: a threshold within the timespan, grouped; events outside the window do not count', () => {
  const attack = [0, 1, 2, 3, 4].map((m) => logon(4625, m, 'admin', '203.0.113.7'));
  const slow = [0, 6, 12, 18, 24].map((m) => logon(4625, m, 'admin', '198.51.100.9'));
  const { base, correlated } = run(bruteForce('gte: 5'), [...attack, ...slow]);
  assert.equal(correlated.length, 1);
  assert.equal(correlated[0]!.ruleTitle, 'Brute force');
  assert.equal(correlated[0]!.fields.IpAddress, '203.0.113.7');
  // generate: false hides the base rule's own detections.
  assert.equal(base.length, 0);
  // One short of the threshold: nothing.
  assert.equal(run(bruteForce('gte: 6'), attack).correlated.length, 0);
});

test('generate: true keeps the base detections as well', () => {
  const events = [0, 1, 2].map((m) => logon(4625, m, 'admin', '203.0.113.7'));
  const { base, correlated } = run(bruteForce('gte: 3', '5m', true), events);
  assert.equal(base.length, 3);
  assert.equal(correlated.length, 1);
});

test('value_count: distinct users from one address (password spraying)', () => {
  const yaml = `title: Spraying
id: 2f1b3a77-61ad-4c0e-bb1e-7d4f51a8c9d2
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 10m
  condition: {field: TargetUserName, gte: 3}
level: high
`;
  const same = [0, 1, 2, 3].map((m) => logon(4625, m, 'admin', '203.0.113.7'));
  assert.equal(run(yaml, same).correlated.length, 0);
  const spray = ['alice', 'bob', 'carol'].map((u, i) => logon(4625, i, u, '203.0.113.8'));
  assert.equal(run(yaml, spray).correlated.length, 1);
});

const sequence = (type: string) => `title: Failure then success
id: 9a3a7c2e-5d4b-4f3a-8e21-3c5b7d9e1f00
correlation:
  type: ${type}
  rules: [failed_logon, success_logon]
  group-by: [TargetUserName]
  timespan: 10m
level: critical
`;

test('temporal needs every rule in the window; temporal_ordered also their order', () => {
  const inOrder = [logon(4625, 0, 'admin', '203.0.113.7'), logon(4624, 2, 'admin', '203.0.113.7')];
  const reversed = [logon(4624, 0, 'bob', '203.0.113.7'), logon(4625, 2, 'bob', '203.0.113.7')];
  const tooFar = [logon(4625, 0, 'eve', '203.0.113.7'), logon(4624, 30, 'eve', '203.0.113.7')];
  assert.equal(run(sequence('temporal'), inOrder).correlated.length, 1);
  assert.equal(run(sequence('temporal'), reversed).correlated.length, 1);
  assert.equal(run(sequence('temporal'), tooFar).correlated.length, 0);
  assert.equal(run(sequence('temporal_ordered'), inOrder).correlated.length, 1);
  assert.equal(run(sequence('temporal_ordered'), reversed).correlated.length, 0);
});

test('a broken correlation rule is a problem with file and line, and the other rules still load', () => {
  const load = parseRules(
    `${BASE}---\ntitle: Broken\nid: 3c1d2e4f-0000-4000-8000-000000000001\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: soon\n  condition: {gte: 2}\n`,
    'broken.yml',
  );
  assert.equal(load.rules.length, 2);
  const problem = load.problems.find((p) => p.severity === 'error');
  assert.ok(problem, 'a problem is reported');
  assert.equal(problem.file, 'broken.yml');
  // The document's first line, and the YAML path of the bad key.
  assert.equal(problem.line, 20);
  assert.equal(problem.path, 'correlation.timespan');
});

test('indicators: addresses, CIDR, domains with subdomains, URLs, hashes in Sysmon Hashes, e-mail', () => {
  const list = [
    '# a list as CERTs exchange them',
    '203.0.113.0/24',
    '2001:db8:bad::/48',
    '192.0.2.45',
    'evil.example',
    'https://cdn.bad.example/payload.bin',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'phish@lures.example',
    'not an indicator at all ***',
  ].join('\n');
  const { indicators, problems } = parseIndicatorList(list, 'iocs.txt');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.file, 'iocs.txt');
  assert.equal(problems[0]!.line, 9);
  const set = new IndicatorSet();
  indicators.forEach((i) => set.add(i));
  const hits = (fields: EventFields) =>
    set
      .match({ timestamp: 0, source: { kind: 'jsonl', file: 'x', line: 1 }, fields, raw: fields })
      .map((d) => d.ruleTitle);
  assert.equal(hits({ dst_ip: '203.0.113.200' }).length, 1);
  assert.equal(hits({ dst_ip: '203.0.114.1' }).length, 0);
  assert.equal(hits({ src_ip: '2001:db8:bad:1::5' }).length, 1);
  assert.equal(hits({ query: 'mail.evil.example' }).length, 1);
  assert.equal(hits({ query: 'notevil.example' }).length, 0);
  assert.equal(hits({ url: 'https://cdn.bad.example/payload.bin' }).length, 1);
  assert.equal(
    hits({
      Hashes:
        'MD5=00000000000000000000000000000000,SHA256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    }).length,
    1,
  );
  assert.equal(hits({ sender: 'phish@lures.example' }).length, 1);
});
