import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection } from '../../src/core/detection.js';
import {
  csvCell,
  csvRow,
  detectionToJson,
  summarize,
  tableRow,
  terminalSafe,
} from '../../src/cli/scan/format.js';

const detection: Detection = {
  kind: 'sigma',
  ruleId: 'r1',
  ruleTitle: 'Suspicious <script>alert(1)</script>',
  level: 'high',
  tags: ['attack.execution', 'attack.t1059.001'],
  timestamp: Date.UTC(2021, 2, 3, 4, 5, 6),
  host: 'EXCH01\u001b[2J',
  fields: { CommandLine: '=cmd|/c calc', Image: 'C:\\w.exe' },
  source: { kind: 'evtx', file: 'a.evtx', recordId: 42 },
};

test('terminal output escapes control characters from logs', () => {
  assert.equal(terminalSafe('a\u001b[2Jb\u202ec'), 'a\\u001b[2Jb\\u202ec');
  assert.ok(!tableRow(detection).includes('\u001b'));
  assert.match(tableRow(detection), /2021-03-03T04:05:06.000Z/);
  assert.match(tableRow(detection), /T1059\.001/);
});

test('CSV cells starting like a formula are neutralised and quoted when needed', () => {
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('-2'), "'-2");
  assert.equal(csvCell('a,"b"'), '"a,""b"""');
  assert.ok(csvRow(detection).includes("'CommandLine") === false);
  assert.ok(csvRow(detection).includes('CommandLine==cmd|/c calc'));
});

test('JSONL carries the documented keys', () => {
  const json = detectionToJson(detection);
  assert.deepEqual(Object.keys(json).slice(0, 9), [
    'timestamp',
    'kind',
    'rule_id',
    'rule_title',
    'level',
    'host',
    'tags',
    'source',
    'fields',
  ]);
  assert.deepEqual(json.source, { file: 'a.evtx', kind: 'evtx', record_id: 42 });
});

test('summary counts by level, rule and host', () => {
  const s = summarize([
    detection,
    { ...detection, host: 'WS1' },
    { ...detection, ruleId: 'r2', level: 'low' },
  ]);
  assert.equal(s.byLevel.get('high'), 2);
  assert.equal(s.byRule.get('r1')?.count, 2);
  assert.equal(s.byHost.size, 2);
});
