/**
 * `vigil scan` wiring: evidence files → readers → detection engine → detections, in-process or spread
 * over worker threads by file (each worker compiles the rules once and scans whole files), then
 * correlations over every base match, in time order.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Detection, Level } from '../../core/detection.js';
import { levelRank } from '../../core/detection.js';
import { compareSources } from '../../core/event.js';
import type { Issue } from '../../core/issue.js';
import { issue } from '../../core/issue.js';
import type { ReadCounts } from '../../core/reader.js';
import { startWorker, workerUrl } from '../../core/workers.js';
import type { BaseMatch } from '../../detect/sigma/correlation/engine.js';
import { correlate } from '../../detect/sigma/correlation/engine.js';
import {
  cacheRules,
  createPrefilterArena,
  type CorrelationRule,
} from '../../detect/sigma/index.js';
import { evtxChunkRanges, hasEvtxMagic } from '../../ingest/evtx/index.js';
import type { FactCollector, FactSnapshot } from '../../investigate/index.js';
import {
  ISSUES_KEPT_PER_FILE,
  newFactCollector,
  prepareEngine,
  scanFile,
  type FileReport,
  type ScanConfig,
} from './prepare.js';

export { prepareEngine, scanFile, type FileReport, type ScanConfig } from './prepare.js';

export interface ScanProgress {
  onFile?(report: FileReport): void;
  onRecords?(records: number): void;
}

export interface ScanResult {
  readonly detections: Detection[];
  readonly files: FileReport[];
  /** Problems with inputs that are not a file's records: unreadable paths, rule problems. */
  readonly problems: Issue[];
  readonly rulesLoaded: number;
  readonly indicatorsLoaded: number;
  readonly events: number;
  /** When `investigate` was set. */
  readonly facts?: FactCollector;
  /** Worker threads the scan ran on (0: the main thread). */
  readonly threads: number;
}


export async function runScan(config: ScanConfig, progress: ScanProgress = {}): Promise<ScanResult> {
  if (config.workers === 0) return runScanHere(config, progress);
  // The main thread only lists files; workers sniff, open (archives too), read and match them.
  const problems: Issue[] = [];
  const queue = await listFiles(config.paths, problems);
  const cores = availableParallelism();
  const count =
    config.workers === 'auto'
      ? autoWorkers(queue.reduce((n, item) => n + item.size, 0), Math.min(cores, queue.length))
      : Math.max(1, Math.min(config.workers, queue.length, cores));
  // Problems of the listing are found again by the walk of the main thread's scan.
  if (count === 0) return runScanHere(config, progress);
  return runScanInWorkers(config, progress, queue, problems, count);
}

/**
 * Input bytes a worker thread must have to pay for itself. Each worker is a V8 isolate of its own:
 * it starts Node, reads the rule cache, compiles the rules its events meet and, above all, compiles
 * the hot code again. Measured on the scan bench's .evtx: ≈ 1.1 CPU s more per worker (≈ 0.6 s of
 * it on V8's helper threads: the optimising compiler, GC), against ≈ 0.0066 CPU s per MB scanned.
 * Below about 400 MB two workers were no faster than the main thread alone (200 MB: 2.09 s against
 * 1.95 s) and used 50 % more CPU; at 1,000 MB they were 1.3 × faster. See docs/benchmarks.md.
 */
export const AUTO_BYTES_PER_WORKER = 192 * 1024 * 1024;
/** At most, as before `auto` looked at sizes (more was never measured: this machine has two cores). */
const AUTO_WORKERS_MAX = 4;

/**
 * How many worker threads `--workers auto` uses for this many input bytes on this many cores (or work
 * items, when there are fewer: a file a worker cannot share out is one worker's): one per
 * AUTO_BYTES_PER_WORKER, up to the cores and AUTO_WORKERS_MAX; none (the main thread scans) when
 * that makes fewer than two, since one worker only adds its start-up to the main thread's work.
 */
export function autoWorkers(inputBytes: number, cores: number): number {
  const count = Math.min(Math.floor(inputBytes / AUTO_BYTES_PER_WORKER), cores, AUTO_WORKERS_MAX);
  return count >= 2 ? count : 0;
}

