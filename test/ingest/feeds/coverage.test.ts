// Every input file under ../shared/data/feeds is read by one of our parsers (sniffed from content
// and name, or a declared generic CSV mapping), and every expected-events file beside an input is
// asserted by expected.test.ts: a new sample without a parser or a test fails here.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { genericCsv, type FeedParser, type GenericCsvConfig } from '../../../src/ingest/feeds/index.js';
import { corpusMissing } from '../../helpers/shared-data.js';
import { FEEDS, parsers, run } from './support.js';

const skip = corpusMissing('feeds');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(relative(FEEDS, path));
  }
  return out;
}

/**
 * Documentation, licences, the field schema, the Shadowserver schema: not feed input. IntelMQ's
 * broken Shadowserver reports are read (to issues) in feeds.test.ts.
 */
const NOT_INPUT = /(^|\/)(EXPECTED\.md|SOURCE\.md|README-upstream\.md|LICENSE|NEGATIVE_broken_reports\.json)$|^harmonisation\/|shadowserver-schema\.test\.json$|expected[^/]*\.json$/;

/** The generic CSV samples need the column mapping their IntelMQ test declares. */
const GENERIC: Readonly<Record<string, GenericCsvConfig>> = {
  'generic/sample_report.csv': { name: 'sample', columns: ['time.source', '__IGNORE__', 'event_description.text', '__IGNORE__', '__IGNORE__', 'source.url', 'source.ip', 'source.fqdn', '__IGNORE__'], type: 'malware-distribution', delimiter: '\t', defaultUrlProtocol: 'http://' },
  'generic/compose_fields.csv': { name: 'compose', columns: ['source.fqdn', 'source.urlpath'], type: 'malware-distribution', compose: { 'source.url': 'http://{0}{1}' } },
  'generic/data_type.csv': { name: 'data-type', columns: ['source.ip', 'source.url', 'extra.tags'], type: 'malware-distribution', skipHeader: true },
  'generic/empty_src_url.csv': { name: 'empty-url', columns: ['source.ip', 'source.url', 'source.port', 'time.source'], type: 'infected-system', skipHeader: true },
  'generic/extra_regex.csv': { name: 'extra-regex', columns: ['source.ip', 'extra.file_time_utc', 'feed.code', 'malware.name', 'source.port'], type: 'infected-system', skipHeader: true },
  'generic/invalid_sample_report.csv': { name: 'invalid', columns: ['time.source', 'source.ip', 'source.fqdn'], type: 'malware-distribution' },
  'generic/multivalue_columns.csv': { name: 'multivalue', columns: ['source.ip', 'source.url'], type: 'malware-distribution', skipHeader: true },
  'generic/test_filter_blacklist.csv': { name: 'ipset', columns: ['__IGNORE__', '__IGNORE__', '__IGNORE__', 'source.ip'], type: 'blacklist', delimiter: ' ' },
  'generic/test_filter_whitelist_ipset.csv': { name: 'ipset', columns: ['__IGNORE__', '__IGNORE__', '__IGNORE__', 'source.ip'], type: 'blacklist', delimiter: ' ' },
};

/** Shadowserver takes the report type from the file name, as Shadowserver names its reports. */
const reportName = (path: string): string => {
  const base = path.split('/').pop()!;
  if (!path.startsWith('shadowserver/')) return base;
  return `2019-01-01-${base.replace(/\.csv$/, '')}-test-geo.csv`;
};

describe('feeds: every sample is read and every expected file is asserted', { skip }, () => {
  const inputs = skip ? [] : files(FEEDS).filter((f) => !NOT_INPUT.test(f));
  it('finds the samples', () => assert.ok(inputs.length > 130, `${inputs.length} inputs`));
  for (const path of inputs)
    it(path, async () => {
      const text = readFileSync(join(FEEDS, path), 'utf8');
      const generic = GENERIC[path];
      const parser: FeedParser | undefined = generic ? genericCsv(generic) : parsers.sniff(text.slice(0, 65536), reportName(path));
      assert.ok(parser, 'no parser recognises it');
      const { events, issues } = await run(parser, text, { fileName: reportName(path), observation: '2026-01-01T00:00:00+00:00' });
      // IntelMQ's mail samples carry no indicator: read, and said so in a warning.
      if (path.startsWith('email/') && events.length === 0) {
        assert.equal(parser.name, 'email');
        assert.ok(issues.some((i) => i.severity === 'warning'), issues.map((i) => i.message).join('; '));
        return;
      }
      assert.ok(events.length > 0, `${parser.name}: no events; ${issues.map((i) => i.message).join('; ')}`);
    });
  it('every expected-events file is asserted by expected.test.ts', () => {
    const asserted = readFileSync(join(import.meta.dirname, 'expected.test.ts'), 'utf8');
    const expected = files(FEEDS).filter((f) => /expected[^/]*\.json$/.test(f) && !f.startsWith('shadowserver/historic-3.2/'));
    const missing = expected.filter((f) => !asserted.includes(`'${f}'`));
    assert.deepEqual(missing, []);
  });
});
