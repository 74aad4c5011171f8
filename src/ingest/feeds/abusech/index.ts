/**
 * abuse.ch: Feodo Tracker (botnet C2 IP blocklist, JSON, the older CSV and the HTML table), URLhaus (malware URLs,
 * CSV) and ThreatFox (IOCs, CSV export), by their documented columns.
 */
import { isIP } from 'node:net';
import { htmlTableRows } from '../html-table.js';
import { csvRows, jsonListFeed, lineIssue, prop, type FeedParser, type FeedRecord } from '../parser.js';
import { FeedEventBuilder, type FeedReport } from '../event.js';
import type { FeedLine } from '../parser.js';

export const feodoJson: FeedParser = {
  name: 'feodotracker-json',
  title: 'abuse.ch Feodo Tracker IP blocklist (JSON)',
  provider: 'abuse.ch',
  sniff: (head) => (/^\s*\[\s*\{\s*"ip_address"\s*:/.test(head) && head.includes('"as_number"') ? 0.95 : 0),
  parse: jsonListFeed({
    row(item, b) {
      if (!b.set('source.ip', prop(item, 'ip_address'))) return 'no ip_address';
      b.set('source.port', prop(item, 'port'));
      b.set('status', prop(item, 'status'));
      b.set('source.reverse_dns', prop(item, 'hostname'));
      b.set('source.asn', prop(item, 'as_number'));
      b.set('source.as_name', prop(item, 'as_name'));
      b.set('source.geolocation.cc', prop(item, 'country'));
      const lastOnline = prop(item, 'last_online');
      b.set('extra.last_online', lastOnline);
      if (!b.set('time.source', prop(item, 'first_seen')) && typeof lastOnline === 'string')
        b.set('time.source', `${lastOnline} 00:00:00`);
      const malware = prop(item, 'malware');
      b.set('malware.name', typeof malware === 'string' ? malware.toLowerCase() : undefined);
      b.set('classification.type', 'c2-server');
    },
  }),
};

/** A CSV feed whose column header follows `#` comment lines (abuse.ch style: the header is quoted). */
async function* namedCsv(
  lines: AsyncIterable<FeedLine>,
  report: FeedReport,
  row: (get: (name: string) => string | undefined, b: FeedEventBuilder) => void,
): AsyncGenerator<FeedRecord> {
  let header: string[] | undefined;
  const quotedHeader = /^#?\s*"[a-z_]+"\s*,/;
  const comment = /^\s*#/;
  for await (const r of csvRows(withHeader(lines, quotedHeader, comment), report)) {
    if ('issue' in r) {
      yield r;
      continue;
    }
    if (!header) {
      header = r.cells.map((c) => c.replace(/^#\s*/, '').trim());
      continue;
    }
    const cells = r.cells;
    const index = new Map(header.map((h, i) => [h, i] as const));
    const b = new FeedEventBuilder(report, { file: report.fileName, line: r.line });
    row((name) => {
      const i = index.get(name);
      const v = i === undefined ? undefined : cells[i]?.trim();
      return v === '' || v === 'None' ? undefined : v;
    }, b);
    yield { event: b.finish(r.raw) };
  }
}

/** Drops comment lines except one that is the header. */
async function* withHeader(lines: AsyncIterable<FeedLine>, header: RegExp, comment: RegExp): AsyncGenerator<FeedLine> {
  for await (const line of lines) {
    if (header.test(line.text)) yield { ...line, text: line.text.replace(/^#\s*/, '') };
    else if (!comment.test(line.text)) yield line;
  }
}

export const feodoCsv: FeedParser = {
  name: 'feodotracker-csv',
  title: 'abuse.ch Feodo Tracker IP blocklist (CSV)',
  provider: 'abuse.ch',
  sniff: (head) => (/Feodo Tracker/.test(head) && /"first_seen_utc","dst_ip"/.test(head) ? 0.95 : 0),
  parse: (lines, report) =>
    namedCsv(lines, report, (get, b) => {
      b.set('time.source', get('first_seen_utc'));
      b.set('source.ip', get('dst_ip'));
      b.set('source.port', get('dst_port'));
      b.set('status', get('c2_status'));
      b.set('extra.last_online', get('last_online'));
      b.set('malware.name', get('malware')?.toLowerCase());
      b.set('classification.type', 'c2-server');
    }),
};

export const urlhaus: FeedParser = {
  name: 'urlhaus',
  title: 'abuse.ch URLhaus (CSV)',
  provider: 'abuse.ch',
  sniff: (head) => (/URLhaus/.test(head) && /"?id"?,"?dateadded"?,"?url"?/.test(head) ? 0.95 : 0),
  parse: (lines, report) =>
    namedCsv(lines, report, (get, b) => {
      b.set('extra.urlhaus_id', get('id'));
      b.set('time.source', get('dateadded'));
      const url = get('url');
      b.set('source.url', url);
      try {
        const host = url === undefined ? '' : new URL(url).hostname.replace(/^\[|\]$/g, '');
        if (host) b.set(isIP(host) ? 'source.ip' : 'source.fqdn', host);
      } catch {
        // the URL issue is on the event already
      }
      b.set('status', get('url_status'));
      b.set('extra.last_online', get('last_online'));
      b.set('extra.threat', get('threat'));
      b.set('extra.tags', get('tags'));
      b.set('event_description.url', get('urlhaus_link'));
      b.set('extra.reporter', get('reporter'));
      b.set('classification.type', 'malware-distribution');
    }),
};

const THREATFOX_TYPES: Readonly<Record<string, string>> = {
  botnet_cc: 'c2-server',
  payload_delivery: 'malware-distribution',
  payload: 'malware-distribution',
  cc_skimming: 'malware-distribution',
};

export const threatfox: FeedParser = {
  name: 'threatfox',
  title: 'abuse.ch ThreatFox IOCs (CSV export)',
  provider: 'abuse.ch',
  sniff: (head) => (/"?first_seen_utc"?,\s*"?ioc_id"?,\s*"?ioc_value"?/.test(head) ? 0.95 : 0),
  parse: (lines, report) =>
    namedCsv(lines, report, (get, b) => {
      b.set('time.source', get('first_seen_utc'));
      b.set('extra.threatfox_id', get('ioc_id'));
      const value = get('ioc_value') ?? '';
      switch (get('ioc_type')) {
        case 'ip:port': {
          const at = value.lastIndexOf(':');
          b.set('source.ip', value.slice(0, at));
          b.set('source.port', value.slice(at + 1));
          break;
        }
        case 'domain':
          b.set('source.fqdn', value);
          break;
        case 'url':
          b.set('source.url', value);
          break;
        case 'md5_hash':
          b.set('malware.hash.md5', value);
          break;
        case 'sha1_hash':
          b.set('malware.hash.sha1', value);
          break;
        case 'sha256_hash':
          b.set('malware.hash.sha256', value);
          break;
        default:
          b.set('extra.ioc', value);
      }
      b.set('extra.ioc_type', get('ioc_type'));
      const threat = get('threat_type') ?? '';
      b.set('classification.type', Object.hasOwn(THREATFOX_TYPES, threat) ? THREATFOX_TYPES[threat] : 'undetermined');
      b.set('malware.name', (get('malware_printable') ?? get('fk_malware'))?.toLowerCase());
      b.set('extra.malware_alias', get('malware_alias'));
      b.set('extra.last_seen', get('last_seen_utc'));
      const confidence = get('confidence_level');
      b.set('feed.accuracy', confidence);
      b.set('event_description.url', get('reference'));
      b.set('extra.tags', get('tags'));
      b.set('extra.reporter', get('reporter'));
    }),
};

/** Feodo Tracker's "Browse" page: the botnet C2 table, columns found by their titles. */
export const feodoHtml: FeedParser = {
  name: 'feodotracker-html',
  title: 'abuse.ch Feodo Tracker C2 table (HTML page)',
  provider: 'abuse.ch',
  sniff: (head) => (/Feodo Tracker/.test(head) && /<table[^>]*botnet_c2s/.test(head) ? 0.95 : 0),
  async *parse(lines, report) {
    let columns: ReadonlyMap<string, number> | undefined;
    for await (const row of htmlTableRows(lines, report)) {
      if ('issue' in row) {
        yield row;
        continue;
      }
      if (row.header) {
        columns = new Map(row.cells.map((c, i) => [c.toLowerCase(), i] as const));
        continue;
      }
      if (!columns) {
        yield lineIssue(report, row.line, 'feed.html.no-header', 'a table row before any header row');
        continue;
      }
      const get = (title: string): string | undefined => {
        const i = columns!.get(title);
        return i === undefined ? undefined : row.cells[i];
      };
      const b = new FeedEventBuilder(report, { file: report.fileName, line: row.line });
      if (!b.set('source.ip', get('host'))) {
        yield lineIssue(report, row.line, 'feed.line.unreadable', 'no Host address in the row');
        continue;
      }
      b.set('time.source', get('firstseen (utc)'));
      b.set('malware.name', get('malware'));
      b.set('status', get('status')?.toLowerCase());
      // "AS199883 ARUBACLOUDLTD-ASN"
      const network = /^AS(\d+)\s*(.*)$/i.exec(get('network (asn)') ?? '');
      if (network) {
        b.set('source.asn', network[1]);
        b.set('source.as_name', network[2]);
      }
      b.set('source.geolocation.cc', get('country'));
      b.set('classification.type', 'c2-server');
      yield { event: b.finish(row.raw) };
    }
  },
};
