/**
 * `vigil feeds test FILE` (the harmonised events of one report, the feed sniffed when not named),
 * `vigil feeds list` (parsers and configured feeds) and `vigil feeds run NAME` (fetch a configured
 * feed, parse, enrich, deduplicate, store, and put the events into cases).
 */
import { once } from 'node:events';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { VigilError } from '../../core/errors.js';
import { formatIssue } from '../../core/issue.js';
import { FeedParsers, isoUtc, sourceLines, type FeedParser } from '../../ingest/feeds/index.js';
import type { SetExit } from '../exit.js';
import { terminalSafe } from '../scan/format.js';

interface TestOptions {
  feed?: string;
  format: 'jsonl' | 'summary';
  name?: string;
  shadowserverSchema?: string;
  observation?: string;
}

export function parsersFor(options: { shadowserverSchema?: string }): FeedParsers {
  const schema = options.shadowserverSchema ?? process.env.VIGIL_SHADOWSERVER_SCHEMA;
  return new FeedParsers(schema ? { shadowserverSchema: schema } : {});
}

export function registerFeeds(program: Command, setExit: SetExit): void {
  const feeds = program.command('feeds').description('feeds and abuse reports: parse, list, run');

  feeds
    .command('test')
    .description('print the harmonised events of one report file (IntelMQ field names)')
    .argument('<file>', 'the report (CSV, JSON, text, .eml; gzip is inflated)')
    .option('--feed <name>', 'parser to use (default: sniffed from content and file name; see `vigil feeds list`)')
    .addOption(new Option('--format <format>', 'output').choices(['jsonl', 'summary']).default('jsonl'))
    .option('--name <file-name>', 'report file name to use (Shadowserver reads the report type from it)')
    .option('--shadowserver-schema <file>', "Shadowserver's IntelMQ schema (or VIGIL_SHADOWSERVER_SCHEMA)")
    .option('--observation <time>', 'time.observation (default: now)')
    .action(async (file: string, options: TestOptions) => {
      const parsers = parsersFor(options);
      const fileName = options.name ?? basename(file);
      let parser: FeedParser | undefined;
      if (options.feed !== undefined) parser = parsers.get(options.feed);
      else {
        parser = await parsers.sniffSource({ path: file }, fileName);
        if (!parser)
          throw new VigilError('feeds.unrecognised', `${file}: no parser recognises this report; name one with --feed (vigil feeds list)`);
      }
      const report = { fileName, observation: options.observation ?? isoUtc(Math.floor(Date.now() / 1000) * 1000) };
      let events = 0;
      let issues = 0;
      let errors = 0;
      const types = new Map<string, number>();
      for await (const record of parser.parse(sourceLines({ path: file }), report)) {
        if ('issue' in record) {
          issues++;
          if (record.issue.severity === 'error') errors++;
          process.stderr.write(`${terminalSafe(formatIssue(record.issue))}\n`);
          continue;
        }
        events++;
        for (const i of record.event.issues) {
          issues++;
          errors++;
          process.stderr.write(`${terminalSafe(formatIssue(i))}\n`);
        }
        const type = String(record.event.fields['classification.type']);
        types.set(type, (types.get(type) ?? 0) + 1);
        // Waiting for the terminal or pipe keeps memory flat on a large report.
        if (options.format === 'jsonl' && !process.stdout.write(`${JSON.stringify({ __type: 'Event', ...record.event.fields })}\n`))
          await once(process.stdout, 'drain');
      }
      if (options.format === 'summary') {
        process.stdout.write(`${terminalSafe(file)}: ${parser.name}, ${events} events, ${issues} issues\n`);
        for (const [type, n] of [...types].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${type}: ${n}\n`);
      } else process.stderr.write(`${parser.name}: ${events} events, ${issues} issues\n`);
      if (errors > 0) setExit(1);
    });

  feeds
    .command('list')
    .description('the feed parsers')
    .option('--shadowserver-schema <file>', "Shadowserver's IntelMQ schema (or VIGIL_SHADOWSERVER_SCHEMA)")
    .action((options: { shadowserverSchema?: string }) => {
      for (const p of parsersFor(options).list) process.stdout.write(`${p.name.padEnd(20)} ${p.provider.padEnd(20)} ${p.title}\n`);
    });
}
