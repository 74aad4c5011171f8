// Indicator sets (src/detect/indicators): what each kind of indicator matches and what it must not,
// lists read from plain and CSV files on disk, bad lines reported with file and line, and a hit
// reported as a Detection, on its own and through the DetectionEngine a scan uses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Detection } from '../../../src/core/detection.js';
import type { Event, EventFields, SourceKind, SourceRef } from '../../../src/core/event.js';
import { DetectionEngine } from '../../../src/detect/engine.js';
import {
  IndicatorSet,
  loadIndicators,
  parseIndicatorList,
  type Indicator,
} from '../../../src/detect/indicators/index.js';

const T = Date.UTC(2026, 4, 10, 8, 30, 0);

function event(fields: EventFields, kind: SourceKind = 'jsonl', extra: Partial<SourceRef> = {}): Event {
  return { timestamp: T, source: { kind, file: `evidence.${kind}`, line: 7, ...extra }, fields };
}

/** A set from list text (must parse cleanly). */
function setOf(text: string, file = 'iocs.txt'): IndicatorSet {
  const { indicators, problems } = parseIndicatorList(text, file);
  assert.deepEqual(problems, []);
  const set = new IndicatorSet();
  for (const i of indicators) assert.ok(set.add(i), `${i.type} ${i.value} is accepted`);
  return set;
}

/** The indicator values that hit an event. */
const hits = (set: IndicatorSet, e: Event): string[] =>
  set.match(e).map((d) => d.ruleId.replace(/^ioc:[a-z0-9]+:/, ''));

interface Row {
  readonly value: string;
  readonly hit: string | null;
}

/** Each value in one field of a generic (shape-matched) event, and in a role field of the given kind. */
function table(
  set: IndicatorSet,
  rows: readonly Row[],
  roleField?: { kind: SourceKind; field: string },
): void {
  for (const row of rows) {
    const expected = row.hit === null ? [] : [row.hit];
    assert.deepEqual(hits(set, event({ value: row.value })), expected, `jsonl value=${row.value}`);
    if (roleField) {
      assert.deepEqual(
        hits(set, event({ [roleField.field]: row.value }, roleField.kind)),
        expected,
        `${roleField.kind} ${roleField.field}=${row.value}`,
      );
    }
  }
}

describe('IPv4 and IPv6 addresses', () => {
  const set = setOf(['192.0.2.45', '2001:DB8:0:0::BAD', '::ffff:198.51.100.1'].join('\n'));

  test('IPv4: the address itself, not its neighbours or look-alike strings', () => {
    table(
      set,
      [
        { value: '192.0.2.45', hit: '192.0.2.45' },
        { value: ' 192.0.2.45 ', hit: '192.0.2.45' },
        { value: '::ffff:192.0.2.45', hit: '192.0.2.45' },
        { value: '192.0.2.46', hit: null },
        { value: '192.0.2.4', hit: null },
        { value: '192.0.2.450', hit: null },
        { value: '10.192.0.2', hit: null },
      ],
      { kind: 'evtx', field: 'DestinationIp' },
    );
  });

  test('IPv6: compared in canonical form, whatever the notation', () => {
    table(
      set,
      [
        { value: '2001:db8::bad', hit: '2001:DB8:0:0::BAD' },
        { value: '2001:0db8:0000:0000:0000:0000:0000:0bad', hit: '2001:DB8:0:0::BAD' },
        { value: '2001:db8::bae', hit: null },
        { value: '2001:db8:1::bad', hit: null },
      ],
      { kind: 'zeek', field: 'id.resp_h' },
    );
  });

  test('an IPv4-mapped IPv6 indicator matches the plain IPv4 address', () => {
    assert.deepEqual(hits(set, event({ src_ip: '198.51.100.1' }, 'suricata')), ['::ffff:198.51.100.1']);
  });
});

