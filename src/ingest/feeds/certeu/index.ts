/** CERT-EU's CSV feed: named columns; accuracy is the report's scaled by the row's confidence level. */
import { csvRows, type FeedParser, type FeedRecord } from '../parser.js';
import { FeedEventBuilder, normaliseTime } from '../event.js';

const TYPES: Readonly<Record<string, string>> = {
  'malware url': 'malware-distribution',
  'malware distribution': 'malware-distribution',
  phishing: 'phishing',
  'c&c': 'c2-server',
  botnet: 'infected-system',
  'infected system': 'infected-system',
  scanner: 'scanner',
  spam: 'spam',
  'vulnerable service': 'vulnerable-system',
  'brute force': 'brute-force',
  ddos: 'ddos',
  'data leak': 'data-leak',
  'data loss': 'data-loss',
  'unauthorised access': 'unauthorised-information-access',
  'unauthorized access': 'unauthorised-information-access',
};

export const certEu: FeedParser = {
  name: 'cert-eu',
  title: 'CERT-EU feed (CSV)',
  provider: 'CERT-EU',
  sniff: (head) => (head.startsWith('feed code,source ip,source time') ? 0.95 : 0),
  async *parse(lines, report): AsyncGenerator<FeedRecord> {
    let header: readonly string[] | undefined;
    let headerRaw = '';
    for await (const row of csvRows(lines, report)) {
      if ('issue' in row) {
        yield row;
        continue;
      }
      if (!header) {
        header = row.cells;
        headerRaw = row.raw;
        continue;
      }
      const get = (name: string): string | undefined => {
        const i = header!.indexOf(name);
        return i < 0 ? undefined : row.cells[i];
      };
      const b = new FeedEventBuilder(report, { file: report.fileName, line: row.line });
      b.set('extra.datasource', get('feed code'));
      b.set('source.ip', get('source ip'));
      b.set('time.source', get('source time'));
      b.set('extra.cert_eu_time_observation', normaliseTime(get('observation time')));
      b.set('tlp', get('tlp'));
      b.set('event_description.text', get('description'));
      const type = get('type')?.toLowerCase() ?? '';
      b.set('classification.type', Object.hasOwn(TYPES, type) ? TYPES[type] : 'undetermined');
      if (!Object.hasOwn(TYPES, type) && type !== '') b.set('extra.cert_eu_type', type);
      b.set('protocol.transport', get('protocol'));
      b.set('destination.port', get('destination port'));
      b.set('extra.first_seen', get('first seen'));
      b.set('extra.last_seen', get('last seen'));
      b.set('extra.count', get('count') ? Number(get('count')) : undefined);
      b.set('source.geolocation.geoip_cc', get('source cc'));
      b.set('source.geolocation.country', get('source country'));
      b.set('source.geolocation.city', get('source city'));
      b.set('source.geolocation.longitude', get('source longitude'));
      b.set('source.geolocation.latitude', get('source latitude'));
      b.set('source.as_name', get('source as name'));
      b.set('source.network', get('source bgp prefix'));
      b.set('extra.source.geolocation.geohash', get('source geohash'));
      const confidence = Number(get('confidence level'));
      if (report.feedAccuracy !== undefined && Number.isFinite(confidence) && get('confidence level') !== '')
        b.set('feed.accuracy', (report.feedAccuracy * confidence) / 100);
      b.set('source.asn', get('source asn'));
      b.set('event_description.target', get('target'));
      b.set('source.url', get('url'));
      b.set('source.fqdn', get('domain name'));
      b.set('extra.expiration_date', get('expiration date'));
      b.set('malware.name', get('threat type')?.toLowerCase());
      b.set('source.abuse_contact', get('abuse contact'));
      b.set('status', get('status'));
      yield { event: b.finish(`${headerRaw}\n${row.raw}`) };
    }
  },
};
