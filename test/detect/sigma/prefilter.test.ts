// The literal prefilter may only skip rules that cannot fire: its requirement must be necessary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchoredLiterals } from '../../../src/detect/sigma/anchored-literals.js';
import { coverOf, LiteralAutomaton } from '../../../src/detect/sigma/literal-automaton.js';
import { BucketPrefilter, PrefilterGroup } from '../../../src/detect/sigma/prefilter.js';
import { regexLiterals } from '../../../src/detect/sigma/regex-literal.js';
import { requirementOf } from '../../../src/detect/sigma/requirement.js';
import { parseRules } from '../../../src/detect/sigma/index.js';

test('keyword searches are guarded by their literals in any field', () => {
  const load = parseRules(
    `title: t\nlogsource: {product: windows, service: system}\ndetection:\n  keywords: ['sekurlsa::', 'lsadump::']\n  condition: keywords`,
    'inline.yml',
  );
  const rule = load.rules[0]!;
  assert.deepEqual(
    requirementOf(rule.condition, rule.searches, (f) => f),
    [
      [
        { field: null, literal: 'sekurlsa::' },
        { field: null, literal: 'lsadump::' },
      ],
    ],
  );
});

test('Aho-Corasick reports every literal, overlapping and nested ones included', () => {
  const automaton = new LiteralAutomaton();
  ['he', 'she', 'his', 'hers', 'powershell'].forEach((l, i) => automaton.add(l, i));
  const found: number[] = [];
  automaton.scanLowered('ushers and c:\\windows\\powershell.exe', found);
  assert.deepEqual([...new Set(found)].sort(), [0, 1, 3, 4]);
});

const MIMIKATZ = [
  'dpapi::masterkey', 'eo.oe.kiwi', 'event::clear', 'event::drop', 'gentilkiwi.com', 'kerberos::golden',
  'kerberos::ptc', 'kerberos::ptt', 'kerberos::tgt', 'kiwi legit printer', 'lsadump::', 'mimidrv.sys',
  '\\mimilib.dll', 'misc::printnightmare', 'misc::shadowcopies', 'misc::skeleton', 'privilege::backup',
  'privilege::debug', 'privilege::driver', 'sekurlsa::',
];

test('a cover holds a short, rare-looking run of every literal; none without an ASCII run or when too many are needed', () => {
  const cover = coverOf(MIMIKATZ)!;
  assert.deepEqual(cover, ['::', 'kiwi', 'mimi']);
  for (const literal of MIMIKATZ) assert.ok(cover.some((run) => literal.includes(run)), literal);
  assert.equal(coverOf(['σσ', 'mimikatz']), undefined);
  assert.equal(coverOf(Array.from({ length: 9 }, (_, i) => `${'abcdefghi'[i]!}`.repeat(4))), undefined);
});

test('a keyword automaton behind a cover finds what the plain one finds, case folded, non-ASCII too', () => {
  const covered = new LiteralAutomaton({ cover: true });
  const plain = new LiteralAutomaton();
  MIMIKATZ.forEach((l, i) => {
    covered.add(l, i);
    plain.add(l, i);
  });
  const texts = [
    'Invoke SEKURLSA::LogonPasswords',
    'C:\\Windows\\System32\\MimiLib.DLL',
    '\u212Aiwi Legit Printer', // the Kelvin sign lower-cases to k
    'gentil\u212Aiwi.com',
    'ünïcode and privilege::debug',
    'C:\\Windows\\System32\\svchost.exe -k netsvcs',
    'fe80::1 but no literal',
    '',
  ];
  for (const text of texts) {
    const a: number[] = [];
    const b: number[] = [];
    covered.scan(text, a);
    plain.scan(text, b);
    assert.deepEqual(a.sort(), b.sort(), text);
  }
  const found: number[] = [];
  covered.scan('\u212Aiwi Legit Printer', found);
  assert.deepEqual(found, [9]);
  // Adopted by another worker, the cover comes along.
  const adopted = LiteralAutomaton.fromState(covered.state());
  assert.match(covered.state().precheck, /kiwi/);
  const again: number[] = [];
  adopted.scan('x SEKURLSA:: y', again);
  assert.deepEqual(again, [19]);
});

