// Sigma correlation rules (specification 2.x, "Sigma Correlation Rules"), table by table: each case is a
// multi-document YAML rule file written to disk, loaded by the real loader (loadRules), compiled, run
// over synthetic events by the DetectionEngine a scan uses, then correlated as `vigil scan` does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Detection } from '../../../src/core/detection.js';
import type { Event, EventFields } from '../../../src/core/event.js';
import { DetectionEngine } from '../../../src/detect/engine.js';
import { correlate } from '../../../src/detect/sigma/correlation/engine.js';
import { compileRuleSet, loadDefaultMapping, loadRules } from '../../../src/detect/sigma/index.js';

// ---------------------------------------------------------------------------------------------------
// Base rules: Windows logons (Security) and Zeek connections, referenced by name from correlations.

const FAILED_ID = '5e3c0b4e-0a4f-4c55-9d0d-7a1b9e6f0001';
const SUCCESS_ID = '5e3c0b4e-0a4f-4c55-9d0d-7a1b9e6f0002';

const BASE = `title: Single failed logon
id: ${FAILED_ID}
name: failed_logon
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID:
      - 529
      - 4625
  condition: selection
level: low
---
title: Successful logon
id: ${SUCCESS_ID}
name: successful_logon
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID:
      - 528
      - 4624
  condition: selection
level: informational
---
title: Special privileges assigned
id: 5e3c0b4e-0a4f-4c55-9d0d-7a1b9e6f0003
name: special_privileges
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4672
  condition: selection
level: informational
---
title: Outbound TCP connection
id: 5e3c0b4e-0a4f-4c55-9d0d-7a1b9e6f0004
name: outbound_tcp
logsource:
  product: zeek
  service: conn
detection:
  selection:
    proto: tcp
  condition: selection
level: informational
`;

const CORRELATION_ID = '9b1c1e0a-7c55-4d1e-8f4e-0c3b2a1d0e01';

/** One correlation document with the given `correlation:` body (indented by two) and extra top-level keys. */
function correlation(body: string, extra = 'level: high\n', title = 'Correlation under test'): string {
  return `title: ${title}\nid: ${CORRELATION_ID}\ncorrelation:\n${body
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n${extra}`;
}

// ---------------------------------------------------------------------------------------------------
// Synthetic events.

