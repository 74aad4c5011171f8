// Lookup over the constituency: longest-prefix match (IPv4, IPv6, overlapping networks), ASN from the
// offline database, domain suffixes (IDN, trailing dots, label boundaries), and targets given as
// URLs — including hostile and defanged ones.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, parsePrefix, formatIpv6 } from '../../src/core/ip.js';
import {
  ConstituencyIndex,
  normaliseDomain,
  parseTarget,
  type LookupResult,
} from '../../src/enrich/constituency/index.js';
import { PrefixTable } from '../../src/enrich/constituency/prefix-table.js';
import { FACTS, fixture } from './constituency-fixture.js';

const { organisations, parties } = fixture();
const index = new ConstituencyIndex(organisations, parties, FACTS);

function found(target: string): LookupResult {
  const r = index.lookup(target);
  assert.notEqual(r.kind, 'invalid', `${target}: ${'reason' in r ? r.reason : ''}`);
  return r as LookupResult;
}
const owners = (target: string): string[] => found(target).owners.map((o) => o.organisation.id);
const partyIds = (target: string): string[] => found(target).parties.map((p) => p.party.id);

describe('prefix table: the longest listed prefix wins', () => {
  const table = new PrefixTable<string>();
  for (const [prefix, value] of [
    ['0.0.0.0/0', 'default-v4'],
    ['10.0.0.0/8', 'ten'],
    ['10.1.0.0/16', 'ten-one'],
    ['10.1.2.0/24', 'ten-one-two'],
    ['10.1.2.3/32', 'host'],
    ['10.1.2.0/24', 'ten-one-two-shared'],
    ['2001:db8::/32', 'doc-v6'],
    ['2001:db8:1::/48', 'doc-v6-1'],
    ['2001:db8:1:2::1/128', 'v6-host'],
  ] as const)
    table.add(parsePrefix(prefix)!, value);

  const cases: [string, string[] | undefined][] = [
    ['10.1.2.3', ['host']],
    ['10.1.2.4', ['ten-one-two', 'ten-one-two-shared']],
    ['10.1.3.1', ['ten-one']],
    ['10.200.0.1', ['ten']],
    ['11.0.0.1', ['default-v4']],
    ['::ffff:10.1.2.3', ['host']],
    ['2001:db8:1:2::1', ['v6-host']],
    ['2001:db8:1:2::2', ['doc-v6-1']],
    ['2001:0db8:0000:ffff::1', ['doc-v6']],
    ['2001:db9::1', undefined],
  ];
  for (const [ip, expected] of cases)
    test(`${ip} → ${expected?.join(', ') ?? 'nothing'}`, () => {
      assert.deepEqual(table.match(parseIp(ip)!)?.values, expected);
    });

  test('every match, longest first', () => {
    assert.deepEqual(
      table.matches(parseIp('10.1.2.3')!).map((m) => m.prefix.bits),
      [32, 24, 16, 8, 0],
    );
  });
});

