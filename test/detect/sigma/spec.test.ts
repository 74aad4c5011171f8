// Behaviours the Sigma specification pins down, each from an inline rule to an exact result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, EventFields, SourceKind } from '../../../src/core/event.js';
import {
  compileRuleSet,
  loadDefaultMapping,
  parseRules,
  referenceMatch,
} from '../../../src/detect/sigma/index.js';
import { base64Offsets } from '../../../src/detect/sigma/modifiers.js';

const mapping = loadDefaultMapping();

function sysmon1(fields: EventFields, kind: SourceKind = 'evtx'): Event {
  return {
    timestamp: Date.UTC(2024, 0, 2, 3, 4, 5),
    source: { kind, file: 't' },
    fields: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, ...fields },
  };
}

/** Rule YAML body (detection only) for process_creation; returns whether each event matches. */
function matches(detection: string, events: Event[], extra = ''): boolean[] {
  const yaml = `title: t\nid: 11111111-1111-1111-1111-111111111111\n${extra}logsource:\n  product: windows\n  category: process_creation\ndetection:\n${detection}`;
  const load = parseRules(yaml, 'inline.yml', { placeholders: { admins: ['alice', 'bob'] } });
  assert.deepEqual(
    load.problems.filter((p) => p.severity === 'error'),
    [],
  );
  const { ruleSet } = compileRuleSet(load, mapping);
  return events.map((e) => {
    const fast = ruleSet.match(e).length === 1;
    assert.equal(fast, referenceMatch(load.rules[0]!, e, mapping), 'compiled and reference agree');
    return fast;
  });
}

const cmd = (CommandLine: string, more: EventFields = {}): Event =>
  sysmon1({ CommandLine, Image: 'C:\\x.exe', ...more });

test('plain values match whole, case-insensitively', () => {
  assert.deepEqual(
    matches('  sel:\n    CommandLine: whoami\n  condition: sel', [cmd('WHOAMI'), cmd('whoami /all')]),
    [true, false],
  );
});

test('wildcards * and ? and their escapes', () => {
  const d = "  sel:\n    CommandLine: 'a*b?c'\n  condition: sel";
  assert.deepEqual(matches(d, [cmd('aXXbYc'), cmd('abc'), cmd('abYYc')]), [true, false, false]);
  const escaped = "  sel:\n    CommandLine: 'a\\*b\\?c\\\\d'\n  condition: sel";
  assert.deepEqual(matches(escaped, [cmd('a*b?c\\d'), cmd('aXb?c\\d')]), [true, false]);
  // A backslash before an ordinary character is itself.
  assert.deepEqual(
    matches("  sel:\n    CommandLine: 'C:\\Windows\\x'\n  condition: sel", [cmd('c:\\windows\\x')]),
    [true],
  );
});

test('contains, startswith, endswith, all, lists are OR', () => {
  const d = "  sel:\n    CommandLine|contains|all:\n      - ' -enc '\n      - 'hidden'\n  condition: sel";
  assert.deepEqual(matches(d, [cmd('ps -enc AA -w hidden'), cmd('ps -enc AA')]), [true, false]);
  const or = "  sel:\n    CommandLine|startswith:\n      - 'net '\n      - 'net1 '\n  condition: sel";
  assert.deepEqual(matches(or, [cmd('net1 user'), cmd('xnet user')]), [true, false]);
  assert.deepEqual(matches("  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel", [cmd('')]), [true]);
});

test('cased makes matching case-sensitive', () => {
  assert.deepEqual(
    matches("  sel:\n    CommandLine|cased|contains: 'Hidden'\n  condition: sel", [
      cmd('a Hidden b'),
      cmd('a hidden b'),
    ]),
    [true, false],
  );
});

test('re with i, and a catastrophic pattern is refused', () => {
  assert.deepEqual(
    matches("  sel:\n    CommandLine|re|i: '^NET\\s+USER'\n  condition: sel", [
      cmd('net  user x'),
      cmd('xnet user'),
    ]),
    [true, false],
  );
  assert.deepEqual(matches("  sel:\n    CommandLine|re: '^NET'\n  condition: sel", [cmd('net user')]), [
    false,
  ]);
  const load = parseRules(
    "title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    CommandLine|re: '^(a+)+$'\n  condition: sel\n",
    'bad.yml',
  );
  assert.equal(load.rules.length, 0);
  assert.match(load.refused[0]!.reason, /nested quantifier/);
  const problem = load.problems.find((p) => p.code === 'sigma.regex.refused');
  assert.equal(problem?.line, 6);
  assert.equal(problem?.path, 'detection.sel.CommandLine|re');
});