const T0 = Date.UTC(2026, 4, 10, 2, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
let recordId = 0;

function security(eventId: number, at: number, fields: EventFields = {}): Event {
  const timestamp = T0 + at;
  return {
    timestamp,
    source: { kind: 'evtx', file: 'Security.evtx', recordId: ++recordId },
    fields: {
      EventID: eventId,
      Channel: 'Security',
      Computer: 'DC01.corp.example',
      SystemTime: new Date(timestamp).toISOString(),
      TargetUserName: 'admin',
      IpAddress: '203.0.113.7',
      ...fields,
    },
  };
}

const failed = (at: number, fields: EventFields = {}): Event => security(4625, at, fields);
const success = (at: number, fields: EventFields = {}): Event => security(4624, at, fields);

let connLine = 8;
function conn(at: number, fields: EventFields = {}): Event {
  return {
    timestamp: T0 + at,
    source: { kind: 'zeek', file: 'conn.log', line: ++connLine, logType: 'conn' },
    fields: {
      ts: (T0 + at) / 1000,
      proto: 'tcp',
      'id.orig_h': '10.0.0.5',
      'id.orig_p': 49152,
      'id.resp_h': '198.51.100.20',
      'id.resp_p': 443,
      orig_bytes: 100,
      ...fields,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The pipeline, as src/scale/scan/pipeline.ts runs it in one thread.

interface Run {
  readonly file: string;
  readonly load: Awaited<ReturnType<typeof loadRules>>;
  /** Sigma and indicator detections the engine reported per event. */
  readonly base: Detection[];
  /** Detections of correlation rules, after every base match was correlated. */
  readonly correlated: Detection[];
}

async function run(yaml: string, events: readonly Event[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-correlation-'));
  const file = join(dir, 'mr_rules_under_test.yml');
  writeFileSync(file, yaml);
  const load = await loadRules([dir]);
  const { ruleSet } = compileRuleSet(load, loadDefaultMapping());
  const engine = new DetectionEngine({ ruleSet, correlations: load.correlations });
  const base = events.flatMap((e) => engine.process(e));
  const correlated = correlate(load.correlations, engine.takeCorrelationInputs());
  return { file, load, base, correlated };
}

/** Runs and insists the rule file loaded without errors. */
async function runClean(yaml: string, events: readonly Event[]): Promise<Run> {
  const result = await run(yaml, events);
  assert.deepEqual(
    result.load.problems.filter((p) => p.severity === 'error'),
    [],
  );
  return result;
}

const titles = (detections: readonly Detection[]): string[] => detections.map((d) => d.ruleTitle);
const count = (detections: readonly Detection[], title: string): number =>
  detections.filter((d) => d.ruleTitle === title).length;

// ---------------------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly body: string;
  readonly events: () => Event[];
  readonly fires: number;
}

function table(cases: readonly Case[]): void {
  for (const c of cases) {
    test(c.name, async () => {
      const { correlated } = await runClean(`${BASE}---\n${correlation(c.body)}`, c.events());
      assert.equal(correlated.length, c.fires, JSON.stringify(correlated.map((d) => d.fields)));
    });
  }
}

const minutes = (...at: number[]): number[] => at.map((m) => m * MINUTE);

describe('event_count: events per group within the timespan', () => {
  const body = (condition: string, timespan = '5m', groupBy = '[IpAddress]') => `type: event_count
rules:
  - failed_logon
group-by: ${groupBy}
timespan: ${timespan}
condition: ${condition}`;
  table([
    {
      name: 'gte 5: five failures in four minutes fire',
      body: body('{gte: 5}'),
      events: () => minutes(0, 1, 2, 3, 4).map((t) => failed(t)),
      fires: 1,
    },
    {
      name: 'gte 5: four failures do not',
      body: body('{gte: 5}'),
      events: () => minutes(0, 1, 2, 3).map((t) => failed(t)),
      fires: 0,
    },
    {
      name: 'gt 4: five failures fire, four do not',
      body: body('{gt: 4}'),
      events: () => [...minutes(0, 1, 2, 3).map((t) => failed(t)), failed(4 * MINUTE)],
      fires: 1,
    },
    {
      name: 'gt 4: exactly four is not more than four',
      body: body('{gt: 4}'),
      events: () => minutes(0, 1, 2, 3).map((t) => failed(t)),
      fires: 0,
    },
    {
      name: 'window: the last event one second inside the 5m timespan counts',
      body: body('{gte: 3}'),
      events: () => [failed(0), failed(MINUTE), failed(5 * MINUTE - SECOND)],
      fires: 1,
    },
    {
      name: 'window: the last event one second outside the 5m timespan does not',
      body: body('{gte: 3}'),
      events: () => [failed(0), failed(MINUTE), failed(5 * MINUTE + SECOND)],
      fires: 0,
    },
    {
      name: 'window: slides, so three events in any 5m stretch fire even after a gap',
      body: body('{gte: 3}'),
      events: () => minutes(0, 7, 9, 11).map((t) => failed(t)),
      fires: 1,
    },
    {
      name: 'window: 30s timespan, seconds apart',
      body: body('{gte: 3}', '30s'),
      events: () => [failed(0), failed(10 * SECOND), failed(29 * SECOND)],
      fires: 1,
    },
    {
      name: 'window: 1h timespan holds events 59 minutes apart',
      body: body('{gte: 2}', '1h'),
      events: () => [failed(0), failed(59 * MINUTE)],
      fires: 1,
    },
    {
      name: 'window: 1d timespan does not hold events 25 hours apart',
      body: body('{gte: 2}', '1d'),
      events: () => [failed(0), failed(25 * 60 * MINUTE)],
      fires: 0,
    },
    {
      name: 'group-by: three failures split over two source addresses do not fire',
      body: body('{gte: 3}'),
      events: () => [failed(0), failed(MINUTE), failed(2 * MINUTE, { IpAddress: '198.51.100.9' })],
      fires: 0,
    },
    {
      name: 'group-by: each address that reaches the threshold fires once',
      body: body('{gte: 2}'),
      events: () => [
        failed(0),
        failed(0, { IpAddress: '198.51.100.9' }),
        failed(MINUTE),
        failed(MINUTE, { IpAddress: '198.51.100.9' }),
      ],
      fires: 2,
    },
    {
      name: 'group-by two fields are linked by AND (same address, different users)',
      body: body('{gte: 2}', '5m', '[IpAddress, TargetUserName]'),
      events: () => [failed(0, { TargetUserName: 'alice' }), failed(MINUTE, { TargetUserName: 'bob' })],
      fires: 0,
    },
    {
      name: 'no group-by: every matching event shares one group',
      body: `type: event_count
rules: [failed_logon]
timespan: 5m
condition: {gte: 3}`,
      events: () => [
        failed(0, { IpAddress: '192.0.2.1' }),
        failed(MINUTE, { IpAddress: '192.0.2.2' }),
        failed(2 * MINUTE, { IpAddress: '192.0.2.3' }),
      ],
      fires: 1,
    },
    {
      name: 'events of rules the correlation does not name are not counted',
      body: body('{gte: 3}'),
      events: () => [failed(0), success(MINUTE), failed(2 * MINUTE)],
      fires: 0,
    },
    {
      name: 'a group fires once and then starts over: ten failures at gte 5 fire twice',
      body: body('{gte: 5}', '1h'),
      events: () => minutes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9).map((t) => failed(t)),
      fires: 2,
    },
    {
      name: 'several rules counted together (failed and successful logons)',
      body: `type: event_count
rules: [failed_logon, successful_logon]
group-by: [IpAddress]
timespan: 5m
condition: {gte: 3}`,
      events: () => [failed(0), success(MINUTE), failed(2 * MINUTE)],
      fires: 1,
    },
    {
      name: 'a rule referenced by id instead of name',
      body: `type: event_count
rules: [${FAILED_ID}]
group-by: [IpAddress]
timespan: 5m
condition: {gte: 2}`,
      events: () => [failed(0), failed(MINUTE)],
      fires: 1,
    },
  ]);
});

describe('event_count with upper bounds: judged over a whole timespan, not on the first event', () => {
  const body = (condition: string) => `type: event_count
rules: [failed_logon]
group-by: [IpAddress]
timespan: 10m
condition: ${condition}`;
  table([
    {
      name: 'lt 3: eight failures within ten minutes are not fewer than three',
      body: body('{lt: 3}'),
      events: () => minutes(0, 1, 2, 3, 4, 5, 6, 7).map((t) => failed(t)),
      fires: 0,
    },
    {
      name: 'lt 3: two failures in the timespan are',
      body: body('{lt: 3}'),
      events: () => minutes(0, 4).map((t) => failed(t)),
      fires: 1,
    },
    {
      name: 'lte 2: a group of two in one timespan and another of two in the next fire twice',
      body: body('{lte: 2}'),
      events: () => minutes(0, 1, 30, 31).map((t) => failed(t)),
      fires: 2,
    },
    {
      name: 'eq 3: exactly three',
      body: body('{eq: 3}'),
      events: () => minutes(0, 1, 2).map((t) => failed(t)),
      fires: 1,
    },
    {
      name: 'eq 3: four in the timespan is not three',
      body: body('{eq: 3}'),
      events: () => minutes(0, 1, 2, 3).map((t) => failed(t)),
      fires: 0,
    },
    {
      name: 'a range (gt 2 and lte 4, criteria joined by AND): three failures are in it',
      body: body('{gt: 2, lte: 4}'),
      events: () => minutes(0, 1, 2).map((t) => failed(t)),
      fires: 1,
    },
    {
      name: 'a range: six failures in the timespan are above it',
      body: body('{gt: 2, lte: 4}'),
      events: () => minutes(0, 1, 2, 3, 4, 5).map((t) => failed(t)),
      fires: 0,
    },
    {
      name: 'a range: two failures are below it',
      body: body('{gt: 2, lte: 4}'),
      events: () => minutes(0, 1).map((t) => failed(t)),
      fires: 0,
    },
  ]);
});

describe('value_count: distinct values of condition.field per group', () => {
  const body = (condition: string) => `type: value_count
rules: [failed_logon]
group-by: [IpAddress]
timespan: 10m
condition: ${condition}`;
  const users = (...names: string[]) => names.map((u, i) => failed(i * MINUTE, { TargetUserName: u }));
  table([
    {
      name: 'three users from one address (password spraying) fire at gte 3',
      body: body('{field: TargetUserName, gte: 3}'),
      events: () => users('alice', 'bob', 'carol'),
      fires: 1,
    },
    {
      name: 'repeats of two users are two values, however many events',
      body: body('{field: TargetUserName, gte: 3}'),
      events: () => users('alice', 'bob', 'alice', 'bob', 'alice', 'bob'),
      fires: 0,
    },
    {
      name: 'a value outside the timespan is not counted',
      body: body('{field: TargetUserName, gte: 3}'),
      events: () => [
        failed(0, { TargetUserName: 'alice' }),
        failed(MINUTE, { TargetUserName: 'bob' }),
        failed(11 * MINUTE, { TargetUserName: 'carol' }),
      ],
      fires: 0,
    },
    {
      name: 'events without the field add no value',
      body: body('{field: WorkstationName, gte: 2}'),
      events: () => [failed(0, { WorkstationName: 'WS1' }), failed(MINUTE), failed(2 * MINUTE)],
      fires: 0,
    },
    {
      name: 'distinct values are counted per group',
      body: body('{field: TargetUserName, gte: 2}'),
      events: () => [
        failed(0, { TargetUserName: 'alice' }),
        failed(MINUTE, { TargetUserName: 'bob', IpAddress: '198.51.100.9' }),
      ],
      fires: 0,
    },
    {
      name: 'lte 1: one user tried over the whole timespan',
      body: body('{field: TargetUserName, lte: 1}'),
      events: () => users('alice', 'alice', 'alice'),
      fires: 1,
    },
    {
      name: 'lte 1: not when a second user follows within the timespan',
      body: body('{field: TargetUserName, lte: 1}'),
      events: () => users('alice', 'alice', 'bob'),
      fires: 0,
    },
  ]);
});

describe('temporal: every referenced rule within the timespan, in any order', () => {
  const body = (type: string) => `type: ${type}
rules:
  - failed_logon
  - successful_logon
group-by:
  - TargetUserName
timespan: 10m`;
  table([
    {
      name: 'temporal: failure then success',
      body: body('temporal'),
      events: () => [failed(0), success(2 * MINUTE)],
      fires: 1,
    },
    {
      name: 'temporal: success then failure (order does not matter)',
      body: body('temporal'),
      events: () => [success(0), failed(2 * MINUTE)],
      fires: 1,
    },
    {
      name: 'temporal: only one of the two rules matched',
      body: body('temporal'),
      events: () => [failed(0), failed(MINUTE), failed(2 * MINUTE)],
      fires: 0,
    },
    {
      name: 'temporal: the two events are for different users',
      body: body('temporal'),
      events: () => [failed(0, { TargetUserName: 'alice' }), success(MINUTE, { TargetUserName: 'bob' })],
      fires: 0,
    },
    {
      name: 'temporal: one second inside the timespan',
      body: body('temporal'),
      events: () => [failed(0), success(10 * MINUTE - SECOND)],
      fires: 1,
    },
    {
      name: 'temporal: one second outside the timespan',
      body: body('temporal'),
      events: () => [failed(0), success(10 * MINUTE + SECOND)],
      fires: 0,
    },
    {
      name: 'temporal_ordered: failure then success',
      body: body('temporal_ordered'),
      events: () => [failed(0), success(2 * MINUTE)],
      fires: 1,
    },
    {
      name: 'temporal_ordered: success then failure is the wrong order',
      body: body('temporal_ordered'),
      events: () => [success(0), failed(2 * MINUTE)],
      fires: 0,
    },
    {
      name: 'temporal_ordered: success, failure, success holds the order in its tail',
      body: body('temporal_ordered'),
      events: () => [success(0), failed(MINUTE), success(2 * MINUTE)],
      fires: 1,
    },
    {
      name: 'temporal_ordered: in order but outside the timespan',
      body: body('temporal_ordered'),
      events: () => [failed(0), success(11 * MINUTE)],
      fires: 0,
    },
    {
      name: 'temporal with a condition: any two of three rules (count of distinct rules)',
      body: `type: temporal
rules: [failed_logon, successful_logon, special_privileges]
group-by: [TargetUserName]
timespan: 10m
condition: {gte: 2}`,
      events: () => [success(0), security(4672, MINUTE)],
      fires: 1,
    },
    {
      name: 'temporal with a condition: one rule matched many times is still one',
      body: `type: temporal
rules: [failed_logon, successful_logon, special_privileges]
group-by: [TargetUserName]
timespan: 10m
condition: {gte: 2}`,
      events: () => minutes(0, 1, 2).map((t) => failed(t)),
      fires: 0,
    },
  ]);
});

describe('value_sum, value_avg, value_percentile: figures over condition.field', () => {
  const body = (type: string, condition: string, timespan = '1h') => `type: ${type}
rules: [outbound_tcp]
group-by: [id.orig_h]
timespan: ${timespan}
condition: ${condition}`;
  const bytes = (...values: number[]) => values.map((b, i) => conn(i * MINUTE, { orig_bytes: b }));
  table([
    {
      name: 'value_sum: three 400 kB uploads exceed 1 MB',
      body: body('value_sum', '{field: orig_bytes, gt: 1000000}'),
      events: () => bytes(400_000, 400_000, 400_000),
      fires: 1,
    },
    {
      name: 'value_sum: two do not',
      body: body('value_sum', '{field: orig_bytes, gt: 1000000}'),
      events: () => bytes(400_000, 400_000),
      fires: 0,
    },
    {
      name: 'value_sum: only within the timespan',
      body: body('value_sum', '{field: orig_bytes, gt: 1000000}', '10m'),
      events: () => [conn(0, { orig_bytes: 600_000 }), conn(11 * MINUTE, { orig_bytes: 600_000 })],
      fires: 0,
    },
    {
      name: 'value_sum: per group (two hosts each under the limit)',
      body: body('value_sum', '{field: orig_bytes, gt: 1000000}'),
      events: () => [
        conn(0, { orig_bytes: 600_000 }),
        conn(MINUTE, { orig_bytes: 600_000, 'id.orig_h': '10.0.0.6' }),
      ],
      fires: 0,
    },
    {
      name: 'value_sum: numbers written as strings are summed',
      body: body('value_sum', '{field: orig_bytes, gte: 30}'),
      events: () => [conn(0, { orig_bytes: '10' }), conn(MINUTE, { orig_bytes: '20' })],
      fires: 1,
    },
    {
      name: 'value_avg: the mean of 500, 1500, 2000 is at least 1000',
      body: body('value_avg', '{field: orig_bytes, gte: 1000}'),
      events: () => bytes(500, 1500, 2000),
      fires: 1,
    },
    {
      name: 'value_avg: one large value first does not make the mean of the timespan large',
      body: body('value_avg', '{field: orig_bytes, gte: 1000}'),
      events: () => bytes(5000, 10, 10, 10, 10, 10),
      fires: 0,
    },
    {
      name: 'value_avg: lt, a timespan of small transfers',
      body: body('value_avg', '{field: orig_bytes, lt: 100}'),
      events: () => bytes(10, 20, 30),
      fires: 1,
    },
    {
      name: 'value_percentile: p90 of nine small and one large transfer is small',
      body: body('value_percentile', '{field: orig_bytes, percentile: 90, gte: 10000}'),
      events: () => bytes(50_000, 100, 100, 100, 100, 100, 100, 100, 100, 100),
      fires: 0,
    },
    {
      name: 'value_percentile: p90 of eight small and two large transfers is large',
      body: body('value_percentile', '{field: orig_bytes, percentile: 90, gte: 10000}'),
      events: () => bytes(50_000, 60_000, 100, 100, 100, 100, 100, 100, 100, 100),
      fires: 1,
    },
  ]);
});

describe('aliases: one group-by name for fields that differ per rule', () => {
  // The spec's example pattern: the same address is IpAddress in a logon and id.orig_h in a Zeek connection.
  const yaml = `${BASE}---\n${correlation(`type: temporal
rules:
  - failed_logon
  - outbound_tcp
group-by:
  - attacker
timespan: 10m
aliases:
  attacker:
    failed_logon: IpAddress
    outbound_tcp: id.orig_h`)}`;

  test('events with the same address in the aliased fields correlate, and the alias names the group', async () => {
    const { correlated } = await runClean(yaml, [
      conn(0, { 'id.orig_h': '203.0.113.7' }),
      failed(MINUTE, { IpAddress: '203.0.113.7' }),
    ]);
    assert.equal(correlated.length, 1);
    assert.equal(correlated[0]!.fields.attacker, '203.0.113.7');
  });

  test('different addresses in the aliased fields do not', async () => {
    const { correlated } = await runClean(yaml, [
      conn(0, { 'id.orig_h': '10.0.0.5', 'id.resp_h': '203.0.113.7' }),
      failed(MINUTE, { IpAddress: '203.0.113.7' }),
    ]);
    assert.equal(correlated.length, 0);
  });

  test('an alias also names the field value_count counts', async () => {
    const spray = `${BASE}---\n${correlation(`type: value_count
rules: [failed_logon, successful_logon]
group-by: [IpAddress]
timespan: 10m
condition: {field: account, gte: 2}
aliases:
  account:
    failed_logon: TargetUserName
    successful_logon: SubjectUserName`)}`;
    const { correlated } = await runClean(spray, [
      failed(0, { TargetUserName: 'alice' }),
      success(MINUTE, { TargetUserName: 'ignored', SubjectUserName: 'bob' }),
    ]);
    assert.equal(correlated.length, 1);
  });
});

describe('the correlation detection', () => {
  test('carries the rule, its level and tags, the group, the figure and the last event', async () => {
    const yaml = `${BASE}---\n${correlation(
      `type: event_count
rules: [failed_logon]
group-by: [IpAddress, TargetUserName]
timespan: 5m
condition: {gte: 3}`,
      'level: critical\ntags:\n  - attack.credential-access\n  - attack.t1110\n',
      'Brute force from one address',
    )}`;
    const events = minutes(0, 1, 2).map((t) => failed(t));
    const { correlated } = await runClean(yaml, events);
    assert.equal(correlated.length, 1);
    const d = correlated[0]!;
    const last = events[2]!;
    assert.equal(d.kind, 'correlation');
    assert.equal(d.ruleId, CORRELATION_ID);
    assert.equal(d.ruleTitle, 'Brute force from one address');
    assert.equal(d.level, 'critical');
    assert.deepEqual(d.tags, ['attack.credential-access', 'attack.t1110']);
    assert.equal(d.timestamp, last.timestamp);
    assert.equal(d.host, 'DC01.corp.example');
    assert.deepEqual(d.source, last.source);
    assert.equal(d.fields.IpAddress, '203.0.113.7');
    assert.equal(d.fields.TargetUserName, 'admin');
    assert.equal(d.fields.event_count, 3);
    assert.equal(d.fields.first_seen, new Date(events[0]!.timestamp).toISOString());
  });

  test('a correlation without a level is medium', async () => {
    const yaml = `${BASE}---\n${correlation(
      'type: event_count\nrules: [failed_logon]\ngroup-by: [IpAddress]\ntimespan: 5m\ncondition: {gte: 1}',
      '',
    )}`;
    const { correlated } = await runClean(yaml, [failed(0)]);
    assert.equal(correlated[0]?.level, 'medium');
  });

  test('events arriving out of time order are correlated in time order', async () => {
    const yaml = `${BASE}---\n${correlation(`type: temporal_ordered
rules: [failed_logon, successful_logon]
group-by: [TargetUserName]
timespan: 10m`)}`;
    const { correlated } = await runClean(yaml, [success(5 * MINUTE), failed(0)]);
    assert.equal(correlated.length, 1);
  });
});

describe('generate: whether the referenced rules still report on their own', () => {
  const body = `type: event_count
rules: [failed_logon]
group-by: [IpAddress]
timespan: 5m
condition: {gte: 3}`;
  const events = () => [...minutes(0, 1, 2).map((t) => failed(t)), success(3 * MINUTE)];
  const rows: { name: string; extra: string; inSection?: string; failedShown: number }[] = [
    { name: 'left out: only the correlation (the default)', extra: 'level: high\n', failedShown: 0 },
    { name: 'false: only the correlation', extra: 'level: high\ngenerate: false\n', failedShown: 0 },
    { name: 'true: the base detections as well', extra: 'level: high\ngenerate: true\n', failedShown: 3 },
    {
      name: 'true written inside the correlation section is read too',
      extra: 'level: high\n',
      inSection: 'generate: true',
      failedShown: 3,
    },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const yamlBody = row.inSection ? `${body}\n${row.inSection}` : body;
      const { base, correlated } = await runClean(
        `${BASE}---\n${correlation(yamlBody, row.extra)}`,
        events(),
      );
      assert.equal(correlated.length, 1);
      assert.equal(count(base, 'Single failed logon'), row.failedShown);
      // A rule no correlation names always reports.
      assert.equal(count(base, 'Successful logon'), 1);
    });
  }

  test('a rule two correlations name is shown when one of them generates it', async () => {
    const second = `title: Second correlation
id: 9b1c1e0a-7c55-4d1e-8f4e-0c3b2a1d0e02
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 5m
  condition: {gte: 2}
generate: true
`;
    const { base, correlated } = await runClean(`${BASE}---\n${correlation(body)}---\n${second}`, events());
    assert.equal(count(base, 'Single failed logon'), 3);
    assert.deepEqual(titles(correlated).sort(), ['Correlation under test', 'Second correlation']);
  });
});

describe('chained correlations: a correlation counted by another', () => {
  // After the specification's example "Failed Logins Followed by Successful Login": the outer rule
  // comes first in the file and names the inner correlation, which is defined after it.
  const chain = (outerExtra = '') => `${BASE}---
title: Multiple failed logons followed by a successful logon
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
correlation:
  type: temporal_ordered
  rules:
    - multiple_failed_logons
    - successful_logon
  group-by:
    - TargetUserName
  timespan: 10m
level: high
${outerExtra}---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_logons
correlation:
  type: event_count
  rules:
    - failed_logon
  group-by:
    - TargetUserName
  timespan: 10m
  condition:
    gte: 10
`;
  const OUTER = 'Multiple failed logons followed by a successful logon';
  const INNER = 'Multiple failed logons';
  const tenFailures = () => Array.from({ length: 10 }, (_, i) => failed(i * 20 * SECOND));

  test('ten failures then a success: only the outer correlation is reported', async () => {
    const { base, correlated } = await runClean(chain(), [...tenFailures(), success(5 * MINUTE)]);
    assert.deepEqual(titles(correlated), [OUTER]);
    assert.equal(correlated[0]!.timestamp, T0 + 5 * MINUTE);
    assert.equal(correlated[0]!.fields.TargetUserName, 'admin');
    // Neither the failures nor the success report on their own (generate defaults to false).
    assert.deepEqual(titles(base), []);
  });

  test('with generate: true on the outer rule the inner correlation and the success are reported too', async () => {
    const { base, correlated } = await runClean(chain('generate: true\n'), [
      ...tenFailures(),
      success(5 * MINUTE),
    ]);
    assert.deepEqual(titles(correlated).sort(), [INNER, OUTER].sort());
    assert.deepEqual(titles(base), ['Successful logon']);
  });

  test('nine failures are not "multiple" enough, so nothing fires', async () => {
    const { correlated } = await runClean(chain(), [...tenFailures().slice(1), success(5 * MINUTE)]);
    assert.deepEqual(titles(correlated), []);
  });

  test('a success before the failures is the wrong order', async () => {
    const { correlated } = await runClean(chain(), [
      success(0),
      ...tenFailures().map((e) => ({ ...e, timestamp: e.timestamp + MINUTE })),
    ]);
    assert.deepEqual(titles(correlated), []);
  });

  test('the success for another user does not complete the chain', async () => {
    const { correlated } = await runClean(chain(), [
      ...tenFailures(),
      success(5 * MINUTE, { TargetUserName: 'someone-else' }),
    ]);
    assert.deepEqual(titles(correlated), []);
  });
});

describe('broken correlation rules: a problem with file, line and path, never a crash', () => {
  const good = `title: Still loaded
id: 9b1c1e0a-7c55-4d1e-8f4e-0c3b2a1d0e03
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 5m
  condition: {gte: 2}
`;
  const broken: { name: string; correlation: string; code: string; path?: string }[] = [
    {
      name: 'a timespan that is not number + unit',
      correlation: 'type: event_count\nrules: [failed_logon]\ntimespan: soon\ncondition: {gte: 2}',
      code: 'sigma.correlation.timespan',
      path: 'correlation.timespan',
    },
    {
      name: 'an unknown type',
      correlation: 'type: event_sum\nrules: [failed_logon]\ntimespan: 5m\ncondition: {gte: 2}',
      code: 'sigma.correlation.type',
      path: 'correlation.type',
    },
    {
      name: 'no type at all',
      correlation: 'rules: [failed_logon]\ntimespan: 5m\ncondition: {gte: 2}',
      code: 'sigma.correlation.type',
      path: 'correlation.type',
    },
    {
      name: 'no rules',
      correlation: 'type: event_count\ntimespan: 5m\ncondition: {gte: 2}',
      code: 'sigma.correlation.rules',
      path: 'correlation.rules',
    },
    {
      name: 'event_count without a condition',
      correlation: 'type: event_count\nrules: [failed_logon]\ntimespan: 5m',
      code: 'sigma.correlation.condition',
      path: 'correlation.condition',
    },
    {
      name: 'a condition with a field but no criterion',
      correlation:
        'type: value_count\nrules: [failed_logon]\ntimespan: 5m\ncondition: {field: TargetUserName}',
      code: 'sigma.correlation.condition',
      path: 'correlation.condition',
    },
    {
      name: 'a condition that is not a number',
      correlation: 'type: event_count\nrules: [failed_logon]\ntimespan: 5m\ncondition: {gte: many}',
      code: 'sigma.correlation.condition',
      path: 'correlation.condition',
    },
    {
      name: 'value_count without condition.field',
      correlation: 'type: value_count\nrules: [failed_logon]\ntimespan: 5m\ncondition: {gte: 2}',
      code: 'sigma.correlation.field',
      path: 'correlation.condition.field',
    },
    {
      name: 'aliases that are not a map of maps',
      correlation:
        'type: temporal\nrules: [failed_logon, successful_logon]\ntimespan: 5m\naliases: {ip: IpAddress}',
      code: 'sigma.correlation.aliases',
      path: 'correlation.aliases.ip',
    },
    {
      name: 'correlation that is not a map',
      correlation: '- event_count',
      code: 'sigma.correlation.missing',
      path: 'correlation',
    },
  ];

  for (const b of broken) {
    test(b.name, async () => {
      const bad = `title: Broken correlation\nid: 9b1c1e0a-7c55-4d1e-8f4e-0c3b2a1d0eff\ncorrelation:\n${b.correlation
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`;
      const yaml = `${BASE}---\n${bad}---\n${good}`;
      const line = yaml.split('\n').indexOf('title: Broken correlation') + 1;
      const result = await run(
        yaml,
        minutes(0, 1).map((t) => failed(t)),
      );
      const problem = result.load.problems.find((p) => p.code === b.code);
      assert.ok(problem, `${b.code} in ${JSON.stringify(result.load.problems)}`);
      assert.equal(problem.severity, 'error');
      assert.equal(problem.file, result.file);
      assert.equal(problem.line, line);
      if (b.path) assert.equal(problem.path, b.path);
      assert.ok(result.load.refused.some((r) => r.id === '9b1c1e0a-7c55-4d1e-8f4e-0c3b2a1d0eff'));
      // Everything else in the file still loads and runs.
      assert.equal(result.load.rules.length, 4);
      assert.deepEqual(
        result.load.correlations.map((c) => c.title),
        ['Still loaded'],
      );
      assert.deepEqual(titles(result.correlated), ['Still loaded']);
    });
  }

  test('a YAML syntax error in a correlation document is a problem with its line', async () => {
    const yaml = `${BASE}---\ntitle: Unclosed\ncorrelation:\n  type: event_count\n  rules: [failed_logon\n  timespan: 5m\n---\n${good}`;
    const result = await run(
      yaml,
      minutes(0, 1).map((t) => failed(t)),
    );
    const problem = result.load.problems.find((p) => p.code === 'sigma.yaml.invalid');
    assert.ok(problem, JSON.stringify(result.load.problems));
    assert.equal(problem.file, result.file);
    assert.ok(problem.line !== undefined && problem.line > yaml.split('\n').indexOf('title: Unclosed'));
    assert.equal(result.load.rules.length, 4);
    assert.deepEqual(titles(result.correlated), ['Still loaded']);
  });

  test('a correlation naming a rule that is not loaded loads, and never fires', async () => {
    const yaml = `${BASE}---\n${correlation('type: event_count\nrules: [no_such_rule]\ntimespan: 5m\ncondition: {gte: 1}')}`;
    const { correlated, base } = await runClean(
      yaml,
      minutes(0, 1).map((t) => failed(t)),
    );
    assert.deepEqual(correlated, []);
    assert.equal(base.length, 2);
  });

  test('a correlation that names itself does not loop forever', async () => {
    const yaml = `${BASE}---\ntitle: Self\nid: 9b1c1e0a-7c55-4d1e-8f4e-0c3b2a1d0e05\nname: self\ncorrelation:\n  type: event_count\n  rules: [failed_logon, self]\n  timespan: 5m\n  condition: {gte: 1}\n`;
    // Chains are followed to a bounded depth; whatever comes out, the run ends.
    const { correlated } = await runClean(yaml, [failed(0), failed(MINUTE)]);
    assert.ok(correlated.length <= 32, String(correlated.length));
  });
});
