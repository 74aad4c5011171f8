/**
 * The intake's parsing thread: report bytes → lines → the feed's parser → prepared batches (keys,
 * enrichment, case groups, compact stored form), posted to the thread that owns the store. At most
 * BATCHES_AHEAD batches wait there untaken, so a large report streams with bounded memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IntakeEnricher, IntakePreparer } from '../../cases/intake/index.js';
import { ConstituencyIndex } from '../../enrich/constituency/index.js';
import { GeoDatabase } from '../../enrich/geo.js';
import { FeedParsers, sourceLines, streamLines } from '../../ingest/feeds/index.js';
import { packBatch, type FromIntakeWorker, type IntakeWorkerData, type ToIntakeWorker } from './protocol.js';

/** Batches prepared ahead of the store: one being written, one ready. */
const BATCHES_AHEAD = 2;

const port = parentPort!;
const data = workerData as IntakeWorkerData;
const post = (message: FromIntakeWorker): void => port.postMessage(message);

const chunks: Uint8Array[] = [];
let ended = false;
let waitingForBytes: (() => void) | null = null;
let untaken = 0;
let waitingForRoom: (() => void) | null = null;

port.on('message', (message: ToIntakeWorker) => {
  if (message.type === 'chunk') chunks.push(message.bytes);
  else if (message.type === 'end') ended = true;
  else {
    untaken--;
    waitingForRoom?.();
    waitingForRoom = null;
    return;
  }
  waitingForBytes?.();
  waitingForBytes = null;
});

/** The parent's bytes, asked for one chunk ahead of the one being parsed. */
async function* parentBytes(): AsyncGenerator<Uint8Array> {
  post({ type: 'more' });
  for (;;) {
    if (chunks.length === 0 && !ended) await new Promise<void>((resolve) => (waitingForBytes = resolve));
    const chunk = chunks.shift();
    if (chunk === undefined) return;
    post({ type: 'more' });
    yield chunk;
  }
}

async function main(): Promise<void> {
  const parser = new FeedParsers(data.parsers).get(data.parser);
  // The parent's tables, not a second copy read from disk (≈ 1 s and ≈ 250 MB a run).
  const geo = new GeoDatabase(data.geo);
  const enricher = new IntakeEnricher(new ConstituencyIndex(data.organisations, data.parties, geo), geo, data.homeCountry);
  const preparer = new IntakePreparer({ feed: data.feed, rule: data.rule, enricher, cases: data.cases, compact: true }, data.batchSize);
  const lines = data.path !== null ? sourceLines({ path: data.path }) : streamLines(parentBytes());
  const send = async (): Promise<void> => {
    while (untaken >= BATCHES_AHEAD) await new Promise<void>((resolve) => (waitingForRoom = resolve));
    untaken++;
    post({ type: 'batch', batch: packBatch(preparer.take()) });
  };
  // Records are added in this loop, not through another async generator: one fewer promise per record.
  for await (const record of parser.parse(lines, data.report)) {
    preparer.add(record);
    if (preparer.size >= preparer.capacity) await send();
  }
  if (preparer.pending) await send();
  post({ type: 'done' });
}

main().catch((error: unknown) => {
  const e = error as Error & { code?: string };
  post({ type: 'failed', message: e.message, code: typeof e.code === 'string' ? e.code : undefined });
});