describe('IPv6 text is canonical (RFC 5952)', () => {
  for (const [input, expected] of [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['::', '::'],
    ['1::', '1::'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
  ] as const)
    test(input, () => assert.equal(formatIpv6(parseIp(input)!.value), expected));
});

describe('an address is owned by the longest network listed for it', () => {
  const cases: [string, string[], string][] = [
    ['198.51.100.7', ['acme'], "198.51.100.7 is in ACME Water's 198.51.100.0/24"],
    ['198.51.100.200', ['acme-lab'], "198.51.100.200 is in ACME Lab's 198.51.100.128/25"],
    ['10.20.3.4', ['acme'], "10.20.3.4 is in ACME Water's 10.20.0.0/16"],
    ['2001:db8:ace:1::5', ['acme'], "2001:db8:ace:1::5 is in ACME Water's 2001:db8:ace::/48"],
    ['2001:db8:beef::5', ['city'], "2001:db8:beef::5 is in City of Example's 2001:db8::/32"],
    ['192.0.2.1', ['city'], "192.0.2.1 is in City of Example's 192.0.2.0/25"],
    // By ASN when no network holds it.
    ['198.18.0.9', ['acme'], "198.18.0.9 is announced by AS64501 (ACME-AS), which is ACME Water's"],
  ];
  for (const [ip, expected, why] of cases)
    test(ip, () => {
      const r = found(ip);
      assert.deepEqual(
        r.owners.map((o) => o.organisation.id),
        expected,
      );
      assert.deepEqual(r.owners[0]?.reasons, [why]);
    });

  test('nobody owns an address outside every network and ASN', () => {
    assert.deepEqual(owners('192.0.2.200'), []);
    assert.deepEqual(owners('8.8.4.4'), []);
  });
});

describe('who must be told about an address: its host by network or ASN, the CERT of its country', () => {
  test('a hosting provider by network and ASN, and the CERT of its country', () => {
    const r = found('203.0.113.5');
    assert.equal(r.country, 'NL');
    assert.equal(r.asn, 64500);
    assert.deepEqual(
      r.parties.map((p) => [p.party.id, p.by, p.reasons]),
      [
        [
          'example-hosting',
          'network',
          [
            "203.0.113.5 is in Example Hosting's 203.0.113.0/24",
            "203.0.113.5 is announced by AS64500 (EXAMPLE-HOSTING), which is Example Hosting's",
          ],
        ],
        ['cert-nl', 'country', ['203.0.113.5 is in country NL → CERT-NL (test)']],
      ],
    );
  });

  test('country RU → CERT-RU', () => {
    assert.deepEqual(partyIds('192.0.2.200'), ['cert-ru']);
  });

  test('known facts (an incident already placed the address) are used instead of the database', () => {
    const r = index.lookup('192.0.2.200', { country: 'NL', asn: 64496, asName: null }) as LookupResult;
    assert.deepEqual(
      r.parties.map((p) => p.party.id),
      ['example-cloud', 'cert-nl'],
    );
  });
});

describe('ASN from the offline database', () => {
  const real = new ConstituencyIndex(organisations, parties);
  for (const [ip, asn, name] of [
    ['8.8.8.8', 15169, 'Google LLC'],
    ['2001:4860:4860::8888', 15169, 'Google LLC'],
  ] as const)
    test(`${ip} → AS${asn} ${name}, and the party listing that ASN`, () => {
      const r = real.lookup(ip) as LookupResult;
      assert.equal(r.asn, asn);
      assert.equal(r.asName, name);
      assert.equal(r.country, 'US');
      assert.deepEqual(
        r.parties.map((p) => [p.party.id, p.by]),
        [['google-test', 'asn']],
      );
      assert.match(
        r.parties[0]!.reasons[0]!,
        /is announced by AS15169 \(Google LLC\), which is Google \(test entry\)'s/,
      );
    });

  test('a documentation address has no ASN or country', () => {
    const r = real.lookup('198.51.100.7') as LookupResult;
    assert.deepEqual([r.asn, r.country, r.owners[0]?.organisation.id], [null, null, 'acme']);
  });
});

describe('domains: a listed domain covers its subdomains, the longest suffix wins', () => {
  const cases: [string, string[]][] = [
    ['acme.example', ['acme']],
    ['www.acme.example', ['acme']],
    ['lab.acme.example', ['acme-lab']],
    ['deep.www.lab.acme.example', ['acme-lab']],
    ['ACME.Example.', ['acme']],
    ['notacme.example', []],
    ['acme.example.evil.example', []],
    ['bücher.example', ['city']],
    ['shop.xn--bcher-kva.example', ['city']],
    ['SHOP.BÜCHER.EXAMPLE..', ['city']],
  ];
  for (const [domain, expected] of cases) test(domain, () => assert.deepEqual(owners(domain), expected));

  test('parties: the longest suffix per kind (a host of pages.example, the registry of example)', () => {
    const r = found('evil.pages.example');
    assert.deepEqual(
      r.parties.map((p) => [p.party.id, p.reasons]),
      [
        ['example-cloud', ["evil.pages.example is under Example Cloud's domain pages.example"]],
        ['example-registrar', ["evil.pages.example is under Example Registrar's domain example"]],
      ],
    );
  });

  test('a domain of our own is still under its registrar', () => {
    assert.deepEqual(partyIds('www.acme.example'), ['example-registrar']);
  });
});

describe('targets: URLs, e-mail addresses, defanged and hostile text', () => {
  const cases: [string, string | undefined][] = [
    ['https://www.acme.example/login?next=/', 'domain www.acme.example'],
    ['hxxps://evil[.]pages[.]example/x', 'domain evil.pages.example'],
    ['http://198.51.100.7:8080/a', 'ip 198.51.100.7'],
    ['http://[2001:DB8:ACE::1]:443/', 'ip 2001:db8:ace::1'],
    ['2001:0db8:0ace:0000:0000:0000:0000:0001', 'ip 2001:db8:ace::1'],
    ['::ffff:198.51.100.7', 'ip 198.51.100.7'],
    // The browser goes to the host after the @, not before it.
    ['http://www.acme.example@evil.example/', 'domain evil.example'],
    ['http://acme.example\\@evil.example/', 'domain acme.example'],
    ['http://%65vil.example/', 'domain evil.example'],
    ['evil.example/path/to?x=1', 'domain evil.example'],
    ['198.51.100.7:443', 'ip 198.51.100.7'],
    ['phish@evil.example', 'domain evil.example'],
    ['  www.acme.example.  ', 'domain www.acme.example'],
    ['', undefined],
    ['javascript:alert(1)', undefined],
    ['data:text/html,<script>', undefined],
    ['http://', undefined],
    ['http://exa mple.example/', undefined],
    ['acme..example', undefined],
    ['-acme.example', undefined],
    ['<script>alert(1)</script>', undefined],
    ['a'.repeat(64) + '.example', undefined],
    ['x'.repeat(5000), undefined],
    ['acme.example\u0000.evil', undefined],
    ['999.1.1.1', undefined],
    ['file:///etc/passwd', undefined],
  ];
  for (const [input, expected] of cases)
    test(JSON.stringify(input.slice(0, 60)), () => {
      const t = parseTarget(input);
      const got = t.kind === 'ip' ? `ip ${t.ip}` : t.kind === 'domain' ? `domain ${t.domain}` : undefined;
      assert.equal(got, expected, t.kind === 'invalid' ? t.reason : '');
    });

  test('an invalid target is a value with a reason, not an exception', () => {
    const r = index.lookup('http://exa mple.example/');
    assert.equal(r.kind, 'invalid');
  });

  test('normaliseDomain leaves nothing a host name cannot have', () => {
    for (const bad of ['a/b', 'a:b', 'a b', 'a@b', '192.0.2.1', 'a%2eb', 'a\\b', '[::1]'])
      assert.equal(normaliseDomain(bad), undefined, bad);
  });
});
