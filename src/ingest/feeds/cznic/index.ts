/** CZ.NIC PROKI: a JSON object whose `data` list holds events already under IntelMQ's names. */
import { jsonListFeed, type FeedParser } from '../parser.js';
import { fieldType } from '../harmonisation.js';

export const cznicProki: FeedParser = {
  name: 'cznic-proki',
  title: 'CZ.NIC PROKI (IntelMQ-named JSON)',
  provider: 'CZ.NIC',
  sniff: (head) => (/^\s*\{\s*"status"\s*:/.test(head) && /"data"\s*:\s*\[/.test(head) && head.includes('"source.') ? 0.9 : 0),
  parse: jsonListFeed({
    key: 'data',
    row(item, b) {
      for (const [key, value] of Object.entries(item)) {
        // The report's own feed fields describe PROKI's source; ours describe the report.
        if (key === 'feed.name' || key === 'time.observation') continue;
        if (fieldType(key) !== undefined) b.set(key, value);
        else b.set(`extra.${key}`, value);
      }
    },
  }),
};
