/** DataPlane.org reports: `ASN | AS name | address | last seen | category`, pipes inside names tolerated. */
import { lineFeed, type FeedParser } from '../parser.js';

const TYPES: Readonly<Record<string, readonly [string, string?]>> = {
  sshpwauth: ['brute-force', 'ssh'],
  sshclient: ['scanner', 'ssh'],
  telnetlogin: ['brute-force', 'telnet'],
  vncrfb: ['scanner', 'vnc'],
  sipquery: ['scanner', 'sip'],
  sipinvitation: ['scanner', 'sip'],
  sipregistration: ['scanner', 'sip'],
  dnsrd: ['scanner', 'dns'],
  dnsrdany: ['scanner', 'dns'],
  dnsversion: ['scanner', 'dns'],
  proto41: ['scanner'],
  smtpdata: ['spam', 'smtp'],
  smtpgreet: ['scanner', 'smtp'],
};

export const dataplane: FeedParser = {
  name: 'dataplane',
  title: 'DataPlane.org reports',
  provider: 'DataPlane.org',
  sniff: (head) => (/^# DataPlane\.org/m.test(head) ? 0.95 : 0),
  parse: lineFeed({
    row(line, b) {
      const c = line.split('|').map((x) => x.trim());
      if (c.length < 5) return 'not "ASN | AS name | address | last seen | category"';
      const category = c.at(-1)!;
      const ip = c.at(-3)!;
      const asn = c[0]!;
      b.set('source.asn', asn === 'NA' ? undefined : asn);
      const name = c.slice(1, -3).join(' | ');
      b.set('source.as_name', name === 'NA' ? undefined : name);
      if (!b.set('source.ip', ip)) return 'no address';
      b.set('time.source', c.at(-2));
      const [type, application] = Object.hasOwn(TYPES, category) ? TYPES[category]! : ['other'];
      b.set('classification.type', type);
      b.set('protocol.application', application);
      b.set('event_description.text', category);
    },
  }),
};
