/** Worker-thread entry for one ingest job (ingest.ts): its own store connection, progress by message. */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/index.js';
import { JobCancelled, runIngestJob, type IngestJobConfig } from './ingest.js';

export interface IngestWorkerData {
  readonly storeUrl: string | undefined;
  readonly dataDir: string;
  readonly jobId: string;
  readonly config: IngestJobConfig;
}

export type IngestWorkerMessage =
  | { readonly type: 'progress'; readonly records: number }
  | { readonly type: 'done' }
  | { readonly type: 'cancelled' }
  | { readonly type: 'failed'; readonly message: string };

const port = parentPort;
if (!port) throw new Error('ingest-worker must run in a worker thread');
const data = workerData as IngestWorkerData;
const abort = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'cancel') abort.abort();
});
const post = (m: IngestWorkerMessage): void => port.postMessage(m);

const store = await openStore(data.storeUrl, data.dataDir);
try {
  const job = await store.jobs.get(data.jobId);
  if (!job) throw new Error(`no ingest job ${data.jobId}`);
  await runIngestJob(store, job, data.config, abort.signal, (records) => post({ type: 'progress', records }));
  post({ type: 'done' });
} catch (error) {
  if (error instanceof JobCancelled) {
    await store.jobs.update(data.jobId, { status: 'cancelled', finishedAt: Date.now() });
    post({ type: 'cancelled' });
  } else {
    const message = (error as Error).message;
    await store.jobs.update(data.jobId, { status: 'failed', finishedAt: Date.now() }).catch(() => undefined);
    post({ type: 'failed', message });
  }
} finally {
  await store.close();
  port.close();
}