async function runScanHere(config: ScanConfig, progress: ScanProgress): Promise<ScanResult> {
  const prepared = await prepareEngine(config);
  const detections: Detection[] = [];
  const files: FileReport[] = [];
  const problems = [...prepared.problems];
  const facts = config.investigate ? await newFactCollector() : undefined;
  // Every reader (and the archive ones' libraries): loaded only by a scan that reads files here.
  const { walkEvidence } = await import('../../ingest/index.js');
  for await (const item of walkEvidence(config.paths, { recover: config.recover })) {
    if (item.file === null) {
      problems.push(item.issue);
      continue;
    }
    const report = await scanFile(
      prepared.engine,
      item.file,
      item.records,
      (found) => detections.push(...found),
      (n) => progress.onRecords?.(n),
      facts,
    );
    files.push(report);
    progress.onFile?.(report);
  }
  detections.push(
    ...correlateAtLevel(prepared.correlations, prepared.engine.takeCorrelationInputs(), config.minLevel),
  );
  detections.sort(byTime);
  return {
    detections,
    files,
    problems,
    rulesLoaded: prepared.rulesLoaded,
    indicatorsLoaded: prepared.indicatorsLoaded,
    events: prepared.engine.eventsSeen,
    ...(facts ? { facts } : {}),
    threads: 0,
  };
}

/** Messages from scan-worker.ts. */
export type WorkerMessage =
  | {
      type: 'ready';
      rulesLoaded: number;
      indicatorsLoaded: number;
      problems: Issue[];
      correlations: CorrelationRule[];
    }
  | { type: 'detections'; detections: Detection[] }
  | { type: 'records'; count: number }
  | { type: 'file'; report: FileReport }
  | { type: 'problem'; issue: Issue }
  | { type: 'idle' }
  | { type: 'done'; inputs: BaseMatch[]; events: number; facts?: FactSnapshot };

/** A unit of work: one evidence file, or a chunk range of one large .evtx. */
export interface WorkItem {
  readonly path: string;
  readonly size: number;
  readonly range?: { readonly firstChunk: number; readonly endChunk: number };
}

/** Messages to scan-worker.ts: a work item to scan, or stop. */
export type WorkerCommand = { type: 'scan'; item: WorkItem } | { type: 'finish' };

/** Large .evtx files are cut into ranges of about this many bytes so every worker shares them. */
const EVTX_RANGE_BYTES = 32 * 1024 * 1024;

async function runScanInWorkers(
  config: ScanConfig,
  progress: ScanProgress,
  queue: WorkItem[],
  problems: Issue[],
  count: number,
): Promise<ScanResult> {
  const detections: Detection[] = [];
  const files: FileReport[] = [];
  const inputs: BaseMatch[] = [];
  let rulesLoaded = 0;
  let indicatorsLoaded = 0;
  let events = 0;
  const facts = config.investigate ? await newFactCollector() : undefined;
  const { mergeFacts } = facts ? await import('../../investigate/index.js') : { mergeFacts: undefined };
  // The first worker sends the correlation rules it loaded: the main thread needs them only at the end.
  let correlations: CorrelationRule[] = [];
  // Each bucket prefilter is built by the first worker that meets it and read by the others.
  const prefilterArena = count > 1 ? createPrefilterArena() : undefined;
  // Checked against the rule files here, once, not by every worker: each then only reads the cache.
  const cachedRules = config.ruleCacheDir
    ? await cacheRules(config.rulePaths, { cacheDir: config.ruleCacheDir })
    : undefined;

  const runOne = (first: boolean) =>
    new Promise<void>((resolve, reject) => {
      const worker = startWorker(workerUrl(import.meta.url, './scan-worker'), {
        workerData: {
          rulePaths: config.rulePaths,
          ...(config.ruleCacheDir ? { ruleCacheDir: config.ruleCacheDir } : {}),
          indicatorPaths: config.indicatorPaths,
          minLevel: config.minLevel,
          recover: config.recover,
          investigate: config.investigate ?? false,
          disabledRuleIds: config.disabledRuleIds ?? [],
          ...(prefilterArena ? { prefilterArena } : {}),
          ...(cachedRules ? { cachedRules } : {}),
        },
      });
      const next = () => {
        const item = queue.shift();
        const command: WorkerCommand = item === undefined ? { type: 'finish' } : { type: 'scan', item };
        worker.postMessage(command);
      };
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            if (first) {
              rulesLoaded = message.rulesLoaded;
              indicatorsLoaded = message.indicatorsLoaded;
              problems.push(...message.problems);
              correlations = message.correlations;
            }
            next();
            break;
          case 'detections':
            detections.push(...message.detections);
            break;
          case 'records':
            progress.onRecords?.(message.count);
            break;
          case 'file':
            files.push(message.report);
            progress.onFile?.(message.report);
            break;
          case 'problem':
            problems.push(message.issue);
            break;
          case 'idle':
            next();
            break;
          case 'done':
            inputs.push(...message.inputs);
            events += message.events;
            if (facts && mergeFacts && message.facts) mergeFacts(facts, message.facts);
            void worker.terminate();
            resolve();
            break;
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0 && code !== 1) reject(new Error(`scan worker exited with ${code}`));
      });
    });

  await Promise.all(Array.from({ length: count }, (_, i) => runOne(i === 0)));
  detections.push(...correlateAtLevel(correlations, inputs, config.minLevel));
  detections.sort(byTime);
  const merged = mergeRanges(files);
  merged.sort((a, b) => a.file.path.localeCompare(b.file.path));
  return {
    detections,
    files: merged,
    problems,
    rulesLoaded,
    indicatorsLoaded,
    events,
    ...(facts ? { facts } : {}),
    threads: count,
  };
}

