// Who must act on a case: the victim organisation cleans up, the host of attacker infrastructure
// takes it down, the registrar of a malicious domain suspends it, the app store removes a malicious
// app, the CERT of the infrastructure's country is told — each with its reasons, once, in a stable order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConstituencyIndex,
  crossBorder,
  proposeParties,
  type ProposalInput,
} from '../../src/enrich/constituency/index.js';
import type { Incident } from '../../src/investigate/build.js';
import { FACTS, fixture } from './constituency-fixture.js';

const { organisations, parties } = fixture();
const index = new ConstituencyIndex(organisations, parties, FACTS);

/** An intrusion at ACME: a workstation and a server, C2 at a Dutch host, exfiltration to Russia. */
const INCIDENT: ProposalInput = {
  homeCountry: 'DE',
  hosts: [
    { name: 'WS-014', ip: '10.20.1.5' },
    { name: 'srv-files.acme.example', ip: '10.20.9.9' },
  ],
  infrastructure: [
    {
      ip: '203.0.113.80',
      country: 'NL',
      asn: 64500,
      as_name: 'EXAMPLE-HOSTING',
      roles: ['command-and-control'],
    },
    { ip: '192.0.2.200', country: 'RU', asn: 64499, as_name: 'EXAMPLE-RU', roles: ['exfiltration'] },
    // The same C2 again, from another detection: no second proposal.
    { ip: '203.0.113.80', country: 'NL', asn: 64500, roles: ['command-and-control'] },
  ],
  observables: [
    { type: 'domain', value: 'update-check.pages.example' },
    { type: 'url', value: 'hxxps://login-acme[.]example/owa' },
    { type: 'app', value: 'com.example.fakebank', platform: 'android' },
    { type: 'app', value: 'com.example.other' },
    { type: 'ip', value: '203.0.113.81' },
  ],
};

describe('a realistic incident', () => {
  const proposal = proposeParties(index, INCIDENT);
  const brief = proposal.parties.map((p) => [p.action, p.kind, p.id]);

  test('every party once, ordered by action then first reason', () => {
    assert.deepEqual(brief, [
      ['clean-up', 'constituent', 'acme'],
      ['take-down', 'hosting', 'example-hosting'],
      ['take-down', 'cloud', 'example-cloud'],
      ['suspend', 'registrar', 'example-registrar'],
      ['remove', 'app-store', 'example-store'],
      ['inform', 'cert', 'cert-nl'],
      ['inform', 'cert', 'cert-ru'],
    ]);
  });

  test('the victim organisation by its internal network and by a host name under its domain', () => {
    const acme = proposal.parties[0]!;
    assert.deepEqual(acme.reasons, [
      "host WS-014: 10.20.1.5 is in ACME Water's 10.20.0.0/16",
      "host srv-files.acme.example: 10.20.9.9 is in ACME Water's 10.20.0.0/16",
      "host srv-files.acme.example: srv-files.acme.example is under ACME Water's domain acme.example",
    ]);
    assert.deepEqual(acme.subjects, ['10.20.1.5', '10.20.9.9', 'srv-files.acme.example']);
    assert.deepEqual(
      acme.contacts.map((c) => c.email),
      ['soc@acme.example', 'ciso@acme.example'],
    );
  });

  test('the hosting provider of the C2 address by network and ASN, with its preferred format', () => {
    const host = proposal.parties[1]!;
    assert.deepEqual(host.reasons, [
      "command-and-control server 203.0.113.80 is in Example Hosting's 203.0.113.0/24",
      "command-and-control server 203.0.113.80 is announced by AS64500 (EXAMPLE-HOSTING), which is Example Hosting's",
      "malicious address 203.0.113.81 is in Example Hosting's 203.0.113.0/24",
      "malicious address 203.0.113.81 is announced by AS64500 (EXAMPLE-HOSTING), which is Example Hosting's",
    ]);
    assert.deepEqual(host.subjects, ['203.0.113.80', '203.0.113.81']);
    assert.equal(host.preferredFormat, 'x-arf');
  });

  test('the registrar of the malicious domains, the host of a hosted subdomain', () => {
    assert.deepEqual(proposal.parties[2]!.reasons, [
      "malicious domain update-check.pages.example is under Example Cloud's domain pages.example",
    ]);
    assert.deepEqual(proposal.parties[3]!.reasons, [
      "malicious domain update-check.pages.example is under Example Registrar's domain example",
      "malicious URL host login-acme.example is under Example Registrar's domain example",
    ]);
  });

  test('the app store of the app, and the CERT of each foreign country', () => {
    assert.deepEqual(proposal.parties[4]!.reasons, [
      'malicious app com.example.fakebank is offered on android → Example App Store',
    ]);
    assert.deepEqual(proposal.parties[6]!.reasons, [
      'exfiltration destination 192.0.2.200 is in country RU → CERT-RU (test)',
    ]);
    assert.deepEqual(proposal.parties[6]!.countries, ['RU']);
  });

  test('what has no party on file is listed', () => {
    assert.deepEqual(proposal.unresolved, [
      'no hosting provider on file for exfiltration destination 192.0.2.200 (AS64499)',
      'app com.example.other: no platform given',
    ]);
  });

  test('cross-border: the countries of parties and infrastructure outside home', () => {
    assert.deepEqual(proposal.crossBorder, { crossBorder: true, foreign: ['NL', 'RU', 'US'] });
  });

  test('the same input gives the same proposal', () => {
    assert.deepEqual(proposeParties(index, INCIDENT), proposal);
  });
});