test('a catastrophic input against an accepted regex finishes fast (bounded input)', () => {
  const started = Date.now();
  matches("  sel:\n    CommandLine|re: '(a|b)*c'\n  condition: sel", [cmd('ab'.repeat(100_000))]);
  assert.ok(Date.now() - started < 5000);
});

test('windash accepts -, /, en dash, em dash and horizontal bar for flags only', () => {
  const d = "  sel:\n    CommandLine|windash|contains: ' -exec bypass'\n  condition: sel";
  const variants = ['-', '/', '\u2013', '\u2014', '\u2015'].map((dash) => cmd(`ps ${dash}exec bypass`));
  assert.deepEqual(matches(d, [...variants, cmd('ps +exec bypass')]), [true, true, true, true, true, false]);
});

test("base64offset gives the spec's three shifted encodings", () => {
  assert.deepEqual(base64Offsets('/bin/bash'), ['L2Jpbi9iYXNo', '9iaW4vYmFza', 'vYmluL2Jhc2']);
  const d = "  sel:\n    CommandLine|base64offset|contains: 'http://'\n  condition: sel";
  const encoded = (prefix: string) => Buffer.from(`${prefix}http://evil`).toString('base64');
  assert.deepEqual(matches(d, [cmd(encoded('')), cmd(encoded('a')), cmd(encoded('ab')), cmd('aHR0cA')]), [
    true,
    true,
    true,
    false,
  ]);
});

test('wide|base64offset finds UTF-16LE PowerShell payloads', () => {
  const payload = Buffer.from('xx IEX (New-Object Net.WebClient)', 'utf16le').toString('base64');
  const d = "  sel:\n    CommandLine|wide|base64offset|contains: 'IEX ('\n  condition: sel";
  assert.deepEqual(matches(d, [cmd(`powershell -enc ${payload}`)]), [true]);
});

test('cidr for IPv4 and IPv6', () => {
  const d = "  sel:\n    DestinationIp|cidr:\n      - '10.0.0.0/8'\n      - 'fe80::/10'\n  condition: sel";
  const ip = (DestinationIp: string) => sysmon1({ DestinationIp });
  assert.deepEqual(matches(d, [ip('10.1.2.3'), ip('11.0.0.1'), ip('fe80::1'), ip('2001:db8::1')]), [
    true,
    false,
    true,
    false,
  ]);
});

test('null, empty string and exists', () => {
  const isNull = '  sel:\n    ParentImage: null\n  condition: sel';
  assert.deepEqual(matches(isNull, [cmd('x'), cmd('x', { ParentImage: 'p' })]), [true, false]);
  const empty = "  sel:\n    ParentImage: ''\n  condition: sel";
  assert.deepEqual(matches(empty, [cmd('x', { ParentImage: '' }), cmd('x')]), [true, false]);
  const exists = '  sel:\n    ParentImage|exists: true\n  condition: sel';
  assert.deepEqual(matches(exists, [cmd('x', { ParentImage: 'p' }), cmd('x')]), [true, false]);
});

test('fieldref compares two fields; gt/lt compare numbers; neq', () => {
  const ref = '  sel:\n    ParentImage|fieldref: Image\n  condition: sel';
  assert.deepEqual(matches(ref, [cmd('x', { ParentImage: 'C:\\X.EXE' }), cmd('x', { ParentImage: 'y' })]), [
    true,
    false,
  ]);
  const gt = '  sel:\n    ProcessId|gte: 1000\n  condition: sel';
  assert.deepEqual(
    matches(gt, [
      cmd('x', { ProcessId: 1000 }),
      cmd('x', { ProcessId: '999' }),
      cmd('x', { ProcessId: 'abc' }),
    ]),
    [true, false, false],
  );
  const neq = '  sel:\n    User|neq: SYSTEM\n  condition: sel';
  assert.deepEqual(matches(neq, [cmd('x', { User: 'alice' }), cmd('x', { User: 'system' })]), [true, false]);
});

test('expand takes values from the placeholder configuration', () => {
  assert.deepEqual(
    matches("  sel:\n    User|expand: '%admins%'\n  condition: sel", [
      cmd('x', { User: 'BOB' }),
      cmd('x', { User: 'eve' }),
    ]),
    [true, false],
  );
  const load = parseRules(
    "title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    User|expand: '%nobody%'\n  condition: sel\n",
    'p.yml',
  );
  assert.match(load.refused[0]!.reason, /placeholder %nobody% has no value/);
});

