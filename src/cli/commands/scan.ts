/** `vigil scan PATH…`: evidence in, detections out as a timeline, with a summary. */
import { createWriteStream, existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import type { Level } from '../../core/detection.js';
import { VigilError } from '../../core/errors.js';
import { LEVELS, levelRank } from '../../core/detection.js';
import { formatIssue } from '../../core/issue.js';
import type { SetExit } from '../exit.js';
import { formatRate, progressLine } from '../progress.js';
import { defaultRulePaths, ruleCacheDir } from '../rules-dir.js';
import {
  CSV_HEADER,
  csvRow,
  detectionToJson,
  summarize,
  summaryText,
  tableHeader,
  tableRow,
  terminalSafe,
  type ScanFormat,
} from '../scan/format.js';
import { runScan, type ScanResult } from '../../scale/scan/pipeline.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

interface ScanOptions {
  rules?: string[];
  indicators?: string[];
  minLevel: Level;
  failLevel: Level;
  format: ScanFormat;
  out?: string;
  recover: boolean;
  workers: string;
  summary: boolean;
  incidents?: string;
  report?: string;
  homeCountry: string;
  db?: string;
}

export function registerScan(program: Command, setExit: SetExit): void {
  program
    .command('scan')
    .description('run Sigma rules and indicators over evidence and print the detections as a timeline')
    .argument(
      '<paths...>',
      'evidence files or folders (.evtx, JSON, W3C, Zeek, Suricata, CSV; .gz and .zip too)',
    )
    .option(
      '-r, --rules <dir...>',
      'rule files or folders (default: VIGIL_RULES, the installed pack, ../shared SigmaHQ)',
    )
    .option('-i, --indicators <file...>', 'indicator lists (plain or CSV)')
    .addOption(
      new Option('--min-level <level>', 'report detections at or above')
        .choices(LEVELS)
        .default('informational'),
    )
    .addOption(
      new Option('--fail-level <level>', 'exit 1 when a detection reaches').choices(LEVELS).default('high'),
    )
    .addOption(
      new Option('-f, --format <format>', 'output')
        .choices(['table', 'csv', 'jsonl', 'json'])
        .default('table'),
    )
    .option('-o, --out <file>', 'write detections to a file instead of stdout')
    .option('--recover', 'also recover EVTX records from slack space', false)
    .option(
      '-w, --workers <n>',
      'worker threads (0 = scan in the main thread; auto = as many as the input size pays for)',
      'auto',
    )
    .option('--no-summary', 'leave out the summary')
    .option('--incidents <file>', 'reconstruct incidents and write them as JSON (docs/formats.md)')
    .option('--report <file>', 'write a self-contained HTML report of the incidents')
    .option(
      '--home-country <code>',
      "the CERT's country: parties outside it make an incident cross-border",
      'CN',
    )
    .option(
      '--db <store>',
      'also store detections, incidents and the ingest job (SQLite file or postgres:// URL)',
    )
    .action(async (paths: string[], options: ScanOptions) => {
      const code = await scanCommand(paths, options);
      setExit(code);
    });
}

async function scanCommand(paths: string[], options: ScanOptions): Promise<number> {
  const started = Date.now();
  const rulePaths = options.rules ?? defaultRulePaths();
  const cacheDir = ruleCacheDir();
  // A mistyped rule folder or list would otherwise scan with nothing and report a clean result.
  for (const path of [...rulePaths, ...(options.indicators ?? [])]) {
    if (!existsSync(path)) throw new VigilError('scan.path.missing', `${path} does not exist`);
  }
  const workers = options.workers === 'auto' ? 'auto' : Number(options.workers);
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 0))
    throw new VigilError(
      'scan.workers.invalid',
      `--workers: expected 'auto' or a whole number ≥ 0, got ${terminalSafe(options.workers)}`,
    );
  // Only on a terminal; the line is not even formatted otherwise (the first toLocaleString alone
  // costs ≈ 40 ms CPU).
  const showProgress = process.stderr.isTTY === true;
  const progress = progressLine(showProgress);
  let records = 0;
  let filesDone = 0;
  const result = await runScan(
    {
      paths,
      rulePaths,
      indicatorPaths: options.indicators ?? [],
      minLevel: options.minLevel,
      recover: options.recover,
      workers,
      investigate: Boolean(options.incidents ?? options.report ?? options.db),
      ...(cacheDir ? { ruleCacheDir: cacheDir } : {}),
    },
    {
      onRecords(n) {
        records += n;
        if (!showProgress) return;
        progress.update(
          `scanning: ${filesDone} files, ${records.toLocaleString('en')} records, ${formatRate(records, Date.now() - started, 'records')}`,
        );
      },
      onFile() {
        filesDone++;
      },
    },
  );
  progress.done();

  if (options.out) await mkdir(dirname(resolve(options.out)), { recursive: true });
  const out: Writable = options.out ? createWriteStream(options.out) : process.stdout;
  // A file that cannot be written is one line and exit 2 (main.ts), not an unhandled stream error.
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  writeDetections(out, result, options.format);
  if (options.out)
    await Promise.race([
      new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done()))),
      failed,
    ]);

  // Rule-set problems are the rule pack's, not this evidence's: one line here, details in `rules check`.
  const ruleProblems = result.problems.filter((p) => p.code.startsWith('sigma.'));
  // Files that are not evidence (READMEs, notes) in a scanned folder are one line, not one each.
  const skipped = result.problems.filter((p) => p.code === 'ingest.format.unknown');
  const evidenceProblems = result.problems.filter(
    (p) => !p.code.startsWith('sigma.') && p.code !== 'ingest.format.unknown',
  );
  if (skipped.length > 0) {
    const names = skipped.slice(0, 3).map((p) => terminalSafe((p.file ?? '').split('/').pop() ?? ''));
    process.stderr.write(
      `skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that are not evidence (${names.join(', ')}${skipped.length > 3 ? ', …' : ''})\n`,
    );
  }
  if (ruleProblems.length > 0) {
    const refused = ruleProblems.filter((p) => p.severity === 'error').length;
    process.stderr.write(
      `rules: ${refused} refused, ${ruleProblems.length - refused} warnings (\`vigil rules check\` lists them)\n`,
    );
  }
  for (const problem of evidenceProblems.slice(0, 20)) process.stderr.write(`${formatIssue(problem)}\n`);
  if (evidenceProblems.length > 20) process.stderr.write(`… ${evidenceProblems.length - 20} more problems\n`);
  if (options.summary) {
    const issues = result.files.reduce((n, f) => n + f.counts.issues, 0);
    const stats =
      `\nScanned ${result.files.length} files, ${result.events.toLocaleString('en')} events ` +
      `(${issues} record issues) with ${result.rulesLoaded} rules` +
      (result.indicatorsLoaded ? ` and ${result.indicatorsLoaded} indicators` : '') +
      ` in ${((Date.now() - started) / 1000).toFixed(1)} s ${threadsText(result.threads)}: ` +
      `${result.detections.length} detections.\n`;
    const summaryStream = options.format === 'table' && !options.out ? process.stdout : process.stderr;
    summaryStream.write(stats + summaryText(summarize(result.detections)) + '\n');
  }
  if (result.facts) await writeInvestigation(paths, result, options);
  const failRank = levelRank(options.failLevel);
  if (result.detections.some((d) => levelRank(d.level) >= failRank)) return 1;
  return result.files.length === 0 && result.problems.length > 0 ? 2 : 0;
}

