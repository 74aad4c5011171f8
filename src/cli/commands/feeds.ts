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
import { openStore } from '../../store/index.js';
import { loadIntakeSettings } from '../../server/feeds/config.js';
import { runFeed } from '../../server/feeds/run.js';
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

  feeds
    .command('run')
    .description('fetch a configured feed and take it in: parse, enrich, deduplicate, store, into cases')
    .argument('<name>', 'the feed, as named in the configuration')
    .requiredOption('--config <file>', 'feed configuration (YAML or JSON; docs/feeds.md)')
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .option('--home-country <cc>', 'the constituency\'s country (default: the configuration\'s)')
    .action(async (name: string, options: { config: string; db?: string; homeCountry?: string }) => {
      const settings = loadIntakeSettings(options.config, options.homeCountry);
      const store = await openStore(options.db);
      try {
        const run = await runFeed(store, settings, name);
        process.stdout.write(
          `${name}: ${run.status}${run.message ? ` — ${terminalSafe(run.message)}` : ''}; ${run.issues} issues, ${run.casesOpened} cases opened, ${run.casesJoined} joined\n`,
        );
        for (const i of run.issueSamples.slice(0, 20)) process.stderr.write(`${terminalSafe(formatIssue(i))}\n`);
        if (run.issueSamples.some((i) => i.severity === 'error')) setExit(1);
      } finally {
        await store.close();
      }
    });
}
