// Worker for evtx.bench.ts: reads one chunk range of a file into Events and reports how many.
import { parentPort, workerData } from 'node:worker_threads';
import { readEvtxFile } from '../src/ingest/evtx/index.js';

const { path, firstChunk, endChunk } = workerData as { path: string; firstChunk: number; endChunk: number };
let records = 0;
for await (const r of readEvtxFile(path, { firstChunk, endChunk })) if (r.ok) records++;
parentPort?.postMessage(records);