/** One report per file again, after its chunk ranges were scanned apart. */
function mergeRanges(reports: readonly FileReport[]): FileReport[] {
  const byPath = new Map<string, FileReport>();
  for (const r of reports) {
    const seen = byPath.get(r.file.path);
    if (!seen) {
      byPath.set(r.file.path, r);
      continue;
    }
    const earliest = [seen.counts.firstTimestamp, r.counts.firstTimestamp].filter((t) => !Number.isNaN(t));
    const latest = [seen.counts.lastTimestamp, r.counts.lastTimestamp].filter((t) => !Number.isNaN(t));
    const counts: ReadCounts = {
      records: seen.counts.records + r.counts.records,
      issues: seen.counts.issues + r.counts.issues,
      firstTimestamp: earliest.length > 0 ? Math.min(...earliest) : Number.NaN,
      lastTimestamp: latest.length > 0 ? Math.max(...latest) : Number.NaN,
    };
    byPath.set(r.file.path, {
      file: { ...seen.file, size: (seen.file.size ?? 0) + (r.file.size ?? 0) },
      counts,
      issues: [...seen.issues, ...r.issues].slice(0, ISSUES_KEPT_PER_FILE),
      detections: seen.detections + r.detections,
      bytes: seen.bytes + r.bytes,
    });
  }
  return [...byPath.values()];
}

/** Correlation detections at or above the reporting level (their inputs were kept whatever theirs). */
function correlateAtLevel(
  rules: readonly CorrelationRule[],
  inputs: readonly BaseMatch[],
  minLevel: Level,
): Detection[] {
  const min = levelRank(minLevel);
  return correlate(rules, inputs).filter((d) => levelRank(d.level) >= min);
}

/**
 * Time order, ties by source file and place in it: worker threads finish files and chunk ranges in any
 * order, and the same evidence must give the same timeline (detections of one event keep the engine's
 * order, as the sort is stable).
 */
function byTime(a: Detection, b: Detection): number {
  const byTimestamp = (a.timestamp || 0) - (b.timestamp || 0);
  if (byTimestamp !== 0) return byTimestamp;
  const bySource = compareSources(a.source, b.source);
  if (bySource !== 0) return bySource;
  // One event can meet several rules, and a correlation fires at its last event's time and place:
  // the order they reach the main thread in depends on the workers' timing, so name decides.
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

/** A correlation after the detections it follows from. */
const KIND_ORDER: Readonly<Record<Detection['kind'], number>> = { sigma: 0, indicator: 1, correlation: 2 };

/**
 * Regular files under the paths as work items, largest first so the long ones start early; a large
 * .evtx (known by its magic, not its name) becomes several chunk ranges.
 */
async function listFiles(paths: readonly string[], problems: Issue[]): Promise<WorkItem[]> {
  const found: { path: string; size: number }[] = [];
  const seen = new Set<string>();
  const visit = async (path: string, depth: number): Promise<void> => {
    try {
      const info = await stat(path);
      const key = `${info.dev}:${info.ino}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (info.isDirectory()) {
        if (depth > 64) return;
        for (const name of (await readdir(path)).sort()) await visit(join(path, name), depth + 1);
      } else if (info.isFile()) found.push({ path, size: info.size });
    } catch (error) {
      problems.push(issue('scan.path.unreadable', (error as Error).message, { file: path }));
    }
  };
  for (const path of paths) await visit(path, 0);
  const items: WorkItem[] = [];
  for (const f of found) {
    if (f.size > 2 * EVTX_RANGE_BYTES && (await startsWithEvtxMagic(f.path))) {
      const ranges = evtxChunkRanges(f.size, Math.ceil(f.size / EVTX_RANGE_BYTES));
      for (const range of ranges)
        items.push({ path: f.path, size: Math.round(f.size / ranges.length), range });
    } else items.push(f);
  }
  return items.sort((a, b) => b.size - a.size);
}

async function startsWithEvtxMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(8);
    await handle.read(head, 0, 8, 0);
    return hasEvtxMagic(head);
  } finally {
    await handle.close();
  }
}