test('keywords search every value', () => {
  const d = "  keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\n  condition: keywords";
  assert.deepEqual(matches(d, [cmd('run Mimikatz.exe'), cmd('calc')]), [true, false]);
});

test('conditions: precedence, parentheses, 1 of, all of, them without _ identifiers', () => {
  const d = [
    '  a:',
    '    CommandLine|contains: alpha',
    '  b:',
    '    CommandLine|contains: beta',
    '  _c:',
    '    CommandLine|contains: gamma',
    '  condition: not a and b or _c',
  ].join('\n');
  // not binds tighter than and, and tighter than or: ((not a) and b) or _c
  assert.deepEqual(matches(d, [cmd('beta'), cmd('alpha beta'), cmd('gamma alpha')]), [true, false, true]);
  const all = d.replace('not a and b or _c', 'all of them');
  assert.deepEqual(matches(all, [cmd('alpha beta'), cmd('alpha gamma')]), [true, false]);
  const one = d.replace('not a and b or _c', '1 of _* and (a or b)');
  assert.deepEqual(matches(one, [cmd('gamma beta'), cmd('beta')]), [true, false]);
});

test('time-part modifiers read the UTC part of a timestamp field', () => {
  const d = '  sel:\n    UtcTime|hour: 3\n  condition: sel';
  assert.deepEqual(
    matches(d, [
      cmd('x', { UtcTime: '2024-01-02 03:04:05.000' }),
      cmd('x', { UtcTime: '2024-01-02 13:04:05.000' }),
    ]),
    [true, false],
  );
});

test('log sources: process_creation covers Sysmon 1 and Security 4688 with renamed fields', () => {
  const d = "  sel:\n    Image|endswith: '\\evil.exe'\n  condition: sel";
  const security: Event = {
    timestamp: 0,
    source: { kind: 'evtx', file: 't' },
    fields: { Channel: 'Security', EventID: 4688, NewProcessName: 'C:\\evil.exe' },
  };
  const wrongId: Event = {
    timestamp: 0,
    source: { kind: 'evtx', file: 't' },
    fields: { Channel: 'Security', EventID: 4624, NewProcessName: 'C:\\evil.exe' },
  };
  assert.deepEqual(
    matches(d, [
      sysmon1({ Image: 'C:\\evil.exe' }),
      security,
      wrongId,
      sysmon1({ Image: 'C:\\evil.exe' }, 'zeek'),
    ]),
    [true, true, false, false],
  );
});

test('every problem of a broken rule file is reported with line and YAML path, and good rules still load', () => {
  const text = [
    'title: good',
    'logsource: {product: windows, category: process_creation}',
    'detection: {sel: {Image: x}, condition: sel}',
    '---',
    'title: bad',
    'logsource: {product: windows}',
    'detection:',
    '  sel:',
    '    Image|nosuchmodifier: x',
    '  condition: sel and missing',
  ].join('\n');
  const load = parseRules(text, 'mixed.yml');
  assert.equal(load.rules.length, 1);
  assert.equal(load.refused.length, 1);
  const codes = load.problems.map((p) => `${p.code}@${p.line}:${p.path}`);
  assert.ok(codes.includes('sigma.modifier.unknown@9:detection.sel.Image|nosuchmodifier'), codes.join(' '));
});

test('meta filters suppress matches of the rules they name', () => {
  const text = [
    'title: r',
    'id: rule-1',
    'logsource: {product: windows, category: process_creation}',
    'detection: {sel: {CommandLine|contains: whoami}, condition: sel}',
    '---',
    'title: f',
    'logsource: {product: windows, category: process_creation}',
    'filter:',
    '  rules: [rule-1]',
    '  admin: {User: admin}',
    '  condition: not admin',
  ].join('\n');
  const load = parseRules(text, 'f.yml');
  const { ruleSet } = compileRuleSet(load, mapping);
  assert.equal(ruleSet.match(cmd('whoami', { User: 'alice' })).length, 1);
  assert.equal(ruleSet.match(cmd('whoami', { User: 'ADMIN' })).length, 0);
  assert.equal(
    referenceMatch(load.rules[0]!, cmd('whoami', { User: 'admin' }), mapping, load.filters),
    false,
  );
});
