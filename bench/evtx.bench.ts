// EVTX parsing: our parser on one core (resolved trees, and full Events), with 2 worker threads over
// chunk ranges, and libevtx's evtxexport on the same file in the same run.
// Command: npm run bench -- evtx
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
const inWorkers = (count: number) =>
  repeat(async () => {
    const ranges = evtxChunkRanges(size, count);
    const counts = await Promise.all(
      ranges.map(
        (range) =>
          new Promise<number>((resolve, reject) => {
            const worker = startWorker(new URL('./evtx-range-worker.ts', import.meta.url), {
              workerData: { path, ...range },
            });
            worker.once('message', (n: number) => {
              resolve(n);
              void worker.terminate();
            });
            worker.once('error', reject);
          }),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  });
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
Scaling, 1 → 2 worker threads: ${(oneWorker.seconds / twoWorkers.seconds).toFixed(2)}× on this ${availableParallelism()}-core machine.`);