function threadsText(threads: number): string {
  return threads === 0 ? 'on the main thread' : `on ${threads} worker thread${threads === 1 ? '' : 's'}`;
}

function writeDetections(out: Writable, result: ScanResult, format: ScanFormat): void {
  const lines = new LineBatcher(out);
  switch (format) {
    case 'table':
      lines.add(tableHeader());
      for (const d of result.detections) lines.add(tableRow(d));
      break;
    case 'csv':
      lines.add(CSV_HEADER);
      for (const d of result.detections) lines.add(csvRow(d));
      break;
    case 'jsonl':
      for (const d of result.detections) lines.add(JSON.stringify(detectionToJson(d)));
      break;
    case 'json':
      lines.add(JSON.stringify(result.detections.map(detectionToJson), null, 2));
      break;
  }
  lines.flush();
}

/**
 * Lines written to a stream about 64 KB at a time: a write per line (a Buffer and a trip through the
 * stream each) cost ≈ 60 ms CPU for the 13,838 detections of the scan bench.
 */
class LineBatcher {
  #batch = '';

  constructor(readonly out: Writable) {}

  add(line: string): void {
    this.#batch += `${line}\n`;
    if (this.#batch.length >= 65536) this.flush();
  }

  flush(): void {
    if (this.#batch.length > 0) this.out.write(this.#batch);
    this.#batch = '';
  }
}

/** Incidents from the scan's facts, written as JSON, an HTML report and into the store, as asked. */
async function writeInvestigation(
  paths: readonly string[],
  result: ScanResult,
  options: ScanOptions,
): Promise<void> {
  // Loaded only here, as most scans build no incidents.
  const [{ buildIncidents }, { geoDatabase }, { incidentHtml }, { incidentRecord }] = await Promise.all([
    import('../../investigate/index.js'),
    import('../../enrich/geo.js'),
    import('../../report/incident.js'),
    import('../../store/incident-record.js'),
  ]);
  const incidents = buildIncidents(result.facts!, {
    geo: geoDatabase(),
    homeCountry: options.homeCountry,
  });
  for (const file of [options.incidents, options.report])
    if (file) await mkdir(dirname(resolve(file)), { recursive: true });
  if (options.incidents) {
    const document = {
      format: 'vigil-incidents',
      version: 1,
      generated: new Date().toISOString(),
      incidents,
    };
    await writeFile(options.incidents, JSON.stringify(document, null, 2) + '\n');
  }
  if (options.report) await writeFile(options.report, incidentHtml(incidents));
  if (options.db) {
    // Loaded only here: the store's modules (SQLite, PostgreSQL) cost about 0.45 CPU s to load,
    // more than the rest of a small scan's start-up, and most scans never write to a store.
    const { openStore } = await import('../../store/index.js');
    const store = await openStore(options.db);
    try {
      const job = await store.jobs.create(paths);
      await store.detections.add(result.detections);
      for (const i of incidents) {
        await store.incidents.put(incidentRecord(i));
      }
      const spans = result.files.map((f) => f.counts);
      const firsts = spans.map((c) => c.firstTimestamp).filter((t) => !Number.isNaN(t));
      const lasts = spans.map((c) => c.lastTimestamp).filter((t) => !Number.isNaN(t));
      await store.jobs.update(job.id, {
        status: 'done',
        records: spans.reduce((n, c) => n + c.records, 0),
        issues: spans.reduce((n, c) => n + c.issues, 0),
        detections: result.detections.length,
        firstTimestamp: firsts.length > 0 ? Math.min(...firsts) : null,
        lastTimestamp: lasts.length > 0 ? Math.max(...lasts) : null,
        issueSamples: result.files.flatMap((f) => f.issues).slice(0, 50),
        finishedAt: Date.now(),
      });
    } finally {
      await store.close();
    }
  }
  const where = [options.incidents, options.report, options.db].filter(Boolean).join(', ');
  process.stderr.write(
    `${incidents.length} incident${incidents.length === 1 ? '' : 's'} written to ${where}\n`,
  );
  for (const i of incidents) process.stderr.write(`  ${terminalSafe(i.id)}  ${terminalSafe(i.title)}\n`);
}
