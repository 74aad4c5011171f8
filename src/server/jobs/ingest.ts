/**
 * One ingest job, start to end: every event of the uploaded evidence into the store (in committed
 * batches, so a crash loses nothing that was stored and a rerun stores nothing twice), then the scan
 * — rules, indicators, correlations — and the incidents reconstructed from it. Detections and
 * incidents are written only once the scan is complete, so a cancelled or killed job leaves none
 * half-written. Runs in a worker thread (ingest-worker.ts), off the server's request path.
 */
import { incidentRecord } from '../../store/incident-record.js';
import type { Issue } from '../../core/issue.js';
import { countResult, emptyCounts } from '../../core/reader.js';
import type { Event } from '../../core/event.js';
import { geoDatabase } from '../../enrich/geo.js';
import { walkEvidence } from '../../ingest/index.js';
import { buildIncidents } from '../../investigate/index.js';
import { runScan } from '../../scale/scan/pipeline.js';
import type { IngestJob, Store } from '../../store/index.js';

export interface IngestJobConfig {
  readonly rulePaths: readonly string[];
  readonly disabledRuleIds: readonly string[];
  readonly indicatorPaths: readonly string[];
  readonly ruleCacheDir?: string;
  readonly homeCountry: string;
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

const STORE_BATCH = 5_000;
const ISSUE_SAMPLES = 50;

export async function runIngestJob(
  store: Store,
  job: IngestJob,
  config: IngestJobConfig,
  signal: AbortSignal,
  onProgress: (records: number) => void = () => {},
): Promise<IngestJob> {
  const check = (): void => {
    if (signal.aborted) throw new JobCancelled();
  };
  await store.jobs.update(job.id, {
    status: 'running',
    records: 0,
    issues: 0,
    detections: 0,
    finishedAt: null,
  });
  let batch: Event[] = [];
  let records = 0;
  let issues = 0;
  let first = Infinity;
  let last = -Infinity;
  const samples: Issue[] = [];
  const flush = async (): Promise<void> => {
    check();
    if (batch.length > 0) await store.events.add(batch);
    batch = [];
    await store.jobs.update(job.id, { records, issues });
    onProgress(records);
  };
  for await (const item of walkEvidence(job.paths)) {
    if (item.file === null) {
      issues++;
      if (samples.length < ISSUE_SAMPLES) samples.push(item.issue);
      continue;
    }
    const counts = emptyCounts();
    for await (const r of item.records) {
      countResult(counts, r);
      if (r.ok) {
        batch.push(r.event);
        if (batch.length >= STORE_BATCH) await flush();
      } else if (samples.length < ISSUE_SAMPLES) samples.push(r.issue);
    }
    records += counts.records;
    issues += counts.issues;
    if (!Number.isNaN(counts.firstTimestamp)) first = Math.min(first, counts.firstTimestamp);
    if (!Number.isNaN(counts.lastTimestamp)) last = Math.max(last, counts.lastTimestamp);
  }
  await flush();

  check();
  const scan = await runScan({
    paths: job.paths,
    rulePaths: config.rulePaths,
    indicatorPaths: config.indicatorPaths,
    minLevel: 'informational',
    recover: false,
    workers: 0,
    investigate: true,
    disabledRuleIds: config.disabledRuleIds,
    ...(config.ruleCacheDir ? { ruleCacheDir: config.ruleCacheDir } : {}),
  });
  check();
  const incidents = scan.facts
    ? buildIncidents(scan.facts, { geo: geoDatabase(), homeCountry: config.homeCountry })
    : [];
  await store.detections.add(scan.detections);
  for (const i of incidents) await store.incidents.put(incidentRecord(i));
  return store.jobs.update(job.id, {
    status: 'done',
    records,
    issues,
    detections: scan.detections.length,
    firstTimestamp: Number.isFinite(first) ? first : null,
    lastTimestamp: Number.isFinite(last) ? last : null,
    issueSamples: samples,
    finishedAt: Date.now(),
  });
}
