/** `vigil ingest PATH…`: what each evidence file is — format, records, issues, time span. */
import type { Command } from 'commander';
import { formatIssue, type Issue } from '../../core/issue.js';
import { countResult, emptyCounts } from '../../core/reader.js';
import { formatIsoMs } from '../../core/time.js';
import type { Event } from '../../core/event.js';
import { walkEvidence } from '../../ingest/index.js';
import { openStore } from '../../store/index.js';
import type { SetExit } from '../exit.js';
import { formatRate, progressLine } from '../progress.js';
import { terminalSafe } from '../scan/format.js';

const ISSUES_SHOWN = 5;
/** Events per store transaction. */
const STORE_BATCH = 5_000;

export function registerIngest(program: Command, setExit: SetExit): void {
  program
    .command('ingest')
    .description('read evidence and report per file: format, records, issues, time span')
    .argument('<paths...>', 'files or folders (.evtx, JSON, W3C, Zeek, Suricata, CSV; .gz and .zip too)')
    .option('--recover', 'also recover EVTX records from slack space', false)
    .option(
      '--db <store>',
      'store every event (SQLite file or postgres:// URL; ingesting again stores nothing twice)',
    )
    .action(async (paths: string[], options: { recover: boolean; db?: string }) => {
      const started = Date.now();
      const store = options.db ? await openStore(options.db) : undefined;
      const job = store ? await store.jobs.create(paths) : undefined;
      if (store && job) await store.jobs.update(job.id, { status: 'running' });
      let batch: Event[] = [];
      let stored = 0;
      const flush = async (): Promise<void> => {
        if (store && batch.length > 0) stored += await store.events.add(batch);
        batch = [];
      };
      const samples: Issue[] = [];
      let first = Infinity;
      let last = -Infinity;
      const progress = progressLine();
      let files = 0;
      let records = 0;
      let issues = 0;
      let unreadable = 0;
      for await (const item of walkEvidence(paths, { recover: options.recover })) {
        if (item.file === null) {
          unreadable++;
          progress.done();
          process.stderr.write(`${formatIssue(item.issue)}\n`);
          continue;
        }
        const counts = emptyCounts();
        const shown: Issue[] = [];
        for await (const r of item.records) {
          countResult(counts, r);
          if (!r.ok && shown.length < ISSUES_SHOWN) shown.push(r.issue);
          if (!r.ok && samples.length < 50) samples.push(r.issue);
          if (store && r.ok) {
            batch.push(r.event);
            if (batch.length >= STORE_BATCH) await flush();
          }
          if (++records % 5000 === 0)
            progress.update(
              `${files} files, ${records.toLocaleString('en')} records, ${formatRate(records, Date.now() - started, 'records')}`,
            );
        }
        progress.done();
        files++;
        issues += counts.issues;
        if (!Number.isNaN(counts.firstTimestamp)) first = Math.min(first, counts.firstTimestamp);
        if (!Number.isNaN(counts.lastTimestamp)) last = Math.max(last, counts.lastTimestamp);
        const span = Number.isNaN(counts.firstTimestamp)
          ? 'no timestamps'
          : `${formatIsoMs(counts.firstTimestamp)} … ${formatIsoMs(counts.lastTimestamp)}`;
        process.stdout.write(
          `${terminalSafe(item.file.path)}\n  ${item.file.format}, ${counts.records} records, ${counts.issues} issues, ${span}\n`,
        );
        for (const i of shown) process.stdout.write(`  ${terminalSafe(formatIssue(i))}\n`);
        if (counts.issues > shown.length)
          process.stdout.write(`  … ${counts.issues - shown.length} more issues\n`);
      }
      await flush();
      if (store && job) {
        await store.jobs.update(job.id, {
          status: 'done',
          records,
          issues,
          firstTimestamp: Number.isFinite(first) ? first : null,
          lastTimestamp: Number.isFinite(last) ? last : null,
          issueSamples: samples,
          finishedAt: Date.now(),
        });
        await store.close();
      }
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `\n${files} files, ${records} records, ${issues} issues, ${unreadable} unreadable, in ${seconds.toFixed(1)} s\n`,
      );
      if (store)
        process.stdout.write(`stored ${stored} new events in ${options.db} (ingest job ${job?.id})\n`);
      setExit(files === 0 ? 2 : issues > 0 || unreadable > 0 ? 1 : 0);
    });
}
