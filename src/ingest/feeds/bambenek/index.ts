/** Bambenek Consulting C2 master feeds: `domain-or-ip,description,time,manual` after `#` comments. */
import { lineFeed, type FeedParser } from '../parser.js';

export const bambenek: FeedParser = {
  name: 'bambenek',
  title: 'Bambenek C2 domain and IP master lists',
  provider: 'Bambenek Consulting',
  sniff: (head) => (/Bambenek Consulting/.test(head) ? 0.95 : 0),
  parse: lineFeed({
    row(line, b) {
      const c = line.split(',');
      if (c.length < 3) return 'not "indicator,description,time,manual"';
      const indicator = c[0]!.trim();
      if (!b.set(/^[\d.]+$|:/.test(indicator) ? 'source.ip' : 'source.fqdn', indicator)) return 'no indicator';
      b.set('event_description.text', c[1]);
      b.set('time.source', c[2]);
      b.set('event_description.url', c[3]);
      const family = /used by ([a-z0-9_.-]{1,64})/i.exec(c[1] ?? '')?.[1];
      b.set('malware.name', family?.toLowerCase());
      b.set('classification.type', 'c2-server');
    },
  }),
};
