/**
 * Feed intake over two threads: a worker parses the report and prepares its events (intake-worker.ts)
 * while this thread deduplicates, puts events into cases and writes the store. The store's thread
 * takes the batches in the report's order, so the result is the one `runIntake` gives in one thread.
 *
 *   const result = await runIntakeInWorker({ source: { path }, parser: 'shadowserver', … }, { feed, sink });
 */
import type { Worker } from 'node:worker_threads';
import {
  DEFAULT_DEDUP_RULES,
  INTAKE_BATCH,
  ruleFor,
  runPreparedIntake,
  type IntakeResult,
  type PreparedBatch,
  type PreparedIntakeOptions,
} from '../../cases/intake/index.js';
import { VigilError } from '../../core/errors.js';
import { startWorker, workerUrl } from '../../core/workers.js';
import { geoDatabase } from '../../enrich/geo.js';
import { unpackBatch, type FromIntakeWorker, type IntakeWorkerData, type ReportSetup, type ToIntakeWorker } from './protocol.js';

const WORKER_YOUNG_GENERATION_MB = 64;

export interface WorkerIntakeSetup extends ReportSetup {
  /** A file the worker reads, or a byte stream (HTTP body, upload) this thread reads and hands over. */
  readonly source: { readonly path: string } | { readonly body: AsyncIterable<Uint8Array> };
}

export async function runIntakeInWorker(setup: WorkerIntakeSetup, options: PreparedIntakeOptions): Promise<IntakeResult> {
  const { source, ...report } = setup;
  const data: IntakeWorkerData = {
    ...report,
    path: 'path' in source ? source.path : null,
    feed: options.feed,
    rule: ruleFor(options.rules ?? DEFAULT_DEDUP_RULES, options.feed),
    cases: options.cases ?? true,
    batchSize: options.batchSize ?? INTAKE_BATCH,
    geo: geoDatabase().shared(),
  };
  // A larger young generation than the default: fewer scavenges of the batch being prepared (measured a few per cent).
  const worker = startWorker(workerUrl(import.meta.url, './intake-worker'), {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  try {
    const result = await runPreparedIntake(batchesFrom(worker, 'body' in source ? source.body : null), options);
    return { ...result, inWorker: true };
  } finally {
    await worker.terminate();
  }
}

/** The worker's batches in order; each one, once taken in, lets the worker prepare another. */
async function* batchesFrom(worker: Worker, body: AsyncIterable<Uint8Array> | null): AsyncGenerator<PreparedBatch> {
  const send = (message: ToIntakeWorker, transfer: ArrayBuffer[] = []): void => worker.postMessage(message, transfer);
  const arrived: (PreparedBatch | 'done')[] = [];
  // Set by the worker's handlers; an object, so the loop below reads what they wrote.
  const failed: { error: Error | null } = { error: null };
  let wake: (() => void) | null = null;
  const wakeUp = (): void => {
    wake?.();
    wake = null;
  };
  const fail = (error: Error): void => {
    failed.error ??= error;
    wakeUp();
  };

  // Bytes are read only when the worker asks, one request at a time: the parser's pace is the reading's.
  const reader = body?.[Symbol.asyncIterator]();
  let reading = Promise.resolve();
  const handOver = async (): Promise<void> => {
    const next = await reader!.next();
    if (next.done) return send({ type: 'end' });
    const bytes = new Uint8Array(next.value); // a copy of its own, so its buffer can be moved
    send({ type: 'chunk', bytes }, [bytes.buffer]);
  };

  worker.on('message', (message: FromIntakeWorker) => {
    if (message.type === 'more') reading = reading.then(handOver).catch((e: unknown) => fail(e as Error));
    else if (message.type === 'failed') fail(new VigilError(message.code ?? 'feeds.intake.failed', message.message));
    else {
      arrived.push(message.type === 'done' ? 'done' : unpackBatch(message.batch));
      wakeUp();
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new VigilError('feeds.intake.failed', `the intake worker stopped (exit code ${code}) before the report was read`)));

  for (;;) {
    if (failed.error) throw failed.error;
    const next = arrived.shift();
    if (next === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    if (next === 'done') return;
    yield next;
    send({ type: 'taken' });
  }
}
