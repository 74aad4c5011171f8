/** DShield recommended block list: tab-separated networks with attack counts, updated time in a comment. */
import { isoUtc } from '../event.js';
import { lineFeed, type FeedParser } from '../parser.js';

export const dshieldBlock: FeedParser = {
  name: 'dshield-block',
  title: 'DShield Recommended Block List',
  provider: 'DShield',
  sniff: (head) => (/DShield\.org Recommended Block List/.test(head) ? 0.95 : 0),
  parse: lineFeed({
    comment: /^\s*#|^Start\tEnd/,
    header(line, state) {
      const m = /^#\s*updated:\s*\w{3} (\w{3}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\d{4}) UTC/.exec(line);
      const ms = m ? Date.parse(`${m[1]} ${m[2]} ${m[4]} ${m[3]} UTC`) : Number.NaN;
      if (!Number.isNaN(ms)) state.updated = isoUtc(ms);
    },
    row(line, b, state) {
      const c = line.split('\t');
      if (c.length < 3) return 'not "start <tab> end <tab> bits …"';
      b.set('source.network', `${c[0]!.trim()}/${c[2]!.trim()}`);
      b.set('extra.attacks', c[3] !== undefined && /^\d+$/.test(c[3]) ? Number(c[3]) : c[3]);
      b.set('extra.network_name', c[4]?.trim());
      b.set('source.geolocation.cc', c[5]?.trim());
      b.set('source.abuse_contact', c[6]?.trim());
      b.set('classification.type', 'blacklist');
      b.set('time.source', state.updated);
    },
  }),
};
