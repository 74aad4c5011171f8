/** Worker thread of `vigil scan`: compiles the rules once, then scans whole files the main thread hands it. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Level } from '../../core/detection.js';
import { walkEvidence } from '../../ingest/index.js';
import { prepareEngine, scanFile, type WorkerCommand, type WorkerMessage } from './pipeline.js';

interface WorkerConfig {
  rulePaths: string[];
  indicatorPaths: string[];
  minLevel: Level;
  recover: boolean;
}

const port = parentPort;
if (!port) throw new Error('scan-worker must run in a worker thread');
const config = workerData as WorkerConfig;
const send = (message: WorkerMessage): void => port.postMessage(message);

const prepared = await prepareEngine(config);
send({
  type: 'ready',
  rulesLoaded: prepared.rulesLoaded,
  indicatorsLoaded: prepared.indicatorsLoaded,
  problems: prepared.problems,
});

port.on('message', (command: WorkerCommand) => {
  if (command.type === 'finish') {
    send({
      type: 'done',
      inputs: prepared.engine.takeCorrelationInputs(),
      events: prepared.engine.eventsSeen,
    });
    return;
  }
  void (async () => {
    for await (const item of walkEvidence([command.path], { recover: config.recover })) {
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
      );
      send({ type: 'file', report });
    }
    send({ type: 'idle' });
  })().catch((error: unknown) => {
    send({
      type: 'problem',
      issue: { code: 'scan.file.failed', message: String(error), file: command.path, severity: 'error' },
    });
    send({ type: 'idle' });
  });
});
