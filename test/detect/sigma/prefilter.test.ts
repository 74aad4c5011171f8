// The literal prefilter may only skip rules that cannot fire: its requirement must be necessary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketPrefilter, LiteralAutomaton, requirementOf } from '../../../src/detect/sigma/prefilter.js';
import { parseRules } from '../../../src/detect/sigma/index.js';

test('keyword searches stay unguarded (they look at every value)', () => {
  const load = parseRules(
    `title: t\nlogsource: {product: windows, service: system}\ndetection:\n  keywords: ['sekurlsa::', 'lsadump::']\n  condition: keywords`,
    'inline.yml',
  );
  const rule = load.rules[0]!;
  assert.equal(
    requirementOf(rule.condition, rule.searches, (f) => f),
    null,
  );
});

test('Aho-Corasick reports every literal, overlapping and nested ones included', () => {
  const automaton = new LiteralAutomaton();
  ['he', 'she', 'his', 'hers', 'powershell'].forEach((l, i) => automaton.add(l, i));
  const found: number[] = [];
  automaton.scanLowered('ushers and c:\\windows\\powershell.exe', found);
  assert.deepEqual([...new Set(found)].sort(), [0, 1, 3, 4]);
});

const requirement = (detection: string) => {
  const load = parseRules(
    `title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n${detection}`,
    'inline.yml',
  );
  const rule = load.rules[0]!;
  return requirementOf(rule.condition, rule.searches, (f) => f);
};

test('requirements: AND keeps the most selective test, OR unites, NOT and regex give none', () => {
  assert.deepEqual(
    requirement(
      `  sel:\n    Image|endswith: '\\\\rundll32.exe'\n    CommandLine|contains: ' ,'\n  condition: sel`,
    ),
    [{ field: 'Image', literal: '\\rundll32.exe' }],
  );
  assert.deepEqual(
    requirement(
      `  a:\n    CommandLine|contains: 'Mimikatz'\n  b:\n    Image|endswith: '\\\\procdump.exe'\n  condition: a or b`,
    ),
    [
      { field: 'CommandLine', literal: 'mimikatz' },
      { field: 'Image', literal: '\\procdump.exe' },
    ],
  );
  assert.equal(requirement(`  a:\n    CommandLine|contains: 'x'\n  condition: not a`), null);
  assert.equal(requirement(`  a:\n    CommandLine|re: 'ab+c'\n  condition: a`), null);
  // A wildcard in the middle: the longest literal run is required.
  assert.deepEqual(requirement(`  a:\n    CommandLine: '*net*user /add*'\n  condition: a`), [
    { field: 'CommandLine', literal: 'user /add' },
  ]);
  // Non-ASCII ends a run (its lower-casing is not one-for-one).
  assert.deepEqual(requirement(`  a:\n    CommandLine|contains: 'ab\u0130cdef'\n  condition: a`), [
    { field: 'CommandLine', literal: 'cdef' },
  ]);
});

test('a bucket returns unguarded items always and guarded ones only when a literal occurs', () => {
  const bucket = new BucketPrefilter([
    { item: 'always', requirement: null },
    { item: 'mimikatz', requirement: [{ field: 'CommandLine', literal: 'mimikatz' }] },
    { item: 'procdump', requirement: [{ field: 'Image', literal: 'procdump' }] },
  ]);
  const view = (fields: Record<string, string>) => ({
    strings: (f: string) => (f in fields ? [fields[f]!] : null),
  });
  const pick = (fields: Record<string, string>) => {
    const out: string[] = [];
    bucket.select(view(fields), out);
    return out;
  };
  assert.deepEqual(pick({ CommandLine: 'Invoke-MIMIKATZ -x' }), ['always', 'mimikatz']);
  assert.deepEqual(pick({ CommandLine: 'whoami', Image: 'C:\\procdump64.exe' }), ['always', 'procdump']);
  assert.deepEqual(pick({}), ['always']);
  // Case folding without a lower-cased copy, and the non-ASCII path (U+212A KELVIN SIGN lower-cases to k).
  assert.deepEqual(pick({ CommandLine: 'x MiMiKaTz' }), ['always', 'mimikatz']);
  assert.deepEqual(pick({ CommandLine: 'Mimi\u212Aatz – ü' }), ['always', 'mimikatz']);
});
