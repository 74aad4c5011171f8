/** OpenPhish: one phishing URL per line. */
import { lineFeed, type FeedParser } from '../parser.js';

export const openPhish: FeedParser = {
  name: 'openphish',
  title: 'OpenPhish (community feed)',
  provider: 'OpenPhish',
  sniff: (head, name) => (/openphish/i.test(name) && /^https?:\/\//m.test(head) ? 0.9 : 0),
  parse: lineFeed({
    row(line, b) {
      if (!b.set('source.url', line.trim())) return 'not a URL';
      b.set('classification.type', 'phishing');
    },
  }),
};
