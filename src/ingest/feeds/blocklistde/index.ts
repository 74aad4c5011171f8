/** blocklist.de lists: one address per line; the list (from the file name) says what the address did. */
import { lineFeed, type FeedParser } from '../parser.js';

/** list → [type, description, application]. */
const LISTS: Readonly<Record<string, readonly [string, string, string?]>> = {
  apache: ['brute-force', 'IP reported as having run attacks on the service Apache, Apache-DDOS, RFI-Attacks', 'http'],
  bots: ['spam', 'IP reported as having run attacks on the RFI-Attacks, REG-Bots, IRC-Bots or BadBots (BadBots = he has posted a Spam-Comment on a open Forum or Wiki)'],
  bruteforcelogin: ['brute-force', 'IP reported as having run attacks on Joomlas, Wordpress and other Web-Logins with Brute-Force Logins'],
  ftp: ['brute-force', 'IP reported as having run attacks on the service FTP', 'ftp'],
  imap: ['ids-alert', 'IP reported as having run attacks on the service IMAP, SASL, POP3', 'imap'],
  ircbot: ['infected-system', 'IP reported as IRC bot'],
  mail: ['spam', 'IP reported as having run attacks on the service Mail, Postfix', 'smtp'],
  sip: ['ids-alert', 'IP reported as having run attacks on the service SIP, VOIP, Asterisk', 'sip'],
  ssh: ['brute-force', 'IP reported as having run attacks on the service SSH', 'ssh'],
  strongips: ['brute-force', 'IP reported as having run attacks in the last 2 months with more than 5000 attacks'],
};

const listOf = (fileName: string): string | undefined => {
  const m = /(?:^|[_/\\-])([a-z]{2,20})\.txt$/i.exec(fileName)?.[1]?.toLowerCase();
  return m !== undefined && Object.hasOwn(LISTS, m) ? m : undefined;
};

export const blocklistDe: FeedParser = {
  name: 'blocklist.de',
  title: 'blocklist.de (per-service address lists)',
  provider: 'blocklist.de',
  sniff: (head, name) => (/blocklist/i.test(name) && listOf(name) !== undefined && /^[\d.:a-f]+\s*$/im.test(head) ? 0.9 : 0),
  async *parse(lines, report) {
    const list = listOf(report.fileName) ?? listOf(report.feedUrl ?? '');
    const [type, text, application] = list !== undefined ? LISTS[list]! : (['blacklist', 'IP reported by blocklist.de'] as const);
    yield* lineFeed({
      row(line, b) {
        if (!b.set('source.ip', line.trim())) return 'not an IP address';
        b.set('classification.type', type);
        b.set('event_description.text', text);
        b.set('protocol.application', application);
      },
    })(lines, report);
  },
};
