import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Locating worker-thread entry files both from compiled dist/ (.js) and from source under tsx (.ts). */

/** `workerUrl(import.meta.url, './chunk-worker')` → the sibling file with the caller's own extension. */
export function workerUrl(callerUrl: string, relativeNoExt: string): URL {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(relativeNoExt + ext, callerUrl);
}

/**
 * Starts a worker on `url`. A .ts entry (tests and benchmarks run under tsx) gets a small bootstrap
 * that registers tsx first: Node 20 does not hand the main thread's module hooks to workers.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
