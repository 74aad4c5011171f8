// Every sample feed under ../shared/data/feeds parses to IntelMQ's expected events: the same value
// for every field we share. Deliberate differences are named per case and listed in docs/feeds.md.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { genericCsv } from '../../../src/ingest/feeds/index.js';
import { corpusMissing } from '../../helpers/shared-data.js';
import { differences, FEEDS, parsers, readExpected, reportOf, run, type Expected } from './support.js';

const skip = corpusMissing('feeds');

async function check(options: {
  feed: string | ReturnType<typeof genericCsv>;
  expectedFile: string;
  input?: string;
  reportKey: string;
  eventKeys: readonly string[];
  fileName: string;
  except?: readonly string[];
  /** Our events that IntelMQ's test does not list (it drops them, or lists only the first). */
  extraEvents?: number;
  template?: boolean;
}): Promise<void> {
  const d = readExpected(options.expectedFile);
  const parser = typeof options.feed === 'string' ? parsers.get(options.feed) : options.feed;
  const text =
    options.input !== undefined
      ? readFileSync(join(FEEDS, options.input), 'utf8')
      : typeof (d.EXAMPLE_FILE ?? d.INPUT) === 'string'
        ? String(d.EXAMPLE_FILE ?? d.INPUT)
        : Buffer.from(String((d[options.reportKey] as Expected).raw), 'base64').toString('utf8');
  const report = reportOf(d[options.reportKey] as Expected | undefined, options.fileName);
  const { events } = await run(parser, text, report);
  const expected = options.eventKeys.flatMap((k) => (Array.isArray(d[k]) ? (d[k] as Expected[]) : [d[k] as Expected]));
  if (options.template) {
    assert.ok(events.length > 0, 'no events');
    for (const e of events) assert.deepEqual(differences(e, expected[0]!, options.except), [], `line ${e.line}`);
    return;
  }
  assert.equal(events.length, expected.length + (options.extraEvents ?? 0), 'event count');
  expected.forEach((x, i) => assert.deepEqual(differences(events[i]!, x, options.except), [], `event ${i}`));
}

