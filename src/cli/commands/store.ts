/** `vigil events` and `vigil hunt`: pivots and Sigma hunts over the events a store holds. */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { VigilError } from '../../core/errors.js';
import { formatIssue } from '../../core/issue.js';
import { hunt } from '../../store/hunt.js';
import { pivotQuery } from '../../store/pivot.js';
import { openStore, type EventQuery } from '../../store/index.js';
import type { SetExit } from '../exit.js';
import { detectionToJson, tableHeader, tableRow, terminalSafe } from '../scan/format.js';

interface PivotOptions {
  db?: string;
  from?: string;
  to?: string;
  host?: string;
  user?: string;
  ip?: string;
  field?: string;
  text?: string;
  limit: string;
  format: 'jsonl' | 'table';
}

function query(options: PivotOptions): EventQuery {
  const pivot = pivotQuery(options);
  if ('problem' in pivot) throw new VigilError(`cli.${pivot.code}`, `--${pivot.problem}`);
  return pivot.query;
}

function pivotOptions(command: Command): Command {
  return command
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .option('--from <time>', 'from this time (ISO 8601, UTC)')
    .option('--to <time>', 'up to this time')
    .option('--host <name>', 'events of this host')
    .option('--user <name>', 'events naming this account')
    .option('--ip <address>', 'events with this address at either end')
    .option('--field <name=value>', 'a native field equal to a value (case-insensitive)')
    .option('--text <text>', 'any field containing this text');
}

export function registerStore(program: Command, setExit: SetExit): void {
  pivotOptions(
    program
      .command('events')
      .description(
        'search the stored events: everything on a host around a time, every connection to an address …',
      ),
  )
    .option('--limit <n>', 'at most this many events', '100')
    .action(async (options: PivotOptions) => {
      const store = await openStore(options.db);
      try {
        const found = await store.events.search({ ...query(options), limit: Number(options.limit) || 100 });
        for (const e of found) {
          process.stdout.write(
            `${JSON.stringify({ id: e.id, timestamp: new Date(e.event.timestamp).toISOString(), source: e.event.source, fields: e.event.fields })}\n`,
          );
        }
        process.stderr.write(`${found.length} events\n`);
        setExit(0);
      } finally {
        await store.close();
      }
    });

  pivotOptions(
    program
      .command('hunt')
      .description('run Sigma rules over the stored events')
      .argument('<rules>', 'a Sigma rule file (one or more documents)'),
  )
    .option('--limit <n>', 'stop after this many detections', '10000')
    .addOption(new Option('-f, --format <format>', 'output').choices(['table', 'jsonl']).default('table'))
    .action(async (rulesFile: string, options: PivotOptions) => {
      const store = await openStore(options.db);
      try {
        const text = await readFile(rulesFile, 'utf8');
        const result = await hunt(store, text, rulesFile, query(options), Number(options.limit) || 10_000);
        for (const p of result.problems) process.stderr.write(`${terminalSafe(formatIssue(p))}\n`);
        if (options.format === 'table') process.stdout.write(`${tableHeader()}\n`);
        for (const d of result.detections)
          process.stdout.write(
            `${options.format === 'table' ? tableRow(d) : JSON.stringify(detectionToJson(d))}\n`,
          );
        process.stderr.write(`${result.detections.length} detections in ${result.scanned} stored events\n`);
        setExit(result.problems.some((p) => p.severity === 'error') ? 1 : 0);
      } finally {
        await store.close();
      }
    });
}