describe('CIDR ranges: containment, and the most specific range wins', () => {
  const { indicators } = parseIndicatorList(
    [
      'value,type,description',
      '10.0.0.0/8,cidr,corporate',
      '10.20.0.0/16,cidr,site B',
      '10.20.30.0/24,cidr,lab segment',
      '10.20.30.40/32,cidr,one host',
      '203.0.113.77/24,cidr,not aligned',
      '2001:db8::/32,cidr,documentation v6',
      '2001:db8:bad::/48,cidr,bad v6 site',
    ].join('\n'),
    'ranges.csv',
  );
  const set = new IndicatorSet();
  // Broad ranges first: the order of the list must not decide which range is reported.
  for (const i of indicators) set.add(i);
  const range = (ip: string): string | undefined => set.match(event({ ip }))[0]?.ruleTitle.split(': ')[1];

  const rows: [string, string | undefined][] = [
    ['10.1.2.3', 'corporate'],
    ['10.20.1.1', 'site B'],
    ['10.20.30.1', 'lab segment'],
    ['10.20.30.40', 'one host'],
    ['10.20.30.41', 'lab segment'],
    ['10.20.31.0', 'site B'],
    ['11.0.0.1', undefined],
    ['9.255.255.255', undefined],
    ['203.0.113.1', 'not aligned'],
    ['203.0.113.255', 'not aligned'],
    ['203.0.114.0', undefined],
    ['2001:db8:1::1', 'documentation v6'],
    ['2001:db8:bad:ffff::1', 'bad v6 site'],
    ['2001:db9::1', undefined],
  ];
  for (const [ip, expected] of rows) {
    test(`${ip} → ${expected ?? 'no range'}`, () => {
      assert.equal(range(ip), expected);
    });
  }

  test('an exact address indicator wins over a range holding it', () => {
    const s = setOf('10.0.0.0/8\n10.9.9.9');
    assert.deepEqual(hits(s, event({ a: '10.9.9.9' })), ['10.9.9.9']);
  });
});

describe('domains: the domain and its subdomains, never look-alikes', () => {
  const set = setOf('evil.com\nBad-Domain.example\n');
  const rows: Row[] = [
    { value: 'evil.com', hit: 'evil.com' },
    { value: 'EVIL.COM', hit: 'evil.com' },
    { value: 'evil.com.', hit: 'evil.com' },
    { value: 'www.evil.com', hit: 'evil.com' },
    { value: 'a.b.c.evil.com', hit: 'evil.com' },
    { value: 'notevil.com', hit: null },
    { value: 'xevil.com', hit: null },
    { value: 'evil.co', hit: null },
    { value: 'evil.com.attacker.net', hit: null },
    { value: 'evil-com.net', hit: null },
    { value: 'cdn.bad-domain.example', hit: 'Bad-Domain.example' },
    { value: 'bad-domain.example.org', hit: null },
  ];

  test('in a generic log and in Sysmon DNS QueryName', () => {
    table(set, rows, { kind: 'evtx', field: 'QueryName' });
  });

  test('in Zeek DNS queries and Suricata TLS SNI', () => {
    table(set, rows, { kind: 'zeek', field: 'query' });
    table(set, rows, { kind: 'suricata', field: 'tls.sni' });
  });

  test('a host with a port, as in a W3C cs-host', () => {
    assert.deepEqual(hits(set, event({ 'cs-host': 'www.evil.com:8443' }, 'w3c')), ['evil.com']);
    assert.deepEqual(hits(set, event({ 'cs-host': 'notevil.com:8443' }, 'w3c')), []);
  });

  test('the host of a URL', () => {
    assert.deepEqual(hits(set, event({ url: 'https://login.evil.com/reset?u=1' })), ['evil.com']);
    assert.deepEqual(hits(set, event({ url: 'https://notevil.com/evil.com' })), []);
  });
});

describe('URLs', () => {
  const set = setOf('https://cdn.bad.example/payload.bin\nhttp://198.51.100.7/a.ps1');
  test('the URL, with default ports, fragments and letter case normalised', () => {
    table(set, [
      { value: 'https://cdn.bad.example/payload.bin', hit: 'https://cdn.bad.example/payload.bin' },
      { value: 'HTTPS://CDN.BAD.EXAMPLE/payload.bin', hit: 'https://cdn.bad.example/payload.bin' },
      { value: 'https://cdn.bad.example:443/payload.bin', hit: 'https://cdn.bad.example/payload.bin' },
      { value: 'https://cdn.bad.example/payload.bin#x', hit: 'https://cdn.bad.example/payload.bin' },
      { value: 'http://198.51.100.7/a.ps1', hit: 'http://198.51.100.7/a.ps1' },
      { value: 'https://cdn.bad.example/other.bin', hit: null },
      { value: 'https://cdn.bad.example:8443/payload.bin', hit: null },
      { value: 'https://cdn.bad.example.net/payload.bin', hit: null },
    ]);
  });

  test('in a W3C Referer', () => {
    assert.deepEqual(hits(set, event({ 'cs(Referer)': 'https://cdn.bad.example/payload.bin' }, 'w3c')), [
      'https://cdn.bad.example/payload.bin',
    ]);
  });
});