describe('feeds: expected events from IntelMQ', { skip }, () => {
  it('Shadowserver test_smb (schema-driven)', () =>
    check({ feed: 'shadowserver', expectedFile: 'shadowserver/current/expected_report_smb.json', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EVENTS'], fileName: '' }));
  it('Shadowserver test_telnet (schema-driven)', () =>
    check({ feed: 'shadowserver', expectedFile: 'shadowserver/current/expected_report_telnet.json', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EVENTS'], fileName: '' }));
  it('Feodo Tracker JSON', () =>
    check({ feed: 'feodotracker-json', expectedFile: 'abusech/feodotracker_expected.json', reportKey: 'REPORT', eventKeys: ['OUTPUT'], fileName: 'ipblocklist.json' }));
  it('Spamhaus DROP', () =>
    check({ feed: 'spamhaus-drop', expectedFile: 'spamhaus/expected_parser_drop.json', input: 'spamhaus/drop.txt', reportKey: 'NETWORK_REPORT', eventKeys: ['NETWORK_EVENTS'], fileName: 'drop.txt' }));
  it('Spamhaus ASN-DROP', () =>
    check({ feed: 'spamhaus-asndrop', expectedFile: 'spamhaus/expected_parser_drop.json', input: 'spamhaus/asndrop.txt', reportKey: 'ASN_REPORT', eventKeys: ['ASN_EVENTS'], fileName: 'asndrop.txt' }));
  it('Spamhaus CERT (template fields on every event)', () =>
    check({ feed: 'spamhaus-cert', expectedFile: 'spamhaus/expected_parser_cert.json', input: 'spamhaus/cert-feed.txt', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EVENT_TEMPL'], fileName: 'cert.txt', template: true }));
  it('DShield block list', () =>
    check({ feed: 'dshield-block', expectedFile: 'cert-feeds/dshield_block_expected.json', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EVENTS'], fileName: 'block.txt' }));
  it('blocklist.de IMAP (template fields on every event)', () =>
    check({ feed: 'blocklist.de', expectedFile: 'cert-feeds/blocklistde_imap_expected.json', reportKey: 'REPORT', eventKeys: ['TEMPLATE'], fileName: 'imap.txt', template: true }));
  it('CERT-EU CSV', () =>
    check({ feed: 'cert-eu', expectedFile: 'cert-feeds/cert_eu_example_expected.json', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EXAMPLE_EVENT1', 'EXAMPLE_EVENT2'], fileName: 'cert_eu.csv' }));
  it('generic CSV: tab-separated with comments and a default URL scheme', () =>
    check({
      feed: genericCsv({ name: 'sample', columns: ['time.source', '__IGNORE__', 'event_description.text', '__IGNORE__', '__IGNORE__', 'source.url', 'source.ip', 'source.fqdn', '__IGNORE__'], type: 'malware-distribution', delimiter: '\t', defaultUrlProtocol: 'http://' }),
      expectedFile: 'generic/expected_parser_csv.json', input: 'generic/sample_report.csv', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2'], fileName: 'sample_report.csv',
      // IntelMQ re-writes the row with `,`; we keep the source line as it was.
      except: ['raw'],
    }));
  it('generic CSV: the same feed tab-separated, read by the same mapping', () =>
    check({
      feed: genericCsv({ name: 'sample', columns: ['time.source', '__IGNORE__', 'event_description.text', '__IGNORE__', '__IGNORE__', 'source.url', 'source.ip', 'source.fqdn', '__IGNORE__'], type: 'malware-distribution', delimiter: '\t', defaultUrlProtocol: 'http://' }),
      expectedFile: 'generic/expected_parser_csv2.json', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EXAMPLE_EVENT'], fileName: 'sample_report2.csv',
      // IntelMQ re-writes the row with `,`; we keep the source line as it was.
      except: ['raw'],
    }));
  it('Microsoft CTIP (Azure JSON stream)', async () => {
    const d = readExpected('cert-feeds/microsoft_ctip_azure_expected.json');
    const { events, issues } = await run(
      parsers.get('microsoft-ctip-azure'),
      readFileSync(join(FEEDS, 'cert-feeds/microsoft_ctip_azure.txt'), 'utf8'),
      reportOf(d.EXAMPLE_REPORT as Expected, 'ctip.json'),
    );
    assert.deepEqual(issues, []);
    const expected = d.EXAMPLE_EVENTS as Expected[];
    assert.equal(events.length, expected.length);
    expected.forEach((x, i) => {
      // The last event's feed.name is the report's in IntelMQ's test; we take every event's from its
      // DataFeed (docs/feeds.md).
      const except = i === 5 ? ['feed.name'] : [];
      assert.deepEqual(differences(events[i]!, x, except), [], `event ${i}`);
    });
    assert.equal(events[5]!.fields['feed.name'], 'Microsoft.DCU.CTIP.Infected');
  });
  it('generic CSV: composed fields', () =>
    check({
      feed: genericCsv({ name: 'compose', columns: ['source.fqdn', 'source.urlpath'], type: 'malware-distribution', compose: { 'source.url': 'http://{0}{1}' } }),
      expectedFile: 'generic/expected_parser_csv.json', input: 'generic/compose_fields.csv', reportKey: 'COMPOSE_REPORT', eventKeys: ['COMPOSE_EVENT'], fileName: 'compose_fields.csv', except: ['raw'],
    }));
  it('generic CSV: header skipped, epoch times, an invalid URL is an issue on its event', async () => {
    await check({
      feed: genericCsv({ name: 'csv4', columns: ['source.ip', 'source.url', 'source.port', 'time.source'], type: 'infected-system', skipHeader: true }),
      expectedFile: 'generic/expected_parser_csv4.json', reportKey: 'EXAMPLE_REPORT', eventKeys: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2', 'EXAMPLE_EVENT3'], fileName: 'csv4.csv',
      except: ['raw'], extraEvents: 1,
    });
    // The fourth row's URL starts with a blank: IntelMQ drops the row, we keep it with an issue.
    const d = readExpected('generic/expected_parser_csv4.json');
    const text = Buffer.from(String((d.EXAMPLE_REPORT as Expected).raw), 'base64').toString('utf8');
    const parser = genericCsv({ name: 'csv4', columns: ['source.ip', 'source.url', 'source.port', 'time.source'], type: 'infected-system', skipHeader: true });
    const { events } = await run(parser, text, reportOf(d.EXAMPLE_REPORT as Expected, 'csv4.csv'));
    assert.equal(events[3]!.issues[0]!.path, 'source.url');
    assert.equal(events[3]!.fields['source.url'], undefined);
  });
});

describe('feeds: Shadowserver historic report types (IntelMQ 3.2), read by convention', { skip }, () => {
  const dir = join(FEEDS, 'shadowserver/historic-3.2');
  const files = skip ? [] : readdirSync(dir).filter((f) => f.startsWith('expected_'));
  /** What an intake decision rests on: addresses, ports, networks, places, times, the line. */
  const CORE = /^(source|destination)\.(ip|port|asn|network|geolocation\.(cc|region|city)|reverse_dns)$|^time\.source$|^raw$/;
  it('covers all 93 report types', () => assert.equal(files.length, 93));
  for (const f of files) {
    const name = f.slice('expected_'.length, -'.json'.length);
    it(name, async () => {
      const d = readExpected(`shadowserver/historic-3.2/${f}`);
      const report = reportOf(d.EXAMPLE_REPORT as Expected, `${name}.csv`);
      const { events, issues } = await run(parsers.get('shadowserver'), readFileSync(join(dir, `${name}.csv`), 'utf8'), report);
      assert.ok(!issues.some((i) => i.severity === 'error'), issues.map((i) => i.message).join('\n'));
      const expected = d.EVENTS as Expected[];
      // IntelMQ's tests list the first events of a longer sample.
      assert.ok(events.length >= expected.length, `${events.length} events, ${expected.length} expected`);
      expected.forEach((x, i) => {
        const core = Object.fromEntries(Object.entries(x).filter(([k]) => CORE.test(k)));
        assert.deepEqual(differences(events[i]!, core), [], `event ${i}`);
        assert.equal(events[i]!.fields['classification.taxonomy'] !== undefined, true);
      });
    });
  }
});