const requirement = (detection: string) => {
  const load = parseRules(
    `title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n${detection}`,
    'inline.yml',
  );
  const rule = load.rules[0]!;
  return requirementOf(rule.condition, rule.searches, (f) => f);
};

test('requirements: AND keeps every clause (most selective first), OR unites, NOT gives none, regex its plain run', () => {
  assert.deepEqual(
    requirement(
      `  sel:\n    Image|endswith: '\\\\rundll32.exe'\n    CommandLine|contains: ' ,'\n  condition: sel`,
    ),
    [
      [{ field: 'Image', literal: '\\rundll32.exe', anchor: 'end' }],
      [{ field: 'CommandLine', literal: ' ,' }],
    ],
  );
  // OR of two ANDs: each clause takes one clause of each side.
  assert.deepEqual(
    requirement(
      `  a:\n    EventID: 517\n    Provider_Name: Security\n  b:\n    EventID: 1102\n    Provider_Name: Microsoft-Windows-Eventlog\n  condition: a or b`,
    ),
    [
      [
        { field: 'Provider_Name', literal: 'security', anchor: 'exact' },
        { field: 'Provider_Name', literal: 'microsoft-windows-eventlog', anchor: 'exact' },
      ],
      [
        { field: 'EventID', literal: '517', anchor: 'exact' },
        { field: 'EventID', literal: '1102', anchor: 'exact' },
      ],
    ],
  );
  assert.deepEqual(
    requirement(
      `  a:\n    CommandLine|contains: 'Mimikatz'\n  b:\n    Image|endswith: '\\\\procdump.exe'\n  condition: a or b`,
    ),
    [
      [
        { field: 'CommandLine', literal: 'mimikatz' },
        { field: 'Image', literal: '\\procdump.exe', anchor: 'end' },
      ],
    ],
  );
  assert.equal(requirement(`  a:\n    CommandLine|contains: 'x'\n  condition: not a`), null);
  assert.deepEqual(requirement(`  a:\n    CommandLine|re: 'ab+c'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'ab' }],
  ]);
  // A wildcard in the middle: the longest literal run is required.
  assert.deepEqual(requirement(`  a:\n    CommandLine: '*net*user /add*'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'user /add' }],
  ]);
  // A run at an end of the pattern sits at that end of the value; a longer inner run still wins.
  assert.deepEqual(requirement(`  a:\n    CommandLine: 'net*user /add*'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'user /add' }],
  ]);
  assert.deepEqual(requirement(`  a:\n    CommandLine: 'net user*/add'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'net user', anchor: 'start' }],
  ]);
  assert.deepEqual(requirement(`  a:\n    CommandLine|cased: 'Net*/A'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'net', anchor: 'start' }],
  ]);
  // Cased and non-ASCII: the ASCII run before it is still a prefix, the one after it not a suffix of the run.
  assert.deepEqual(requirement(`  a:\n    CommandLine|startswith|cased: 'abcd\u0130ef'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'abcd', anchor: 'start' }],
  ]);
  // Cased: non-ASCII ends a run (its lower-casing is not one-for-one) …
  assert.deepEqual(requirement(`  a:\n    CommandLine|contains|cased: 'ab\u0130cdef'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'cdef' }],
  ]);
  // … uncased, the stored lower-cased text is what the lower-cased value must contain.
  assert.deepEqual(requirement(`  a:\n    CommandLine|contains: 'ab\u0130cdef'\n  condition: a`), [
    [{ field: 'CommandLine', literal: 'ab\u0130cdef'.toLowerCase() }],
  ]);
});

test('a bucket returns unguarded items always and guarded ones only when a literal occurs', () => {
  const bucket = new BucketPrefilter([
    { item: 'always', requirement: null },
    { item: 'mimikatz', requirement: [[{ field: 'CommandLine', literal: 'mimikatz' }]] },
    { item: 'procdump', requirement: [[{ field: 'Image', literal: 'procdump' }]] },
  ]);
  const pick = (fields: Record<string, string>) => {
    const out: string[] = [];
    bucket.select(fields, out);
    return out;
  };
  assert.deepEqual(pick({ CommandLine: 'Invoke-MIMIKATZ -x' }), ['always', 'mimikatz']);
  assert.deepEqual(pick({ CommandLine: 'whoami', Image: 'C:\\procdump64.exe' }), ['always', 'procdump']);
  assert.deepEqual(pick({}), ['always']);
  // Case folding without a lower-cased copy, and the non-ASCII path (U+212A KELVIN SIGN lower-cases to k).
  assert.deepEqual(pick({ CommandLine: 'x MiMiKaTz' }), ['always', 'mimikatz']);
  assert.deepEqual(pick({ CommandLine: 'Mimi\u212Aatz – ü' }), ['always', 'mimikatz']);
});

test('guarded items come out in their order, whatever order their literals are found in, replayed or not', () => {
  const bucket = new BucketPrefilter([
    { item: 'a', requirement: [[{ field: 'CommandLine', literal: 'zeta' }]] },
    { item: 'b', requirement: [[{ field: 'CommandLine', literal: 'gamma' }]] },
    { item: 'c', requirement: [[{ field: 'CommandLine', literal: 'beta' }]] },
    { item: 'd', requirement: [[{ field: 'CommandLine', literal: 'alpha' }]] },
  ]);
  const pick = (fields: Record<string, string>) => {
    const out: string[] = [];
    bucket.select(fields, out);
    return out;
  };
  assert.deepEqual(pick({ CommandLine: 'alpha beta gamma zeta' }), ['a', 'b', 'c', 'd']);
  // The same value again: its hits are replayed, not scanned; then a shorter list of hits.
  assert.deepEqual(pick({ CommandLine: 'alpha beta gamma zeta' }), ['a', 'b', 'c', 'd']);
  assert.deepEqual(pick({ CommandLine: 'beta zeta' }), ['a', 'c']);
  assert.deepEqual(pick({ CommandLine: 'beta zeta' }), ['a', 'c']);
  assert.deepEqual(pick({ CommandLine: 'gamma alpha' }), ['b', 'd']);
  assert.deepEqual(pick({ CommandLine: 'none' }), []);
  assert.deepEqual(pick({ CommandLine: 'none' }), []);
});

test('an item with several clauses is returned only when each saw one of its literals', () => {
  const bucket = new BucketPrefilter([
    {
      item: 'csi',
      requirement: [
        [{ field: 'Company', literal: 'microsoft corporation' }],
        [
          { field: 'Image', literal: '\\csi.exe' },
          { field: 'OriginalFileName', literal: 'csi.exe' },
        ],
      ],
    },
  ]);
  const pick = (fields: Record<string, string>) => {
    const out: string[] = [];
    bucket.select(fields, out);
    return out;
  };
  assert.deepEqual(pick({ Company: 'Microsoft Corporation', Image: 'C:\\cmd.exe' }), []);
  assert.deepEqual(pick({ Company: 'Microsoft Corporation', OriginalFileName: 'csi.exe' }), ['csi']);
  assert.deepEqual(pick({ Image: 'C:\\x\\csi.exe' }), []);
});

test('a bucket scans fields under any spelling EventView accepts, and keywords in every field', () => {
  const bucket = new BucketPrefilter([
    { item: 'threat', requirement: [[{ field: 'ThreatName', literal: 'mimikatz' }]] },
    { item: 'keyword', requirement: [[{ field: null, literal: 'sekurlsa::' }]] },
  ]);
  const pick = (fields: Record<string, string | number | readonly (string | null)[]>) => {
    const out: string[] = [];
    bucket.select(fields, out);
    return out;
  };
  assert.deepEqual(pick({ 'Threat Name': 'HackTool:Win32/Mimikatz' }), ['threat']);
  assert.deepEqual(pick({ threatname: ['x', null, 'MIMIKATZ'] }), ['threat']);
  assert.deepEqual(pick({ Anything: 'Sekurlsa::LogonPasswords' }), ['keyword']);
  assert.deepEqual(pick({ ThreatName: 'sekurlsa:: mimikatz' }), ['threat', 'keyword']);
  assert.deepEqual(pick({ Other: 12 }), []);
});

test('a group scans for every bucket at once: field literals per bucket, keywords of all buckets merged', () => {
  const specific = new BucketPrefilter([
    { item: 'perfc', requirement: [[{ field: null, literal: '\\perfc.dat' }]] },
    { item: 'rundll', requirement: [[{ field: 'Image', literal: '\\rundll32.exe' }]] },
  ]);
  const anyChannel = new BucketPrefilter([
    { item: 'always', requirement: null },
    { item: 'mimikatz', requirement: [[{ field: null, literal: 'sekurlsa::' }]] },
    { item: 'image-mimi', requirement: [[{ field: 'Image', literal: 'mimikatz' }]] },
  ]);
  const group = new PrefilterGroup([specific, anyChannel]);
  const pick = (fields: Record<string, string | number | null>) => {
    const out: string[] = [];
    group.select(fields, out);
    return out.sort();
  };
  assert.deepEqual(pick({ Image: 'C:\\rundll32.exe', CommandLine: 'x C:\\perfc.dat' }), [
    'always',
    'perfc',
    'rundll',
  ]);
  assert.deepEqual(pick({ Image: 'C:\\tools\\mimikatz.exe', Other: 'SEKURLSA::logonpasswords' }), [
    'always',
    'image-mimi',
    'mimikatz',
  ]);
  // The same bucket alone, and in the group: one bucket's state does not leak into the next event.
  assert.deepEqual(pick({ Image: 'C:\\cmd.exe', EventID: 1 }), ['always']);
});

test('a value equal to the last one under a key is not scanned again, and gives the same picks', () => {
  const bucket = new BucketPrefilter([
    { item: 'mimikatz', requirement: [[{ field: 'CommandLine', literal: 'mimikatz' }]] },
    { item: 'keyword', requirement: [[{ field: null, literal: 'sekurlsa::' }]] },
    {
      item: 'both',
      requirement: [[{ field: 'CommandLine', literal: 'mimikatz' }], [{ field: 'User', literal: 'admin' }]],
    },
  ]);
  const pick = (fields: Record<string, string | number | readonly string[]>) => {
    const out: string[] = [];
    bucket.select(fields, out);
    return out;
  };
  const command = 'mimikatz sekurlsa::logonpasswords';
  assert.deepEqual(pick({ CommandLine: command, User: 'admin' }), ['mimikatz', 'keyword', 'both']);
  // An equal string made anew (as the next record's parse makes it), the other field changed.
  assert.deepEqual(pick({ CommandLine: command.slice(0, 8) + command.slice(8), User: 'guest' }), [
    'mimikatz',
    'keyword',
  ]);
  assert.deepEqual(pick({ CommandLine: 'whoami', User: 'guest' }), []);
  assert.deepEqual(pick({ CommandLine: 'whoami', User: 'admin' }), []);
  // Arrays are scanned every time, even the same array object with other contents.
  const values = ['x'];
  assert.deepEqual(pick({ CommandLine: values }), []);
  values[0] = 'MIMIKATZ';
  assert.deepEqual(pick({ CommandLine: values }), ['mimikatz']);
});

test('an automaton steps exactly on U+FFFF (its unused edge slots) and beyond 65,535 states', () => {
  const small = new LiteralAutomaton();
  ['ab\uffffc', 'b\uffff', 'xy', 'cb'].forEach((l, i) => small.add(l, i));
  const found = (automaton: LiteralAutomaton, text: string): number[] => {
    const out: number[] = [];
    automaton.scan(text, out);
    return [...new Set(out)].sort();
  };
  assert.deepEqual(found(small, 'zAB\uffffC'), [0, 1]);
  assert.deepEqual(found(small, 'a\uffffxy\uffff'), [2]);
  assert.deepEqual(found(small, 'x\uffffy'), []);
  // From the leaf `cb`, U+FFFF goes on as from `b` (its fail link): to `b\uffff`.
  assert.deepEqual(found(small, 'CB\uffff'), [1, 3]);
  // Enough states for 32-bit rows and records.
  const big = new LiteralAutomaton();
  for (let i = 0; i < 9000; i++) big.add(`${(i * 7919).toString(36)}-literal-${i}`, i);
  big.add('needle', 9000);
  assert.ok(big.state().nodes instanceof Int32Array);
  assert.ok(small.state().nodes instanceof Uint16Array);
  assert.deepEqual(found(big, 'a NEEDLE and 63z-LITERAL-1 \uffff'), [1, 9000]);
});

test('regex literals: only what every match must contain', () => {
  // [source, flags, expected literals, a string the regex matches]
  const cases: [string, string, string[] | null, string?][] = [
    ['net\\s+stop SuperBackupMan', '', ['stop superbackupman'], 'net  stop SuperBackupMan'],
    ['ipconfig\\s+/all|arp\\s+-a', '', ['ipconfig', 'arp'], 'arp -a'],
    ['abc?d', '', ['ab'], 'abd'],
    ['ab*c', '', ['a'], 'ac'],
    ['x(?:abc)+yz', '', ['yz'], 'xabcabcyz'],
    ['[a-z]{2,}\\.exe', 'i', ['.exe'], 'AB.EXE'],
    ['\\x41bc', '', ['bc'], 'Abc'],
    ['\\u0041bcd', '', ['bcd'], 'Abcd'],
    ['ab{0,3}c', '', ['a'], 'ac'],
    ['abc{1}d', '', ['abcd'], 'abcd'],
    ['abc{2}d', '', ['abc'], 'abccd'],
    ['a.b\\dcc', '', ['cc'], 'axb1cc'],
    ['\\$PSHome\\[', '', ['$pshome['], '$PSHome['],
    ['ab\u00e9cd', '', ['ab'], 'ab\u00e9cd'],
    ['(?=abc)', '', null],
    ['abc|', '', null],
    ['\\0abc', '', null],
    ['a{x}', '', null],
    ['abc', 'u', null],
  ];
  for (const [source, flags, expected, sample] of cases) {
    assert.deepEqual(regexLiterals(source, flags), expected, source);
    if (sample === undefined) continue;
    assert.ok(new RegExp(source, flags).test(sample), source);
    assert.ok(
      expected!.some((l) => sample.toLowerCase().includes(l)),
      source,
    );
  }
});

test('anchored literals are found only at their end of the value, case folded, non-ASCII too', () => {
  const anchored = new AnchoredLiterals();
  anchored.add('\\cmd.exe', 'end', 0);
  anchored.add('c:\\windows\\', 'start', 1);
  anchored.add('system', 'exact', 2);
  anchored.add('c:\\', 'start', 3);
  const find = (text: string) => {
    const found: number[] = [];
    anchored.scan(text, found);
    return [...new Set(found)].sort();
  };
  assert.deepEqual(find('C:\\Windows\\System32\\CMD.EXE'), [0, 1, 3]);
  assert.deepEqual(find('C:\\tools\\cmd.exe.bak'), [3]);
  assert.deepEqual(find('D:\\x\\cmd.exe'), [0]);
  assert.deepEqual(find('SYSTEM'), [2]);
  assert.deepEqual(find('systems'), []);
  assert.deepEqual(find('x system'), []);
  // U+212A KELVIN SIGN lower-cases to k; U+0130 before the suffix lengthens the lower-cased text.
  const late = new AnchoredLiterals();
  late.add('\\kill.exe', 'end', 4);
  late.add('\u0130\\'.toLowerCase(), 'start', 5);
  const found: number[] = [];
  late.scan('\u0130\\\u212Aill.exe', found);
  assert.deepEqual([...new Set(found)].sort(), [4, 5]);
});

test('a bucket checks anchored requirements from the value ends', () => {
  const bucket = new BucketPrefilter([
    { item: 'ends', requirement: [[{ field: 'Image', literal: '\\rundll32.exe', anchor: 'end' }]] },
    { item: 'equals', requirement: [[{ field: 'User', literal: 'nt authority\\system', anchor: 'exact' }]] },
    { item: 'contains', requirement: [[{ field: 'Image', literal: '\\rundll32.exe' }]] },
  ]);
  const pick = (fields: Record<string, string>) => {
    const out: string[] = [];
    bucket.select(fields, out);
    return out;
  };
  assert.deepEqual(pick({ Image: 'C:\\Windows\\RUNDLL32.EXE' }), ['ends', 'contains']);
  assert.deepEqual(pick({ Image: 'C:\\Windows\\rundll32.exe.tmp' }), ['contains']);
  assert.deepEqual(pick({ User: 'NT AUTHORITY\\SYSTEM' }), ['equals']);
  assert.deepEqual(pick({ User: 'NT AUTHORITY\\SYSTEM2' }), []);
});
