// Constituency import and export: JSON and CSV round trips, RFC 4180 quoting, and bad records
// reported with file, line (or JSON pointer) and field while the good ones load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  exportCsv,
  exportDocument,
  importCsv,
  importDocument,
  importJson,
  parseCsv,
  writeCsv,
} from '../../src/enrich/constituency/index.js';
import { FINGERPRINT, fixture } from './constituency-fixture.js';

const ARMOURED = [
  '-----BEGIN PGP PUBLIC KEY BLOCK-----',
  '',
  'mDMEZk1234BYJKwYBBAHaRw8BAQdA0123456789abcdefABCDEF+/=',
  '=AbCd',
  '-----END PGP PUBLIC KEY BLOCK-----',
].join('\n');

const brief = (issues: readonly { code: string; line?: number; path?: string; severity: string }[]) =>
  issues.map((i) => [i.code, i.line ?? null, i.path ?? null, i.severity]);

describe('RFC 4180 CSV', () => {
  test('quotes, doubled quotes, separators and line breaks inside cells; CRLF and LF', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\n1,,3\n\n"",last,"\n"\r\n';
    const { rows, problems } = parseCsv(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rows.map((r) => [r.line, r.cells]),
      [
        [1, ['a', 'b', 'c']],
        [2, ['x, y', 'say "hi"', 'two\r\nlines']],
        [4, ['1', '', '3']],
        [6, ['', 'last', '\n']],
      ],
    );
  });

  test('writing and reading again gives the same cells', () => {
    const rows = [
      ['plain', 'with,comma', 'with "quote"', 'line\nbreak', ' padded ', ''],
      ['ünïcödé', '=1+1', '', '', '', 'x'],
    ];
    assert.deepEqual(
      parseCsv(writeCsv(rows)).rows.map((r) => r.cells),
      rows,
    );
  });

  test('a broken record is reported at its line and reading resumes at the next line', () => {
    const text = 'a,b\n1,2\n3,x"y\n4,"5"z\n6,"unclosed\n7,8\n';
    const { rows, problems } = parseCsv(text);
    assert.deepEqual(
      rows.map((r) => [r.line, r.cells]),
      [
        [1, ['a', 'b']],
        [2, ['1', '2']],
        [6, ['7', '8']],
      ],
    );
    assert.deepEqual(
      problems.map((p) => p.line),
      [3, 4, 5],
    );
  });

  test('a byte order mark is not part of the first column', () => {
    assert.deepEqual(parseCsv('\uFEFFid,name\n').rows[0]?.cells, ['id', 'name']);
  });
});

describe('JSON document round trip', () => {
  test('export → import gives the same records, normalised', () => {
    const { organisations, parties } = fixture();
    const document = JSON.parse(JSON.stringify(exportDocument(organisations, parties))) as unknown;
    const again = importDocument(document, 'export.json');
    assert.deepEqual(again.issues, []);
    assert.deepEqual(again.organisations, organisations);
    assert.deepEqual(again.parties, parties);
  });

  test('values are normalised on import', () => {
    const [acme, , city] = fixture().organisations;
    assert.deepEqual(acme?.asns, [64501]);
    assert.equal(acme?.networks[2], '2001:db8:ace::/48');
    assert.deepEqual(city?.domains, ['city.example', 'xn--bcher-kva.example']);
    assert.equal(city?.country, 'NL');
    assert.equal(acme?.contacts[0]?.pgpKey, FINGERPRINT);
  });

  test('bad records are refused with a JSON pointer to the field; the rest loads', () => {
    const result = importDocument(
      {
        format: 'vigil-constituency',
        organisations: [
          { id: 'ok', name: 'Fine', networks: ['192.0.2.0/24'] },
          { id: 'bad-net', name: 'Bad', networks: ['192.0.2.0/24', '192.0.2.0/33'] },
          { id: 'host-bits', name: 'Warned', networks: ['198.51.100.7/24'] },
          { id: 'bad contact', name: 'x', contacts: [{ email: 'a@b.example\r\nBcc: all@example.org' }] },
          { id: 'ok', name: 'Twice' },
          { id: 'typo', name: 'Typo', network: ['192.0.2.0/24'] },
          { id: 'formula', name: '=HYPERLINK("http://evil.example")' },
          { id: 'formula-mail', name: 'F', contacts: [{ email: '=1+2@evil.example' }] },
        ],
        parties: [
          { id: 'p', name: 'No contact', kind: 'hosting', asns: [64500] },
          { id: 'c', name: 'Constituent?', kind: 'constituent', contacts: [{ email: 'x@y.example' }] },
          {
            id: 'cert-x',
            name: 'CERT',
            kind: 'cert',
            contacts: [{ email: 'x@y.example', language: 'english!' }],
          },
        ],
      },
      'in.json',
    );
    assert.deepEqual(
      result.organisations.map((o) => [o.id, o.name, o.networks]),
      [
        ['ok', 'Fine', ['192.0.2.0/24']],
        ['host-bits', 'Warned', ['198.51.100.0/24']],
      ],
    );
    assert.deepEqual(result.parties, []);
    assert.equal(result.rejected, 9);
    assert.deepEqual(brief(result.issues), [
      ['constituency.network.invalid', null, '/organisations/1/networks/1', 'error'],
      ['constituency.network.host-bits', null, '/organisations/2/networks/0', 'warning'],
      ['constituency.id.invalid', null, '/organisations/3/id', 'error'],
      ['constituency.contact.email-invalid', null, '/organisations/3/contacts/0/email', 'error'],
      ['constituency.id.duplicate', null, '/organisations/4', 'error'],
      ['constituency.field.unknown', null, '/organisations/5/network', 'error'],
      ['constituency.text.formula', null, '/organisations/6/name', 'error'],
      ['constituency.contact.email-invalid', null, '/organisations/7/contacts/0/email', 'error'],
      ['constituency.party.no-contact', null, '/parties/0/contacts', 'error'],
      ['constituency.kind.invalid', null, '/parties/1/kind', 'error'],
      ['constituency.contact.language-invalid', null, '/parties/2/contacts/0/language', 'error'],
      ['constituency.party.no-country', null, '/parties/2/countries', 'error'],
    ]);
    assert.match(result.issues[0]!.message, /organisation "bad-net": "192.0.2.0\/33" is not an IP network/);
  });

  test('a syntax error, a wrong format or version is one issue for the file', () => {
    assert.deepEqual(brief(importJson('{"organisations": [', 'x.json').issues), [
      ['constituency.json.syntax', null, null, 'error'],
    ]);
    assert.deepEqual(brief(importDocument({ format: 'misp' }, 'x.json').issues), [
      ['constituency.json.format', null, '/format', 'error'],
    ]);
    assert.deepEqual(brief(importDocument([], 'x.json').issues), [
      ['constituency.json.shape', null, '', 'error'],
    ]);
  });
});

