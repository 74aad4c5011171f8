/** Worker thread of `vigil scan`: compiles the rules once, then scans whole files the main thread hands it. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Detection, Level } from '../../core/detection.js';
import type { CachedRules } from '../../detect/sigma/index.js';
import { readEvtxFile } from '../../ingest/evtx/index.js';
import type { WorkerCommand, WorkerMessage } from './pipeline.js';
import { newFactCollector, prepareEngine, scanFile } from './prepare.js';

interface WorkerConfig {
  rulePaths: string[];
  indicatorPaths: string[];
  minLevel: Level;
  recover: boolean;
  investigate: boolean;
  ruleCacheDir?: string;
  disabledRuleIds: string[];
  prefilterArena?: SharedArrayBuffer;
  cachedRules?: CachedRules;
}

const port = parentPort;
if (!port) throw new Error('scan-worker must run in a worker thread');
const config = workerData as WorkerConfig;
const send = (message: WorkerMessage): void => port.postMessage(message);

/**
 * Detections wait here and go to the main thread in batches, with each progress count and at the end
 * of a work item: a message per event with a hit cost ≈ 0.7 CPU s per worker on the 200 MB bench file,
 * and the main thread only sorts them once every worker is done.
 */
const pending: Detection[] = [];
const hold = (detections: Detection[]): void => {
  for (const d of detections) pending.push(d);
};
const flush = (): void => {
  if (pending.length === 0) return;
  send({ type: 'detections', detections: pending.splice(0) });
};
const countRecords = (count: number): void => {
  flush();
  send({ type: 'records', count });
};

const prepared = await prepareEngine(config);
const facts = config.investigate ? await newFactCollector() : undefined;
send({
  type: 'ready',
  rulesLoaded: prepared.rulesLoaded,
  indicatorsLoaded: prepared.indicatorsLoaded,
  problems: prepared.problems,
  correlations: [...prepared.correlations],
});

port.on('message', (command: WorkerCommand) => {
  if (command.type === 'finish') {
    send({
      type: 'done',
      inputs: prepared.engine.takeCorrelationInputs(),
      events: prepared.engine.eventsSeen,
      ...(facts ? { facts } : {}),
    });
    return;
  }
  const { item: work } = command;
  void (async () => {
    if (work.range) {
      // One chunk range of a large .evtx; the main thread merges the ranges' reports.
      const file = { path: work.path, format: 'evtx' as const, size: work.size };
      const records = readEvtxFile(work.path, { recover: config.recover, ...work.range });
      const report = await scanFile(
        prepared.engine,
        file,
        records,
        hold,
        countRecords,
        facts,
      );
      flush();
      send({ type: 'file', report });
      send({ type: 'idle' });
      return;
    }
    // Every reader (and the archive ones' libraries), loaded on the first whole file: chunk ranges of
    // a large .evtx need only the evtx reader.
    const { walkEvidence } = await import('../../ingest/index.js');
    for await (const item of walkEvidence([work.path], { recover: config.recover })) {
      if (item.file === null) {
        send({ type: 'problem', issue: item.issue });
        continue;
      }
      const report = await scanFile(
        prepared.engine,
        item.file,
        item.records,
        hold,
        countRecords,
        facts,
      );
      flush();
      send({ type: 'file', report });
    }
    send({ type: 'idle' });
  })().catch((error: unknown) => {
    flush();
    send({
      type: 'problem',
      issue: { code: 'scan.file.failed', message: String(error), file: work.path, severity: 'error' },
    });
    send({ type: 'idle' });
  });
});
