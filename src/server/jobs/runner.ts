/**
 * The ingest queue: jobs live in the store, so the queue survives a restart. One job runs at a time
 * in a worker thread; a job found `running` at start was cut off (crash, kill -9) and runs again
 * from the start — every write is idempotent, so nothing is stored twice.
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { startWorker, workerUrl } from '../../core/workers.js';
import type { IngestJob, Store } from '../../store/index.js';
import type { IngestJobConfig } from './ingest.js';
import type { IngestWorkerData, IngestWorkerMessage } from './ingest-worker.js';

export interface JobRunnerOptions {
  readonly store: Store;
  readonly storeUrl: string | undefined;
  readonly dataDir: string;
  /** The job's rules and settings, read when it starts (so a rule switched off applies to the next job). */
  readonly config: () => Promise<IngestJobConfig>;
  readonly log: (message: string) => void;
}

export class JobRunner {
  /** `change` (job id) whenever a job's status or progress moves. */
  readonly events = new EventEmitter();
  #active: { jobId: string; worker: Worker } | undefined;
  #pumping = false;
  #stopped = false;
  #started = false;
  #idle: (() => void)[] = [];

  constructor(readonly options: JobRunnerOptions) {
    this.events.setMaxListeners(0);
  }

  /** Requeues jobs a previous process left running, then starts the queue. */
  async start(): Promise<void> {
    for (const job of await this.options.store.jobs.list(10_000)) {
      if (job.status === 'running') {
        this.options.log(`ingest job ${job.id} was interrupted; running it again`);
        await this.options.store.jobs.update(job.id, { status: 'queued' });
      }
    }
    this.#started = true;
    void this.#pump();
  }

  enqueue(): void {
    void this.#pump();
  }

  /** Cancels a queued job at once, a running one at its next batch. */
  async cancel(job: IngestJob): Promise<IngestJob> {
    if (job.status === 'queued') {
      return this.options.store.jobs.update(job.id, { status: 'cancelled', finishedAt: Date.now() });
    }
    if (job.status === 'running' && this.#active?.jobId === job.id) this.#active.worker.postMessage('cancel');
    return job;
  }

  async rerun(job: IngestJob): Promise<IngestJob> {
    const queued = await this.options.store.jobs.update(job.id, { status: 'queued', finishedAt: null });
    this.events.emit('change', job.id);
    void this.#pump();
    return queued;
  }

  /** Resolves once nothing is running or queued (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (!this.#active && !this.#pumping) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    // Terminating mid-job is safe: the job stays `running` and is rerun at the next start.
    await this.#active?.worker.terminate();
  }

  async #next(): Promise<IngestJob | undefined> {
    const queued = (await this.options.store.jobs.list(10_000)).filter((j) => j.status === 'queued');
    return queued.sort((a, b) => a.createdAt - b.createdAt)[0];
  }

  async #pump(): Promise<void> {
    if (this.#pumping || this.#stopped || !this.#started) return;
    this.#pumping = true;
    try {
      for (let job = await this.#next(); job && !this.#stopped; job = await this.#next()) {
        await this.#run(job);
      }
    } catch (error) {
      this.options.log(`ingest queue: ${(error as Error).message}`);
    } finally {
      this.#pumping = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #run(job: IngestJob): Promise<void> {
    const data: IngestWorkerData = {
      storeUrl: this.options.storeUrl,
      dataDir: this.options.dataDir,
      jobId: job.id,
      config: await this.options.config(),
    };
    const worker = startWorker(workerUrl(import.meta.url, './ingest-worker'), { workerData: data });
    this.#active = { jobId: job.id, worker };
    this.events.emit('change', job.id);
    await new Promise<void>((resolve) => {
      worker.on('message', (m: IngestWorkerMessage) => {
        if (m.type === 'failed') this.options.log(`ingest job ${job.id} failed: ${m.message}`);
        this.events.emit('change', job.id);
      });
      worker.on('error', (error) => {
        this.options.log(`ingest job ${job.id}: ${error.message}`);
        void this.options.store.jobs
          .update(job.id, { status: 'failed', finishedAt: Date.now() })
          .finally(resolve);
      });
      worker.on('exit', () => resolve());
    });
    this.#active = undefined;
    this.events.emit('change', job.id);
  }
}