describe('hashes: MD5, SHA1, SHA256, case-insensitive, also inside Sysmon Hashes', () => {
  const md5 = 'ad7b9c14083b52bc532fba5948342b98';
  const sha1 = 'EE8CBF12D87C4D388F09B4F69BED2E91682920B5';
  const sha256 = '17f746d82695fa9b35493b41859d39d786d32b23a9d2e00f4011dec7a02402ae';
  const set = setOf([md5, sha1, sha256].join('\n'));
  const sysmon = (hashes: string) =>
    event({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hashes: hashes }, 'evtx', {
      recordId: 10153,
    });

  test('each kind of hash, upper or lower case', () => {
    table(set, [
      { value: md5, hit: md5 },
      { value: md5.toUpperCase(), hit: md5 },
      { value: sha1.toLowerCase(), hit: sha1 },
      { value: sha256.toUpperCase(), hit: sha256 },
      { value: md5.slice(0, 31) + '0', hit: null },
      { value: sha256.slice(0, 32), hit: null },
    ]);
  });

  test('inside a Sysmon Hashes field, whichever hash the list holds', () => {
    const other = (n: number) => '0'.repeat(n);
    const cases: [string, string | null][] = [
      [`SHA256=${sha256.toUpperCase()},MD5=${other(32)}`, sha256],
      [`MD5=${md5.toUpperCase()},SHA256=${other(64)}`, md5],
      [`SHA1=${sha1},MD5=${other(32)},SHA256=${other(64)},IMPHASH=${other(32)}`, sha1],
      [`SHA1=${other(40)},MD5=${other(32)},SHA256=${other(64)},IMPHASH=${other(32)}`, null],
    ];
    for (const [hashes, expected] of cases) {
      const want = expected === null ? [] : [expected];
      assert.deepEqual(hits(set, sysmon(hashes)), want, `evtx ${hashes}`);
      // The same field in a log the set does not know (Sysmon exported as JSON lines).
      assert.deepEqual(hits(set, event({ Hashes: hashes })), want, `jsonl ${hashes}`);
    }
  });

  test('two listed hashes of one file are one detection each', () => {
    const both = sysmon(`SHA1=${sha1},MD5=${md5}`);
    // One Hashes field reports the first listed hash it holds.
    assert.equal(set.match(both).length, 1);
  });

  test('Zeek files.log md5/sha1/sha256 fields', () => {
    assert.deepEqual(hits(set, event({ md5: md5.toUpperCase(), sha1: '-' }, 'zeek')), [md5]);
  });
});

describe('e-mail addresses', () => {
  const set = setOf('Phish@Lures.example');
  test('case-insensitive, also as "Name <address>"', () => {
    table(set, [
      { value: 'phish@lures.example', hit: 'Phish@Lures.example' },
      { value: 'PHISH@LURES.EXAMPLE', hit: 'Phish@Lures.example' },
      { value: 'other@lures.example', hit: null },
      { value: 'phish@lures.example.org', hit: null },
    ]);
    assert.deepEqual(hits(set, event({ mailfrom: 'IT Support <phish@lures.example>' }, 'zeek')), [
      'Phish@Lures.example',
    ]);
  });
});

describe('lists on disk: plain and CSV; a bad line is an issue with file and line, the rest loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-iocs-'));
  const plain = join(dir, 'plain.txt');
  writeFileSync(
    plain,
    [
      '# CERT list, exchanged by mail', // 1
      '', // 2
      '192.0.2.45', // 3
      'evil.com   # phishing kit', // 4
      'not an indicator at all ***', // 5
      'domain: typed.example', // 6
      'https://cdn.bad.example/payload.bin', // 7
      'ip: not-an-ip', // 8
      'md5: xyz', // 9
      '203.0.113.0/24', // 10
      'sha256: E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', // 11
      'phish@lures.example', // 12
      '300.1.1.1', // 13
    ].join('\r\n'),
  );
  const csv = join(dir, 'feed.csv');
  writeFileSync(
    csv,
    [
      'indicator,type,description,tags,level', // 1
      '198.51.100.7,ip-dst,"C2 server, stage 2",attack.command-and-control;apt.x,critical', // 2
      'bad.example,domain,Phishing domain,,low', // 3
      '???,domain,broken,,', // 4
      'ad7b9c14083b52bc532fba5948342b98,md5,,,', // 5
      ',ip,empty value,,', // 6
      '2001:db8:bad::/48,cidr,v6 range,,medium', // 7
    ].join('\n'),
  );

  test('the plain list', async () => {
    const { set, problems } = await loadIndicators([plain]);
    assert.equal(set.size, 7);
    assert.deepEqual(
      problems.map((p) => [p.file, p.line, p.severity]),
      [
        [plain, 5, 'error'],
        [plain, 8, 'error'],
        [plain, 9, 'error'],
        [plain, 13, 'error'],
      ],
    );
    // A value that is no indicator at all, and values that are not what their `type:` says.
    assert.deepEqual(
      problems.map((p) => p.code),
      ['ioc.value.unknown', 'ioc.value.invalid', 'ioc.value.invalid', 'ioc.value.unknown'],
    );
    for (const [field, value] of [
      ['a', '192.0.2.45'],
      ['b', 'www.evil.com'],
      ['c', 'x.typed.example'],
      ['d', 'https://cdn.bad.example/payload.bin'],
      ['e', '203.0.113.9'],
      ['f', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['g', 'phish@lures.example'],
    ])
      assert.equal(set.match(event({ [field!]: value! })).length, 1, value);
    // The trailing comment is not part of the value.
    assert.equal(set.match(event({ b: 'phishing' })).length, 0);
  });

  test('the CSV list, with its type, description, tags and level columns', async () => {
    const { set, problems } = await loadIndicators([csv]);
    assert.deepEqual(
      problems.map((p) => [p.file, p.line]),
      [
        [csv, 4],
        [csv, 6],
      ],
    );
    assert.equal(set.size, 4);
    const [c2] = set.match(event({ dest_ip: '198.51.100.7' }, 'suricata'));
    assert.ok(c2);
    assert.equal(c2.level, 'critical');
    assert.deepEqual(c2.tags, ['attack.command-and-control', 'apt.x']);
    assert.match(c2.ruleTitle, /198\.51\.100\.7/);
    assert.match(c2.ruleTitle, /C2 server, stage 2/);
    assert.equal(set.match(event({ q: 'www.bad.example' }))[0]?.level, 'low');
    assert.equal(set.match(event({ a: '2001:db8:bad:1::1' }))[0]?.level, 'medium');
  });

  test('several files at once; a missing file is an issue and the others still load', async () => {
    const missing = join(dir, 'no-such-list.txt');
    const { set, problems } = await loadIndicators([plain, missing, csv]);
    assert.equal(set.size, 11);
    const unreadable = problems.filter((p) => p.code === 'ioc.file.unreadable');
    assert.deepEqual(
      unreadable.map((p) => p.file),
      [missing],
    );
  });
});

