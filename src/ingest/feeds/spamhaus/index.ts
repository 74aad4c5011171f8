/**
 * Spamhaus DROP / EDROP (networks), ASN-DROP (autonomous systems) and the CERT feed (bots seen by
 * Spamhaus, CSV). `time.source` of the list entries is the file's "Last-Modified" comment.
 */
import { normaliseTime } from '../event.js';
import { lineFeed, type FeedParser } from '../parser.js';

const lastModified = (line: string, state: Record<string, string>): void => {
  const m = /^;\s*Last-Modified:\s*(.{1,64})$/i.exec(line);
  if (m) state.lastModified = normaliseTime(m[1]!.trim()) ?? '';
};

export const spamhausDrop: FeedParser = {
  name: 'spamhaus-drop',
  title: 'Spamhaus DROP / EDROP (networks)',
  provider: 'Spamhaus',
  sniff: (head, name) =>
    /^;\s*Spamhaus (E)?DROP/m.test(head) && /^\d[\d.:a-f]*\/\d+\s*;/im.test(head) ? 0.95 : /e?drop\.txt$/i.test(name) ? 0.5 : 0,
  parse: lineFeed({
    comment: /^\s*;/,
    header: lastModified,
    row(line, b, state) {
      const m = /^\s*([0-9a-f.:]+\/\d{1,3})\s*;\s*(\S{1,64})?\s*$/i.exec(line);
      if (!m) return 'not "network ; SBL id"';
      b.set('source.network', m[1]);
      b.set('extra.blocklist', m[2]);
      b.set('classification.type', 'spam');
      b.set('time.source', state.lastModified);
    },
  }),
};

export const spamhausAsnDrop: FeedParser = {
  name: 'spamhaus-asndrop',
  title: 'Spamhaus ASN-DROP',
  provider: 'Spamhaus',
  sniff: (head, name) => (/^AS\d+\s*;/m.test(head) && /Spamhaus/.test(head) ? 0.95 : /asndrop/i.test(name) ? 0.5 : 0),
  parse: lineFeed({
    comment: /^\s*;/,
    header: lastModified,
    row(line, b, state) {
      const m = /^\s*AS(\d{1,10})\s*;\s*([A-Z]{2})?\s*\|\s*(.{0,512}?)\s*$/i.exec(line);
      if (!m) return 'not "ASn ; CC | name"';
      b.set('source.asn', m[1]);
      b.set('source.geolocation.cc', m[2]);
      b.set('source.as_name', m[3]);
      b.set('classification.type', 'spam');
      b.set('time.source', state.lastModified);
    },
  }),
};

/** Spamhaus CERT botnames → classification; bots by default. */
const CERT_TYPES: Readonly<Record<string, string>> = {
  openrelay: 'vulnerable-system',
  iotrdp: 'brute-force',
  sshauth: 'brute-force',
  telnetauth: 'brute-force',
  iotscan: 'scanner',
  wpscanner: 'scanner',
  w_wplogin: 'brute-force',
  l_spamlink: 'spam',
  spamlink: 'spam',
  openproxy: 'vulnerable-system',
  'smtpauth': 'brute-force',
  'iotmicrosoftds': 'scanner',
};

export const spamhausCert: FeedParser = {
  name: 'spamhaus-cert',
  title: 'Spamhaus CERT feed',
  provider: 'Spamhaus',
  sniff: (head) => (/^;\s*ip, asn, country, lastseen, botname/m.test(head) ? 0.95 : 0),
  parse: lineFeed({
    comment: /^\s*;/,
    row(line, b) {
      const c = line.split(',');
      if (c.length < 10) return `${c.length} columns where 10 are expected`;
      const clean = (v: string | undefined): string | undefined => (v === undefined || v === '?' || v === '-' ? undefined : v.trim());
      const bot = clean(c[4])?.toLowerCase();
      b.set('source.ip', clean(c[0]));
      b.set('source.asn', clean(c[1]));
      b.set('source.geolocation.cc', clean(c[2]));
      b.set('time.source', clean(c[3]) ? Number(c[3]) : undefined);
      b.set('malware.name', bot);
      const domain = clean(c[5]);
      if (domain !== undefined) b.set(/^[\d.]+$/.test(domain) || domain.includes(':') ? 'destination.ip' : 'destination.fqdn', domain);
      b.setDefault('destination.ip', clean(c[6]));
      b.set('destination.port', clean(c[7]));
      b.set('extra.source.local_port', clean(c[8]) === undefined ? undefined : Number(clean(c[8])) || clean(c[8]));
      b.set('protocol.transport', clean(c[9]));
      b.set('classification.type', (bot !== undefined && Object.hasOwn(CERT_TYPES, bot) ? CERT_TYPES[bot] : undefined) ?? 'infected-system');
    },
  }),
};