describe('special cases', () => {
  test('attacker infrastructure inside a constituent is its compromised system: it cleans up', () => {
    const p = proposeParties(index, {
      homeCountry: 'NL',
      infrastructure: [{ ip: '198.51.100.200', country: 'NL', asn: 64501, roles: ['command-and-control'] }],
    });
    assert.deepEqual(
      p.parties.map((x) => [x.action, x.id, x.reasons]),
      [
        [
          'clean-up',
          'acme-lab',
          [
            "command-and-control server 198.51.100.200 is in ACME Lab's 198.51.100.128/25 (a compromised system of ours)",
          ],
        ],
      ],
    );
    assert.deepEqual(p.crossBorder, { crossBorder: false, foreign: [] });
  });

  test('home-country infrastructure: no CERT to inform (we are that CERT)', () => {
    const p = proposeParties(index, {
      homeCountry: 'NL',
      infrastructure: [{ ip: '203.0.113.9', country: 'NL', asn: 64500, roles: ['exploitation'] }],
    });
    assert.deepEqual(
      p.parties.map((x) => [x.action, x.id]),
      [['take-down', 'example-hosting']],
    );
  });

  test('a labelled case names its organisation; private addresses then say nothing more', () => {
    const p = proposeParties(index, {
      homeCountry: 'NL',
      organisation: 'city',
      // 10.20.0.0/16 is also ACME's: private ranges repeat across organisations.
      hosts: [{ name: 'PC-1', ip: '10.20.1.1' }],
      observables: [{ type: 'domain', value: 'portal.city.example', role: 'victim' }],
    });
    assert.deepEqual(
      p.parties.map((x) => [x.action, x.id, x.reasons]),
      [
        [
          'clean-up',
          'city',
          [
            'the case concerns City of Example',
            "domain portal.city.example: portal.city.example is under City of Example's domain city.example",
          ],
        ],
      ],
    );
  });

  test('an unknown organisation, an invalid observable and an unknown platform are listed', () => {
    const p = proposeParties(index, {
      homeCountry: 'NL',
      organisation: 'nobody',
      observables: [
        { type: 'url', value: 'http://exa mple/' },
        { type: 'app', value: 'id123', platform: 'ios' },
      ],
    });
    assert.deepEqual(p.parties, []);
    assert.deepEqual(p.unresolved, [
      'organisation "nobody" is not in the constituency',
      'url http://exa mple/: not a valid URL',
      'no app store on file for ios (app id123)',
    ]);
  });

  test('a malicious domain under a constituent domain: the constituent cleans up, no registrar', () => {
    const p = proposeParties(index, {
      homeCountry: 'NL',
      observables: [{ type: 'url', value: 'https://www.acme.example/wp-content/shell.php' }],
    });
    assert.deepEqual(
      p.parties.map((x) => [x.action, x.id]),
      [['clean-up', 'acme']],
    );
  });
});

describe('cross-border', () => {
  const cases: [string, (string | null | undefined)[], boolean, string[]][] = [
    ['DE', ['DE', 'de', null, undefined, ''], false, []],
    ['DE', ['NL', 'DE', 'ru', 'NL'], true, ['NL', 'RU']],
    ['de', ['DE'], false, []],
    ['DE', [], false, []],
  ];
  for (const [home, countries, expected, foreign] of cases)
    test(`${home} vs ${JSON.stringify(countries)}`, () =>
      assert.deepEqual(crossBorder(home, countries), { crossBorder: expected, foreign }));
});

test("an incident's hosts and infrastructure are proposal input as they are (investigate/build.ts)", () => {
  const incident: Pick<Incident, 'hosts' | 'infrastructure'> = {
    hosts: [{ name: 'ws-014.acme.example', first_seen: '', how_reached: 'entry', detections: 1 }],
    infrastructure: [
      {
        ip: '203.0.113.80',
        country: 'NL',
        asn: 64500,
        as_name: 'EXAMPLE-HOSTING',
        roles: ['command-and-control'],
        first_seen: '',
        last_seen: '',
        bytes_out: 0,
      },
    ],
  };
  const p = proposeParties(index, { homeCountry: 'DE', ...incident });
  assert.deepEqual(
    p.parties.map((x) => [x.action, x.id]),
    [
      ['clean-up', 'acme'],
      ['take-down', 'example-hosting'],
      ['inform', 'cert-nl'],
    ],
  );
});