describe('a hit is a Detection', () => {
  const indicator: Indicator = {
    type: 'ip',
    value: '192.0.2.45',
    list: 'lists/c2.txt',
    description: 'C2 from CERT-X advisory',
    level: 'critical',
    tags: ['attack.command-and-control'],
  };

  test('with the indicator as its rule, the event time, host, field and source', () => {
    const set = new IndicatorSet();
    set.add(indicator);
    const e: Event = {
      timestamp: T,
      source: { kind: 'evtx', file: 'Microsoft-Windows-Sysmon%4Operational.evtx', recordId: 4242 },
      fields: {
        EventID: 3,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'WS042.corp.example',
        DestinationIp: '192.0.2.45',
        SourceIp: '10.0.0.5',
      },
    };
    const found = set.match(e);
    assert.equal(found.length, 1);
    const d: Detection = found[0]!;
    assert.equal(d.kind, 'indicator');
    assert.equal(d.ruleId, 'ioc:ip:192.0.2.45');
    assert.match(d.ruleTitle, /192\.0\.2\.45/);
    assert.match(d.ruleTitle, /lists\/c2\.txt/);
    assert.match(d.ruleTitle, /C2 from CERT-X advisory/);
    assert.equal(d.level, 'critical');
    assert.deepEqual(d.tags, ['attack.command-and-control']);
    assert.equal(d.timestamp, T);
    assert.equal(d.host, 'WS042.corp.example');
    assert.deepEqual(d.fields, { DestinationIp: '192.0.2.45' });
    assert.deepEqual(d.source, e.source);
  });

  test('an indicator in two fields of one event is one detection; without a level it is high', () => {
    const set = setOf('192.0.2.45');
    const found = set.match(event({ src: '192.0.2.45', dst: '192.0.2.45', list: ['x', '192.0.2.45'] }));
    assert.equal(found.length, 1);
    assert.equal(found[0]!.level, 'high');
  });

  test('values inside arrays are matched', () => {
    const set = setOf('evil.com');
    assert.equal(set.match(event({ answers: ['1.2.3.4', 'cdn.evil.com'] })).length, 1);
  });

  test('an empty set finds nothing', () => {
    assert.deepEqual(new IndicatorSet().match(event({ a: '192.0.2.45' })), []);
  });

  test('through the DetectionEngine, with --min-level applied to indicator hits', () => {
    const set = new IndicatorSet();
    set.add(indicator);
    set.add({ type: 'domain', value: 'evil.com', list: 'lists/low.txt', level: 'low', tags: [] });
    const e = event({ dst: '192.0.2.45', query: 'www.evil.com' });
    assert.deepEqual(
      new DetectionEngine({ indicators: set })
        .process(e)
        .map((d) => d.ruleId)
        .sort(),
      ['ioc:domain:evil.com', 'ioc:ip:192.0.2.45'],
    );
    assert.deepEqual(
      new DetectionEngine({ indicators: set, minLevel: 'high' }).process(e).map((d) => d.ruleId),
      ['ioc:ip:192.0.2.45'],
    );
  });
});
