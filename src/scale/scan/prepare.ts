/**
 * What one scan thread (a worker, or the main thread scanning alone) needs: the engine made once, and
 * the scan of one file's records with it. Apart from pipeline.ts so a worker loads only this, the
 * engine and the readers it uses (not every reader, the incident facts or correlation).
 */
import type { Detection, Level } from '../../core/detection.js';
import type { Issue } from '../../core/issue.js';
import { countResult, emptyCounts, type ReadCounts, type ReadResult } from '../../core/reader.js';
import { DetectionEngine } from '../../detect/engine.js';
import {
  cacheRules,
  compileRuleSet,
  loadCachedRules,
  loadDefaultMapping,
  loadIndexedRules,
  leaveOutRules,
  loadRules,
  PrefilterArena,
  prefilterStoreFor,
  type CachedRules,
} from '../../detect/sigma/index.js';
import type { EvidenceFile } from '../../ingest/index.js';
import type { FactCollector } from '../../investigate/index.js';

export interface ScanConfig {
  readonly paths: readonly string[];
  readonly rulePaths: readonly string[];
  readonly indicatorPaths: readonly string[];
  readonly minLevel: Level;
  readonly recover: boolean;
  /**
   * Worker threads: 0 = in this thread; N = exactly N (at most one per work item and per core);
   * 'auto' = as many as the input's size pays for (autoWorkers).
   */
  readonly workers: number | 'auto';
  /** Gather what incident building needs (facts.ts) while scanning. */
  readonly investigate?: boolean;
  /** Where parsed rule sets are cached between runs (none: parse every time). */
  readonly ruleCacheDir?: string;
  /** Rules (and correlations) switched off by id: loaded, then left out. */
  readonly disabledRuleIds?: readonly string[];
}

export interface FileReport {
  readonly file: EvidenceFile;
  readonly counts: ReadCounts;
  readonly issues: readonly Issue[];
  readonly detections: number;
  readonly bytes: number;
}

/** Issues kept per file in the report; the count is always exact. */
export const ISSUES_KEPT_PER_FILE = 50;

/** What a worker (or the in-process scan) builds once: compiled rules and indicators. */
export async function prepareEngine(
  config: Pick<
    ScanConfig,
    'rulePaths' | 'indicatorPaths' | 'minLevel' | 'ruleCacheDir' | 'disabledRuleIds'
  > & {
    /** The scan's shared prefilter arena (workers only: adopting waits for another worker's build). */
    readonly prefilterArena?: SharedArrayBuffer;
    /** The rule set as the main thread found it in the cache (workers only). */
    readonly cachedRules?: CachedRules;
  },
) {
  const problems: Issue[] = [];
  const cached =
    config.cachedRules ??
    (config.ruleCacheDir ? await cacheRules(config.rulePaths, { cacheDir: config.ruleCacheDir }) : undefined);
  const disabled = config.disabledRuleIds ?? [];
  const indexed = cached && (await loadIndexedRules(cached, disabled));
  const { ruleSet, correlations, rulesLoaded } = indexed
    ? {
        ruleSet: indexed.ruleSet({
          ...(config.prefilterArena ? { prefilterArena: new PrefilterArena(config.prefilterArena) } : {}),
          prefilterStore: prefilterStoreFor(cached, disabled),
        }),
        correlations: indexed.correlations,
        rulesLoaded: indexed.rulesLoaded,
      }
    : await compileUncached(config, cached, problems);
  if (indexed) problems.push(...indexed.problems);
  let indicators;
  let indicatorsLoaded = 0;
  if (config.indicatorPaths.length > 0) {
    const { loadIndicators } = await import('../../detect/indicators/index.js');
    const loaded = await loadIndicators(config.indicatorPaths);
    problems.push(...loaded.problems);
    indicators = loaded.set;
    indicatorsLoaded = loaded.set.size;
  }
  const engine = new DetectionEngine({
    ruleSet,
    correlations,
    minLevel: config.minLevel,
    ...(indicators ? { indicators } : {}),
  });
  return { engine, problems, correlations, rulesLoaded, indicatorsLoaded };
}

/** The rules without the indexed cache (none, or unreadable): every rule read and indexed here. */
async function compileUncached(
  config: Parameters<typeof prepareEngine>[0],
  cached: CachedRules | undefined,
  problems: Issue[],
) {
  const fromCache = cached && (await loadCachedRules(cached));
  const load =
    fromCache ??
    (await loadRules(config.rulePaths, config.ruleCacheDir ? { cacheDir: config.ruleCacheDir } : {}));
  problems.push(...load.problems);
  leaveOutRules(load, config.disabledRuleIds ?? []);
  const { ruleSet, problems: compileProblems } = compileRuleSet(load, loadDefaultMapping(), {
    ...(config.prefilterArena ? { prefilterArena: new PrefilterArena(config.prefilterArena) } : {}),
    // Named for the rule cache the rules came from: built buckets are read back by later scans.
    ...(cached && fromCache
      ? { prefilterStore: prefilterStoreFor(cached, config.disabledRuleIds ?? []) }
      : {}),
    // Made with the default mapping when the rule cache was filled: compile only what events meet.
    ...(load.compileCheck ? { compileCheck: load.compileCheck } : {}),
  });
  problems.push(...compileProblems);
  return { ruleSet, correlations: load.correlations, rulesLoaded: ruleSet.rules.length };
}

/** Scans one already-opened evidence file with an engine; the unit of work of a worker. */
export async function scanFile(
  engine: DetectionEngine,
  file: EvidenceFile,
  records: AsyncIterable<ReadResult>,
  emit: (detections: Detection[]) => void,
  onRecords?: (n: number) => void,
  facts?: FactCollector,
): Promise<FileReport> {
  const counts = emptyCounts();
  const issues: Issue[] = [];
  let detections = 0;
  let sinceProgress = 0;
  for await (const result of records) {
    countResult(counts, result);
    if (!result.ok) {
      if (issues.length < ISSUES_KEPT_PER_FILE) issues.push(result.issue);
      continue;
    }
    const found = engine.process(result.event);
    facts?.observe(result.event, found);
    if (found.length > 0) {
      detections += found.length;
      emit(found);
    }
    if (++sinceProgress === 4096) {
      onRecords?.(sinceProgress);
      sinceProgress = 0;
    }
  }
  if (sinceProgress > 0) onRecords?.(sinceProgress);
  return { file, counts, issues, detections, bytes: file.size ?? 0 };
}

/** Incident facts are gathered only when asked for: their modules (GeoIP …) are not loaded otherwise. */
export async function newFactCollector(): Promise<FactCollector> {
  const { FactCollector } = await import('../../investigate/index.js');
  return new FactCollector();
}
