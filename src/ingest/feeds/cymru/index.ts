/**
 * Team Cymru CAP feeds: `category|address|asn|timestamp|notes|asn name`, in the older "infected"
 * and the newer "certname" form; the notes (`family: X; dest_addr: …`) become fields.
 */
import { lineFeed, type FeedParser } from '../parser.js';

const TYPES: Readonly<Record<string, readonly [string, string?]>> = {
  bot: ['infected-system'],
  bots: ['infected-system'],
  conficker: ['infected-system', 'conficker'],
  bruteforce: ['brute-force'],
  controller: ['c2-server'],
  darknet: ['scanner'],
  scanner: ['scanner'],
  openresolvers: ['vulnerable-system', 'dns'],
  openresolver: ['vulnerable-system', 'dns'],
  phishing: ['phishing'],
  proxy: ['vulnerable-system'],
  spam: ['spam'],
  malwareurl: ['malware-distribution'],
  malwaredomain: ['malware-distribution'],
};

export const cymru: FeedParser = {
  name: 'cymru-cap',
  title: 'Team Cymru CAP (infected / certname)',
  provider: 'Team Cymru',
  sniff: (head) => (/^#\s*(Format: report\|ip\|asn|category\|address\|asn)/m.test(head) ? 0.95 : 0),
  parse: lineFeed({
    row(line, b) {
      const c = line.split('|');
      if (c.length < 6) return `${c.length} fields where 6 are expected`;
      const [category = '', ip, asn, time, notes = '', asName] = c;
      const [type, special] = Object.hasOwn(TYPES, category) ? TYPES[category]! : ['undetermined'];
      b.set('classification.type', type);
      b.set('classification.identifier', category);
      b.set('source.ip', ip);
      if (asn !== '0') b.set('source.asn', asn);
      b.set('time.source', time);
      b.set('source.as_name', asName);
      if (special === 'dns') b.set('protocol.application', 'dns');
      else if (special !== undefined) b.set('malware.name', special);
      // Old form: "srcport 1337 mwtype Conficker destaddr 172.16.0.22"; new: "family: X;dest_port: 80;"
      if (notes.includes(':') && notes.includes(';')) {
        for (const part of notes.split(';').slice(0, 32)) {
          const m = /^\s*([a-z_]{1,40}):\s*(.{0,512}?)\s*$/.exec(part);
          if (!m) continue;
          const [, key, value] = m as unknown as [string, string, string];
          if (key === 'family') b.set('malware.name', value.toLowerCase());
          else if (key === 'dest_addr' || key === 'destaddr') b.set('destination.ip', value);
          else if (key === 'dest_port') b.set('destination.port', value);
          else if (key === 'port' || key === 'srcport') b.set('source.port', value);
          else if (key === 'hostname') {
            if (!b.set('source.fqdn', value)) b.set('extra.hostname', value);
          }
          else if (key === 'protocol') b.set('extra.protocol_number', value);
          else b.set(`extra.${key}`, value);
        }
      } else if (notes !== '') {
        const mw = /mwtype (\S{1,64})/.exec(notes)?.[1];
        if (mw !== undefined) b.set('malware.name', mw.toLowerCase());
        const dst = /destaddr (\S{1,64})/.exec(notes)?.[1];
        if (dst !== undefined) b.set('destination.ip', dst);
        const sp = /srcport (\d{1,5})/.exec(notes)?.[1];
        if (sp !== undefined) b.set('source.port', sp);
        if (category === 'phishing') b.set('source.url', notes);
        else if (mw === undefined) b.set('event_description.text', notes);
      }
    },
  }),
};
