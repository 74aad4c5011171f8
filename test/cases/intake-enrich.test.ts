// Intake enrichment per IPv4 block: addresses whose country and ASN the feed gave are looked up once
// per block of the listed networks, and concern exactly what a lookup of each address says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntakeEnricher, type Concern } from '../../src/cases/intake/index.js';
import { ConstituencyIndex } from '../../src/enrich/constituency/index.js';
import { ipv4Number, parseIpv4 } from '../../src/core/ip.js';
import { FACTS, fixture } from '../enrich/constituency-fixture.js';

function index(): ConstituencyIndex {
  const { organisations, parties } = fixture();
  return new ConstituencyIndex(organisations, parties, FACTS);
}

const fieldsOf = (ip: string, country: string, asn: number, asName?: string): Record<string, string | number> => ({
  'source.ip': ip,
  'source.geolocation.cc': country,
  'source.asn': asn,
  ...(asName !== undefined ? { 'source.as_name': asName } : {}),
});

test('addresses of one block with the feed\'s facts are looked up once; each concerns what its own lookup says', () => {
  const constituency = index();
  let lookups = 0;
  const lookupAddress = constituency.lookupAddress.bind(constituency);
  constituency.lookupAddress = (...a) => {
    lookups++;
    return lookupAddress(...a);
  };
  const shared = new IntakeEnricher(constituency, FACTS, 'NL');
  const events: [string, string, number, string?][] = [];
  // ACME's /24 holds ACME Lab's /25: the longest IPv4 network listed is a /25, so two blocks.
  for (let i = 0; i < 256; i++) events.push([`198.51.100.${i}`, 'NL', 64501]);
  const perBlock = lookups;
  for (const [ip, cc, asn] of events) shared.enrich(fieldsOf(ip, cc, asn));
  assert.equal(lookups - perBlock, 2, 'one lookup per /25 block');
  // Other facts in a block seen already, other blocks, owners of other countries, nobody's address.
  events.push(['198.51.100.7', 'DE', 64501, 'Other AS'], ['192.0.2.5', 'NL', 64500], ['192.0.2.200', 'RU', 64499], ['203.0.113.9', 'US', 64496], ['8.8.8.8', 'US', 15169]);
  for (const [ip, cc, asn, name] of events) {
    const alone = new IntakeEnricher(index(), FACTS, 'NL');
    const a = fieldsOf(ip, cc, asn, name);
    const b = fieldsOf(ip, cc, asn, name);
    const got: Concern = shared.enrich(a);
    assert.deepEqual(got, alone.enrich(b), ip);
    assert.deepEqual(a, b, `${ip}: the fields filled in alike`);
  }
  assert.equal(shared.enrich(fieldsOf('198.51.100.200', 'NL', 64501)).organisationId, 'acme-lab');
  assert.equal(shared.enrich(fieldsOf('198.51.100.20', 'NL', 64501)).organisationId, 'acme');
});

test('ipv4Number reads what parseIpv4 reads, and nothing else', () => {
  for (const text of ['0.0.0.0', '255.255.255.255', '198.51.100.7', '010.1.1.1', '1.2.3.4', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.1000', '::1', '1.2.3.x', '', '1.2.3.-4']) {
    const big = parseIpv4(text);
    assert.equal(ipv4Number(text), big === undefined ? -1 : Number(big), JSON.stringify(text));
  }
});
