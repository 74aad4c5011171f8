// An invented constituency for tests: documentation address ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32), private-use ASNs (64496–64511) and example.* domains only.
import type { IpFacts } from '../../src/enrich/constituency/index.js';
import { importDocument, type Organisation, type Party } from '../../src/enrich/constituency/index.js';

export const FINGERPRINT = '0123456789ABCDEF0123456789ABCDEF01234567';

export const DOCUMENT = {
  format: 'vigil-constituency',
  version: 1,
  organisations: [
    {
      id: 'acme',
      name: 'ACME Water',
      sectors: ['water', 'critical infrastructure'],
      networks: ['198.51.100.0/24', '10.20.0.0/16', '2001:db8:ace::/48'],
      asns: ['AS64501'],
      domains: ['acme.example'],
      contacts: [
        { email: 'soc@acme.example', name: 'ACME SOC', language: 'de', pgpKey: FINGERPRINT },
        { email: 'ciso@acme.example' },
      ],
    },
    {
      // Inside ACME's /24: the longer prefix wins.
      id: 'acme-lab',
      name: 'ACME Lab',
      networks: ['198.51.100.128/25'],
      domains: ['lab.acme.example'],
      contacts: [{ email: 'lab@acme.example' }],
    },
    {
      id: 'city',
      name: 'City of Example',
      sectors: ['government'],
      country: 'nl',
      networks: ['192.0.2.0/25', '2001:db8::/32'],
      domains: ['city.example', 'Bücher.example.'],
      contacts: [{ email: 'cert@city.example', language: 'nl' }],
    },
  ],
  parties: [
    {
      id: 'example-hosting',
      name: 'Example Hosting',
      kind: 'hosting',
      countries: ['NL'],
      asns: [64500],
      networks: ['203.0.113.0/24'],
      preferredFormat: 'x-arf',
      contacts: [{ email: 'abuse@hosting.example', language: 'en' }],
    },
    {
      id: 'example-cloud',
      name: 'Example Cloud',
      kind: 'cloud',
      countries: ['US'],
      asns: [64496],
      domains: ['pages.example'],
      contacts: [{ email: 'abuse@cloud.example' }],
    },
    {
      id: 'example-registrar',
      name: 'Example Registrar',
      kind: 'registrar',
      countries: ['US'],
      domains: ['example'],
      contacts: [{ email: 'abuse@registrar.example' }],
    },
    {
      id: 'example-store',
      name: 'Example App Store',
      kind: 'app-store',
      platforms: ['android', 'example-play'],
      domains: ['play.example'],
      contacts: [{ email: 'appabuse@store.example' }],
    },
    {
      id: 'cert-ru',
      name: 'CERT-RU (test)',
      kind: 'cert',
      countries: ['RU'],
      contacts: [{ email: 'incident@cert-ru.example', language: 'ru' }],
    },
    {
      id: 'cert-nl',
      name: 'CERT-NL (test)',
      kind: 'cert',
      countries: ['NL'],
      contacts: [{ email: 'incident@cert-nl.example' }],
    },
    {
      id: 'google-test',
      name: 'Google (test entry)',
      kind: 'cloud',
      asns: [15169],
      contacts: [{ email: 'abuse@google.example' }],
    },
  ],
};

export function fixture(): { organisations: readonly Organisation[]; parties: readonly Party[] } {
  const imported = importDocument(DOCUMENT, 'fixture.json');
  if (imported.issues.length > 0) throw new Error(JSON.stringify(imported.issues));
  return imported;
}

/** Country and ASN for the documentation ranges, which the real database leaves empty. */
export const FACTS: IpFacts = {
  lookup(ip) {
    if (ip.startsWith('203.0.113.')) return { country: 'NL', asn: 64500, asName: 'EXAMPLE-HOSTING' };
    if (ip.startsWith('192.0.2.')) return { country: 'RU', asn: 64499, asName: 'EXAMPLE-RU' };
    if (ip.startsWith('198.51.100.')) return { country: 'NL', asn: 64501, asName: 'ACME-AS' };
    if (ip === '198.18.0.9') return { country: 'NL', asn: 64501, asName: 'ACME-AS' };
    if (ip.startsWith('2001:db8:')) return { country: 'NL', asn: 64496, asName: 'EXAMPLE-CLOUD' };
    return { country: null, asn: null, asName: null };
  },
};