describe('CSV round trip', () => {
  test('organisations: export → import gives the same records (several contacts are several rows)', () => {
    const { organisations } = fixture();
    const csv = exportCsv('organisations', organisations);
    assert.equal(
      csv.split('\r\n')[0],
      'id,name,sectors,country,networks,asns,domains,contact_email,contact_name,contact_language,contact_pgp_key',
    );
    assert.equal(csv.split('\r\n')[2], 'acme,,,,,,,ciso@acme.example,,,');
    const again = importCsv('organisations', csv, 'orgs.csv');
    assert.deepEqual(again.issues, []);
    assert.deepEqual(again.organisations, organisations);
  });

  test('parties: export → import, with an armoured PGP key (line breaks inside a quoted cell)', () => {
    const base = fixture().parties;
    const parties = base.map((p, i) =>
      i === 0 ? { ...p, contacts: [{ ...p.contacts[0]!, name: 'Abuse, "24/7"', pgpKey: ARMOURED }] } : p,
    );
    const csv = exportCsv('parties', parties);
    const again = importCsv('parties', csv, 'parties.csv');
    assert.deepEqual(again.issues, []);
    assert.deepEqual(again.parties, parties);
  });

  test('a broken row is reported with its line and field; every other row loads', () => {
    const csv = [
      'id,name,kind,asns,networks,contact_email,preferred_format',
      'good-1,Good One,hosting,64500,203.0.113.0/24,abuse@one.example,x-arf',
      'bad-net,Bad Net,hosting,64501,203.0.113.0/99,abuse@two.example,',
      'bad-quote,Bad "Quote",hosting,64502,,abuse@three.example,',
      'short,Too Few,hosting',
      'good-2,Good Two,cloud,AS64503;64504,,abuse@four.example,email',
      'good-2,,,,,second@four.example,',
      'good-2,Other Name,,,,third@four.example,',
      'bad-asn,Bad ASN,registrar,AS-ONE,,abuse@five.example,',
      'bad-mail,Bad Mail,registrar,,,not-an-address,',
      'good-3,"Good, Three",cert,,,cert@six.example,',
    ].join('\n');
    const result = importCsv('parties', csv, 'parties.csv');
    assert.deepEqual(
      result.parties.map((p) => [p.id, p.name, p.asns, p.contacts.map((c) => c.email)]),
      [['good-1', 'Good One', [64500], ['abuse@one.example']]],
    );
    assert.deepEqual(brief(result.issues), [
      ['constituency.csv.syntax', 4, null, 'error'],
      ['constituency.csv.cells', 5, null, 'error'],
      ['constituency.network.invalid', 3, 'networks', 'error'],
      ['constituency.csv.conflict', 8, 'name', 'error'],
      ['constituency.asn.invalid', 9, 'asns', 'error'],
      ['constituency.contact.email-invalid', 10, 'contact_email', 'error'],
      ['constituency.party.no-country', 11, 'countries', 'error'],
    ]);
    assert.equal(result.rejected, 7);
  });

  test('continuation rows add contacts; the line of a bad contact is its own', () => {
    const csv = [
      'id,name,networks,contact_email,contact_language',
      'acme,ACME,198.51.100.0/24,soc@acme.example,en',
      'acme,,,ciso@acme.example,de',
      'other,Other,192.0.2.0/24,,',
      'other,,,x@other.example,not a language',
    ].join('\r\n');
    const result = importCsv('organisations', csv, 'orgs.csv');
    assert.deepEqual(
      result.organisations.map((o) => [o.id, o.contacts]),
      [
        [
          'acme',
          [
            { email: 'soc@acme.example', language: 'en' },
            { email: 'ciso@acme.example', language: 'de' },
          ],
        ],
      ],
    );
    assert.deepEqual(brief(result.issues), [
      ['constituency.contact.language-invalid', 5, 'contact_language', 'error'],
    ]);
  });

  test('a missing required column stops the file; an unknown one is a warning', () => {
    assert.deepEqual(brief(importCsv('parties', 'id,name\nx,y\n', 'p.csv').issues), [
      ['constituency.csv.column-missing', 1, null, 'error'],
    ]);
    const r = importCsv('organisations', 'id,name,colour\nx,X,blue\n', 'o.csv');
    assert.deepEqual(brief(r.issues), [['constituency.csv.column-unknown', 1, null, 'warning']]);
    assert.equal(r.organisations.length, 1);
  });
});
