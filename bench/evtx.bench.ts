// EVTX parsing: our parser on one core (resolved trees, and full Events), with 2 worker threads over
// chunk ranges, and libevtx's evtxexport on the same file in the same run.
// Command: npm run bench -- evtx
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { evtxChunkRanges, readEvtxFile, walkEvtx } from '../src/ingest/evtx/index.js';
import { startWorker } from '../src/core/workers.js';
import { largeEvtx } from './fixtures.js';
import { median, table } from './report.js';

const MB = 1024 * 1024;
const path = largeEvtx(200);
const size = statSync(path).size;
const RUNS = 3;

async function time(run: () => Promise<number>): Promise<{ seconds: number; records: number }> {
  const start = performance.now();
  const records = await run();
  return { seconds: (performance.now() - start) / 1000, records };
}

async function repeat(run: () => Promise<number>) {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await time(run));
  return { seconds: median(results.map((r) => r.seconds)), records: results[0]!.records };
}

const trees = await repeat(async () => {
  let n = 0;
  for await (const r of walkEvtx(path)) if (r.ok) n++;
  return n;
});
const events = await repeat(async () => {
  let n = 0;
  for await (const r of readEvtxFile(path)) if (r.ok) n++;
  return n;
});
// Workers are started and have loaded the parser before the clock starts, as `vigil scan` keeps a
// pool: under tsx a worker takes a few hundred ms to register the TypeScript loader, which is not
// parsing (compiled, it is tens of ms). That start-up is measured on its own below.
async function startWorkers(count: number): Promise<{ workers: Worker[]; seconds: number }> {
  const start = performance.now();
  const workers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Worker>((resolve, reject) => {
          const worker = startWorker(new URL('./evtx-range-worker.ts', import.meta.url));
          worker.once('message', () => resolve(worker));
          worker.once('error', reject);
        }),
    ),
  );
  return { workers, seconds: (performance.now() - start) / 1000 };
}

function parseIn(worker: Worker, range: { firstChunk: number; endChunk: number }): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage({ path, ...range });
  });
}

const startUps: number[] = [];
const inWorkers = async (count: number) => {
  const { workers, seconds } = await startWorkers(count);
  startUps.push(seconds);
  try {
    return await repeat(async () => {
      const ranges = evtxChunkRanges(size, count);
      const counts = await Promise.all(ranges.map((range, i) => parseIn(workers[i]!, range)));
      return counts.reduce((a, b) => a + b, 0);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
};
const oneWorker = await inWorkers(1);
const twoWorkers = await inWorkers(2);

// libevtx, once (it is slow): XML export to /dev/null.
const peerStart = performance.now();
const peer = spawnSync('evtxexport', ['-f', 'xml', path], { stdio: ['ignore', 'ignore', 'ignore'] });
const peerSeconds = (performance.now() - peerStart) / 1000;
const peerOk = peer.status === 0;

const rate = (s: number) => `${(size / MB / s).toFixed(1)} MB/s`;
const rows = [
  ['Vigil, records to resolved trees, 1 core', trees.records, trees.seconds, rate(trees.seconds)],
  [
    'Vigil, records to Events (JSON shape + flat fields), 1 core',
    events.records,
    events.seconds,
    rate(events.seconds),
  ],
  ['Vigil, Events, 1 worker thread', oneWorker.records, oneWorker.seconds, rate(oneWorker.seconds)],
  [
    'Vigil, Events, 2 worker threads (chunk ranges)',
    twoWorkers.records,
    twoWorkers.seconds,
    rate(twoWorkers.seconds),
  ],
  peerOk
    ? ['libevtx `evtxexport -f xml` (Debian libevtx-utils)', '', peerSeconds, rate(peerSeconds)]
    : ['libevtx `evtxexport`', 'not installed', '', ''],
].map(([what, records, seconds, mbs]) => [
  String(what),
  String(records),
  typeof seconds === 'number' ? seconds.toFixed(2) : '',
  String(mbs),
]);

console.log(`## EVTX parsing

Command: \`npm run bench -- evtx\`. Input: ${(size / MB).toFixed(0)} MB .evtx built from every intact chunk of
evtx-attack-samples, repeated (bench/fixtures.ts). Median of ${RUNS} runs for Vigil, one run for evtxexport.

${table(['What', 'Records', 'Seconds', 'Throughput'], rows)}

Speed-up over evtxexport: ${peerOk ? `${(peerSeconds / trees.seconds).toFixed(1)}× (trees), ${(peerSeconds / events.seconds).toFixed(1)}× (Events)` : 'n/a'}.
Scaling, 1 → 2 worker threads: ${(oneWorker.seconds / twoWorkers.seconds).toFixed(2)}× on this ${availableParallelism()}-core machine.
Worker threads are started and ready before the clock (start-up under tsx, not counted: ${startUps.map((s) => `${s.toFixed(2)} s`).join(' for 1, ')} for 2).`);
