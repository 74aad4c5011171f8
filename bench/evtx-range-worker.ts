// Worker for evtx.bench.ts: says when it is ready (modules loaded), then reads the chunk ranges it is
// sent into Events and reports how many, as a worker of `vigil scan`'s pool does.
import { parentPort } from 'node:worker_threads';
import { readEvtxFile } from '../src/ingest/evtx/index.js';

interface Range {
  path: string;
  firstChunk: number;
  endChunk: number;
}

const port = parentPort;
if (!port) throw new Error('evtx-range-worker must run in a worker thread');
port.on('message', (range: Range) => {
  void (async () => {
    let records = 0;
    const { path, firstChunk, endChunk } = range;
    for await (const r of readEvtxFile(path, { firstChunk, endChunk })) if (r.ok) records++;
    port.postMessage(records);
  })();
});
port.postMessage('ready');
