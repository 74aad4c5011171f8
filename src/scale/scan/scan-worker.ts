/** Worker thread of `vigil scan`: compiles the rules once, then scans whole files the main thread hands it. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Level } from '../../core/detection.js';
import type { CachedRules } from '../../detect/sigma/index.js';
import { readEvtxFile } from '../../ingest/evtx/index.js';
import { walkEvidence } from '../../ingest/index.js';
import { FactCollector } from '../../investigate/index.js';
import { prepareEngine, scanFile, type WorkerCommand, type WorkerMessage } from './pipeline.js';

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

const prepared = await prepareEngine(config);
const facts = config.investigate ? new FactCollector() : undefined;
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
        (detections) => send({ type: 'detections', detections }),
        (count) => send({ type: 'records', count }),
        facts,
      );
      send({ type: 'file', report });
      send({ type: 'idle' });
      return;
    }
    for await (const item of walkEvidence([work.path], { recover: config.recover })) {
      if (item.file === null) {
        send({ type: 'problem', issue: item.issue });
        continue;
      }
      const report = await scanFile(
        prepared.engine,
        item.file,
        item.records,
        (detections) => send({ type: 'detections', detections }),
        (count) => send({ type: 'records', count }),
        facts,
      );
      send({ type: 'file', report });
    }
    send({ type: 'idle' });
  })().catch((error: unknown) => {
    send({
      type: 'problem',
      issue: { code: 'scan.file.failed', message: String(error), file: work.path, severity: 'error' },
    });
    send({ type: 'idle' });
  });
});
