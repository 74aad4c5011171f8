/**
 * X-ARF abuse reports, v4 (`xarf_version`, category/type, flat fields) and v3 (`Version` 3,
 * `ReporterInfo` and `Report`): one JSON document → one event. Evidence payloads are not copied
 * into fields (they stay in `raw`).
 */
import { isIP } from 'node:net';
import { issue } from '../../../core/issue.js';
import { FeedEventBuilder, type FeedReport } from '../event.js';
import { prop, wholeText, type FeedParser, type FeedRecord } from '../parser.js';

/** X-ARF v4 "category/type" and v3 report types → classification.type. */
const TYPES: Readonly<Record<string, string>> = {
  'connection/ddos': 'ddos',
  'connection/infected_host': 'infected-system',
  'connection/login_attack': 'brute-force',
  'connection/port_scan': 'scanner',
  'connection/reconnaissance': 'scanner',
  'connection/scraping': 'unauthorized-use-of-resources',
  'connection/sql_injection': 'exploit',
  'connection/vulnerability_scan': 'scanner',
  'infrastructure/botnet': 'c2-server',
  'infrastructure/compromised_server': 'system-compromise',
  'messaging/bulk_messaging': 'spam',
  'messaging/spam': 'spam',
  'reputation/blocklist': 'blacklist',
  'reputation/threat_intelligence': 'undetermined',
  'vulnerability/cve': 'vulnerable-system',
  'vulnerability/misconfiguration': 'vulnerable-system',
  'vulnerability/open_service': 'potentially-unwanted-accessible',
  'content/phishing': 'phishing',
  'content/malware': 'malware-distribution',
  'content/data_leak': 'data-leak',
  'copyright/copyright': 'copyright',
  botnet: 'infected-system',
  ddos: 'ddos',
  phishing: 'phishing',
  spam: 'spam',
  'login-attack': 'brute-force',
  'port-scan': 'scanner',
  malware: 'malware-distribution',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function setSource(b: FeedEventBuilder, value: string | undefined): void {
  if (value === undefined) return;
  if (isIP(value)) b.set('source.ip', value);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) b.set('source.url', value);
  else if (value.includes('/')) b.set('source.network', value);
  else b.set('source.fqdn', value);
}

export function xarfEvent(doc: Record<string, unknown>, report: FeedReport, raw: string, line = 1): FeedRecord {
  const b = new FeedEventBuilder(report, { file: report.fileName, line });
  if (prop(doc, 'xarf_version') !== undefined) {
    const category = str(prop(doc, 'category')) ?? '';
    const type = str(prop(doc, 'type')) ?? '';
    const key = `${category}/${type}`;
    b.set('classification.type', Object.hasOwn(TYPES, key) ? TYPES[key] : 'undetermined');
    b.set('classification.identifier', key);
    setSource(b, str(prop(doc, 'source_identifier')));
    b.set('source.port', prop(doc, 'source_port'));
    b.set('destination.ip', prop(doc, 'destination_ip'));
    b.set('destination.port', prop(doc, 'destination_port'));
    b.set('protocol.transport', prop(doc, 'protocol'));
    b.set('protocol.application', prop(doc, 'service'));
    b.set('time.source', prop(doc, 'first_seen') ?? prop(doc, 'timestamp'));
    b.set('extra.xarf_version', prop(doc, 'xarf_version'));
    b.set('extra.xarf_report_id', prop(doc, 'report_id'));
    b.set('extra.reporter_org', prop(obj(prop(doc, 'reporter')), 'org'));
    b.set('extra.reporter_contact', prop(obj(prop(doc, 'reporter')), 'contact'));
    b.set('extra.evidence_source', prop(doc, 'evidence_source'));
    b.set('source.url', prop(doc, 'url'));
    b.set('malware.name', str(prop(doc, 'malware_family'))?.toLowerCase());
    const tags = prop(doc, 'tags');
    if (Array.isArray(tags)) b.set('extra.tags', tags.filter((t) => typeof t === 'string').join(','));
    const cve = prop(doc, 'cve_id') ?? prop(doc, 'cve');
    b.set('extra.cve', cve);
  } else {
    const r = obj(prop(doc, 'Report'));
    const type = str(prop(r, 'ReportType'))?.toLowerCase() ?? '';
    b.set('classification.type', Object.hasOwn(TYPES, type) ? TYPES[type] : 'undetermined');
    b.set('classification.identifier', type);
    const source = obj(prop(r, 'Source'));
    setSource(b, str(prop(source, 'IP')) ?? str(prop(source, 'Value')) ?? str(prop(source, 'URL')));
    b.set('source.port', prop(source, 'Port'));
    b.set('time.source', prop(r, 'Date'));
    const info = obj(prop(r, 'AdditionalInfo'));
    b.set('malware.name', str(prop(info, 'MalwareFamily'))?.toLowerCase());
    b.set('extra.xarf_version', prop(doc, 'Version'));
    b.set('extra.reporter_org', prop(obj(prop(doc, 'ReporterInfo')), 'ReporterOrg'));
    b.set('extra.reporter_contact', prop(obj(prop(doc, 'ReporterInfo')), 'ReporterContactEmail'));
  }
  return { event: b.finish(raw) };
}

export const isXarf = (doc: unknown): doc is Record<string, unknown> =>
  doc !== null &&
  typeof doc === 'object' &&
  !Array.isArray(doc) &&
  (Object.hasOwn(doc, 'xarf_version') || (Object.hasOwn(doc, 'ReporterInfo') && Object.hasOwn(doc, 'Report')));

export const xarf: FeedParser = {
  name: 'xarf',
  title: 'X-ARF abuse reports (v3, v4)',
  provider: 'X-ARF',
  sniff: (head) => (/^\s*\{[\s\S]{0,400}("xarf_version"|"ReporterInfo")/.test(head) ? 0.95 : 0),
  async *parse(lines, report) {
    const text = await wholeText(lines, 16 * 1024 * 1024);
    const where = { file: report.fileName, line: 1 };
    if (text === null) {
      yield { issue: issue('xarf.too-large', 'an X-ARF report larger than 16 MiB', where) };
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      yield { issue: issue('xarf.json.invalid', (error as Error).message, where) };
      return;
    }
    if (!isXarf(doc)) {
      yield { issue: issue('xarf.not-xarf', 'neither X-ARF v4 (xarf_version) nor v3 (ReporterInfo, Report)', where) };
      return;
    }
    yield xarfEvent(doc, report, text);
  },
};
