/**
 * One feed run, as the CLI, the API and the schedule start it: fetch (or take the uploaded bytes),
 * pick the parser, parse → enrich → deduplicate → store → cases, and record the run with its counts
 * and first issues. Conditional requests use the validators of the last successful run.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { IntakeEnricher, runIntake, type IntakeResult } from '../../cases/intake/index.js';
import { VigilError } from '../../core/errors.js';
import { issue } from '../../core/issue.js';
import { ConstituencyIndex } from '../../enrich/constituency/index.js';
import { geoDatabase } from '../../enrich/geo.js';
import {
  fetchFeed,
  FeedParsers,
  isoUtc,
  streamLines,
  type FeedOptions,
  type FeedParser,
  type FeedRecord,
} from '../../ingest/feeds/index.js';
import { runIntakeInWorker } from '../../scale/intake/index.js';
import type { FeedRun, Store } from '../../store/index.js';
import { PARSE_IN_WORKER_FROM, type FeedConfig, type IntakeSettings } from './config.js';

function parserOptions(settings: IntakeSettings): FeedOptions {
  return {
    ...(settings.shadowserverSchema ? { shadowserverSchema: settings.shadowserverSchema } : {}),
    ...(settings.generic ? { generic: settings.generic } : {}),
  };
}

export function parsersOf(settings: IntakeSettings): FeedParsers {
  return new FeedParsers(parserOptions(settings));
}

/**
 * The first 64 KiB of a byte stream for sniffing, and the whole stream again; `larger` when it holds
 * more than `readAhead` bytes (read that far to tell).
 */
async function peek(body: AsyncIterable<Uint8Array>, readAhead: number): Promise<{ head: string; body: AsyncIterable<Uint8Array>; larger: boolean }> {
  const iterator = body[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < 65536 || size <= readAhead) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    held.push(next.value);
    size += next.value.length;
  }
  const joined = Buffer.concat(held);
  const gz = joined[0] === 0x1f && joined[1] === 0x8b;
  const head = gz ? '' : joined.subarray(0, 65536).toString('utf8');
  return {
    head,
    larger: !ended || size > readAhead,
    body: (async function* () {
      yield* held;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  };
}

export interface RunInput {
  readonly body: AsyncIterable<Uint8Array>;
  readonly fileName: string;
  readonly etag?: string | null;
  readonly lastModified?: string | null;
}

export async function intakeBody(
  store: Store,
  settings: IntakeSettings,
  feed: FeedConfig,
  input: RunInput,
  parsers = parsersOf(settings),
): Promise<{ run: FeedRun; result: IntakeResult }> {
  const run = await store.intake.startRun(feed.name);
  try {
    // One thread has no core to spare for a worker.
    const workerFrom = availableParallelism() > 1 ? (settings.parseInWorkerFromBytes ?? PARSE_IN_WORKER_FROM) : null;
    const { head, body, larger } = await peek(input.body, workerFrom ?? 0);
    const parser: FeedParser | undefined = feed.parser ? parsers.get(feed.parser) : parsers.sniff(head, input.fileName);
    if (!parser) throw new VigilError('feeds.unrecognised', `${input.fileName}: no parser recognises this report; configure one for feed ${feed.name}`);
    const organisations = await store.constituency.listOrganisations();
    const parties = await store.constituency.listParties();
    const report = {
      fileName: basename(input.fileName),
      observation: isoUtc(Math.floor(Date.now() / 1000) * 1000),
      ...(feed.feedName ? { feedName: feed.feedName } : {}),
      ...(feed.url ? { feedUrl: feed.url } : {}),
      ...(feed.provider ? { feedProvider: feed.provider } : {}),
    };
    const options = { feed: feed.name, sink: store.intake, ...(settings.dedup ? { rules: settings.dedup } : {}) };
    let result: IntakeResult;
    if (workerFrom !== null && larger)
      result = await runIntakeInWorker(
        { source: { body }, parser: parser.name, parsers: parserOptions(settings), report, organisations, parties, homeCountry: settings.homeCountry },
        options,
      );
    else {
      const enricher = new IntakeEnricher(new ConstituencyIndex(organisations, parties), geoDatabase(), settings.homeCountry);
      const records: AsyncIterable<FeedRecord> = parser.parse(streamLines(body), report);
      result = await runIntake(records, { ...options, enricher });
    }
    const finished = await store.intake.finishRun(run.id, {
      status: 'done',
      records: result.records,
      events: result.events,
      duplicates: result.duplicates,
      stored: result.stored,
      issues: result.issues,
      casesOpened: result.casesOpened,
      casesJoined: result.casesJoined,
      issueSamples: result.issueSamples,
      etag: input.etag ?? null,
      lastModified: input.lastModified ?? null,
      message: `${parser.name}: ${result.events} events, ${result.duplicates} duplicates, ${result.stored} stored, ${result.caseIds.length} cases${result.inWorker ? ' (parsed in a worker thread)' : ''}`,
    });
    return { run: finished, result };
  } catch (error) {
    const message = (error as Error).message;
    await store.intake.finishRun(run.id, {
      status: 'failed',
      message,
      issueSamples: [issue((error as VigilError).code ?? 'feeds.run.failed', message, { file: input.fileName })],
    });
    throw error;
  }
}

/** Fetches a configured feed and takes it in; `not-modified` when the source says nothing changed. */
export async function runFeed(store: Store, settings: IntakeSettings, name: string): Promise<FeedRun> {
  const feed = settings.feeds.find((f) => f.name === name);
  if (!feed) throw new VigilError('feeds.unknown', `no feed named ${name} in the configuration (${settings.feeds.map((f) => f.name).join(', ') || 'none'})`);
  if (!feed.url) throw new VigilError('feeds.no-url', `feed ${name} has no url: upload its reports instead`);
  const last = await store.intake.lastRun(name, 'done');
  const fetched = await fetchFeed(
    {
      url: feed.url,
      ...(feed.headers ? { headers: feed.headers } : {}),
      ...(feed.allowPrivate ? { allowPrivate: true } : {}),
      ...(feed.maxBytes ? { maxBytes: feed.maxBytes } : {}),
      ...(feed.timeoutMs ? { timeoutMs: feed.timeoutMs } : {}),
    },
    { etag: last?.etag ?? null, lastModified: last?.lastModified ?? null },
  );
  if (fetched.status === 'not-modified') {
    const run = await store.intake.startRun(name);
    return store.intake.finishRun(run.id, { status: 'not-modified', etag: last?.etag ?? null, lastModified: last?.lastModified ?? null, message: 'not modified since the last run' });
  }
  return (await intakeBody(store, settings, feed, { body: fetched.body, fileName: fetched.fileName, etag: fetched.etag, lastModified: fetched.lastModified })).run;
}
