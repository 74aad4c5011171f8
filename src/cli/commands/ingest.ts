/** `vigil ingest PATH…`: what each evidence file is — format, records, issues, time span. */
import type { Command } from 'commander';
import { formatIssue, type Issue } from '../../core/issue.js';
import { countResult, emptyCounts } from '../../core/reader.js';
import { formatIsoMs } from '../../core/time.js';
import { walkEvidence } from '../../ingest/index.js';
import type { SetExit } from '../exit.js';
import { formatRate, progressLine } from '../progress.js';
import { terminalSafe } from '../scan/format.js';

const ISSUES_SHOWN = 5;

export function registerIngest(program: Command, setExit: SetExit): void {
  program
    .command('ingest')
    .description('read evidence and report per file: format, records, issues, time span')
    .argument('<paths...>', 'files or folders (.evtx, JSON, W3C, Zeek, Suricata, CSV; .gz and .zip too)')
    .option('--recover', 'also recover EVTX records from slack space', false)
    .action(async (paths: string[], options: { recover: boolean }) => {
      const started = Date.now();
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
          if (++records % 5000 === 0)
            progress.update(
              `${files} files, ${records.toLocaleString('en')} records, ${formatRate(records, Date.now() - started, 'records')}`,
            );
        }
        progress.done();
        files++;
        issues += counts.issues;
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
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `\n${files} files, ${records} records, ${issues} issues, ${unreadable} unreadable, in ${seconds.toFixed(1)} s\n`,
      );
      setExit(files === 0 ? 2 : issues > 0 || unreadable > 0 ? 1 : 0);
    });
}
