/**
 * The intake pipeline: parsed records → enriched → deduplicated → stored, and new events into
 * cases. It pulls records in batches, so a large report streams through with flat memory and the
 * store's pace sets the reading pace (backpressure). Persistence is the sink's (src/store/intake.ts).
 */
import type { Issue } from '../../core/issue.js';
import { base36 } from '../../core/time.js';
import { BREACH_TAXONOMY, type FeedRecord, type HarmonisedFields } from '../../ingest/feeds/index.js';
import type { CaseGroup, IntakeCaseSeed } from './aggregate.js';
import { keyOfText, ruleFor, DEFAULT_DEDUP_RULES, type DedupRule } from './dedup.js';
import type { IntakeEnricher } from './enrich.js';
import type { RawParts } from './compact.js';
import { IntakePreparer, ISSUE_SAMPLES, type PreparedBatch } from './prepare.js';
import { RecentWindows } from './recent-windows.js';

/** One kept event as the store writes it. */
export interface IntakeEvent {
  readonly id: string;
  readonly feed: string;
  readonly observedAt: number;
  readonly sourceTime: number | null;
  readonly dedupKey: number;
  readonly windowStart: number;
  readonly taxonomy: string;
  readonly type: string;
  readonly sourceIp: string | null;
  /** Constituent organisation id, '' when not ours. */
  readonly organisation: string;
  readonly country: string | null;
  readonly caseId: string | null;
  readonly issues: number;
  /** The fields, unless the event comes compacted (`compact`). */
  readonly fields: HarmonisedFields | undefined;
  /** How the parser built `fields.raw`, when from a head shared by the report (FeedEvent.rawHead). */
  readonly raw: RawParts | undefined;
  /** The compact stored form made off the store's thread: the stored template's id and the text. */
  readonly compact: { readonly template: number; readonly text: string } | undefined;
}


export interface IntakeBatch {
  readonly events: readonly IntakeEvent[];
  /** Duplicates counted on events kept earlier: their id, how many more, the last time seen. */
  readonly duplicates: readonly { readonly eventId: string; readonly count: number; readonly lastSeen: number }[];
  /** New events per case. */
  readonly caseEvents: ReadonlyMap<string, number>;
}

export interface IntakeSink {
  /** The latest window the store holds for each key. */
  windows(keys: readonly number[]): Promise<Map<number, { eventId: string; windowStart: number; lastSeen: number }>>;
  /** The open case of a group, or a new one; `opened` when it had to be created. */
  caseFor(group: CaseGroup, seed: IntakeCaseSeed): Promise<{ caseId: string; opened: boolean }>;
  write(batch: IntakeBatch): Promise<void>;
  /** Stores a template of a feed's compact form (a prepared batch's new template); its id. */
  addTemplate(feed: string, fields: HarmonisedFields): Promise<number>;
}

export interface IntakeOptions extends PreparedIntakeOptions {
  readonly enricher: IntakeEnricher;
}

/** What taking in prepared batches needs (the preparing may be another thread's). */
export interface PreparedIntakeOptions {
  /** The feed's configured name (dedup rules and listings use it). */
  readonly feed: string;
  readonly sink: IntakeSink;
  readonly rules?: readonly DedupRule[];
  readonly batchSize?: number;
  /** Put new events into cases (default true). */
  readonly cases?: boolean;
}

export interface IntakeResult {
  records: number;
  events: number;
  duplicates: number;
  stored: number;
  issues: number;
  breaches: number;
  casesOpened: number;
  casesJoined: number;
  crossBorder: number;
  caseIds: string[];
  issueSamples: Issue[];
  /** Whether a worker thread parsed and prepared the events (src/scale/intake). */
  inWorker: boolean;
}

/** Events per store write (one transaction); 1,000 measured no cheaper in CPU, and the batch is what stays in memory. */
export const INTAKE_BATCH = 5000;
/** Windows kept in memory; older ones are read back from the store when met again. */
const MAX_WINDOWS = 200_000;

/** Whether an event at `time` falls into the window starting at `start`. */
const inWindowOf = (start: number, time: number, rule: DedupRule): boolean => time >= start && time - start < rule.windowMs;

/** The batch's keys the recent windows do not hold, each once, in key order. */
function unknownKeys(keys: Float64Array, windows: RecentWindows): number[] {
  const sorted = keys.slice().sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const k = sorted[i]!;
    if ((i === 0 || k !== sorted[i - 1]) && windows.find(k) < 0) out.push(k);
  }
  return out;
}

/** A kept event's id: its dedup key and window start, in base 36. */
export const eventId = (key: number, windowStart: number): string => `${base36(key)}.${base36(windowStart)}`;

/** Records prepared into batches of `size` events (records that are only an issue ride along). */
export async function* preparedBatches(
  records: AsyncIterable<FeedRecord> | Iterable<FeedRecord>,
  preparer: IntakePreparer,
): AsyncGenerator<PreparedBatch> {
  for await (const record of records) {
    preparer.add(record);
    if (preparer.size >= preparer.capacity) yield preparer.take();
  }
  if (preparer.pending) yield preparer.take();
}

/** Parsed records → prepared here, on this thread → taken in (`runPreparedIntake`). */
export async function runIntake(records: AsyncIterable<FeedRecord> | Iterable<FeedRecord>, options: IntakeOptions): Promise<IntakeResult> {
  const preparer = new IntakePreparer(
    {
      feed: options.feed,
      rule: ruleFor(options.rules ?? DEFAULT_DEDUP_RULES, options.feed),
      enricher: options.enricher,
      cases: options.cases ?? true,
      compact: false,
    },
    options.batchSize ?? INTAKE_BATCH,
  );
  return runPreparedIntake(preparedBatches(records, preparer), options);
}

/**
 * Prepared batches → deduplicated against the recent and stored windows → new events into cases →
 * stored. Batches are taken one at a time, in order: the windows and cases depend on it.
 */
export async function runPreparedIntake(batches: AsyncIterable<PreparedBatch>, options: PreparedIntakeOptions): Promise<IntakeResult> {
  const rule = ruleFor(options.rules ?? DEFAULT_DEDUP_RULES, options.feed);
  const batchSize = options.batchSize ?? INTAKE_BATCH;
  const windows = new RecentWindows(MAX_WINDOWS, batchSize);
  const caseOf = new Map<string, string>();
  const seeds = new Map<string, { group: CaseGroup; seed: IntakeCaseSeed }>();
  const templateIds = new Map<number, number>();
  const caseIds = new Set<string>();
  const result: IntakeResult = {
    records: 0, events: 0, duplicates: 0, stored: 0, issues: 0, breaches: 0,
    casesOpened: 0, casesJoined: 0, crossBorder: 0, caseIds: [], issueSamples: [], inWorker: false,
  };

  const caseFor = async (groupKey: string): Promise<string> => {
    let caseId = caseOf.get(groupKey);
    if (caseId !== undefined) return caseId;
    const { group, seed } = seeds.get(groupKey)!;
    const found = await options.sink.caseFor(group, seed);
    caseId = found.caseId;
    caseOf.set(groupKey, caseId);
    if (found.opened) result.casesOpened++;
    else result.casesJoined++;
    if (group.kind === 'cross-border') result.crossBorder++;
    caseIds.add(caseId);
    return caseId;
  };

  const takeIn = async (batch: PreparedBatch): Promise<void> => {
    result.records += batch.records;
    result.events += batch.size;
    result.issues += batch.issueCount;
    for (const i of batch.issueSamples) if (result.issueSamples.length < ISSUE_SAMPLES) result.issueSamples.push(i);
    for (const t of batch.newTemplates) templateIds.set(t.number, await options.sink.addTemplate(options.feed, t.fields));
    for (const g of batch.newGroups) if (!seeds.has(g.group.key)) seeds.set(g.group.key, g);
    if (batch.size === 0) return;
    const keys = batch.keys ?? Float64Array.from(batch.keyTexts!, keyOfText);
    const unknown = unknownKeys(keys, windows);
    if (unknown.length > 0) for (const [key, w] of await options.sink.windows(unknown)) windows.set(key, w.windowStart, w.lastSeen);
    const events: IntakeEvent[] = [];
    const duplicates: { eventId: string; count: number; lastSeen: number }[] = [];
    const counted = (at: number): void => {
      duplicates.push({ eventId: eventId(windows.key(at), windows.start(at)), count: windows.take(at), lastSeen: windows.lastSeen(at) });
    };
    // The slots counted on in this batch (a slot twice when its window was replaced in between).
    const touched: number[] = [];
    const caseEvents = new Map<string, number>();
    for (let i = 0; i < batch.size; i++) {
      const key = keys[i]!;
      const observed = batch.observed[i]!;
      const source = batch.sourceTimes[i]!;
      const sourceTime = Number.isNaN(source) ? null : source;
      const time = sourceTime ?? observed;
      const at = windows.find(key);
      if (at >= 0 && inWindowOf(windows.start(at), time, rule)) {
        if (windows.pending(at) === 0) touched.push(at);
        windows.count(at, time);
        result.duplicates++;
        continue;
      }
      // A later window replaces the key's: the duplicates counted on the earlier one go out now.
      if (at >= 0 && windows.pending(at) > 0) counted(at);
      const groupKey = batch.groups[i]!;
      let caseId: string | null = null;
      if (groupKey !== null) {
        caseId = await caseFor(groupKey);
        caseEvents.set(caseId, (caseEvents.get(caseId) ?? 0) + 1);
      }
      windows.set(key, time, time);
      const taxonomy = batch.taxonomies[i]!;
      if (taxonomy === BREACH_TAXONOMY) result.breaches++;
      const text = batch.compact[i]!;
      events.push({
        id: eventId(key, time),
        feed: options.feed,
        observedAt: observed,
        sourceTime,
        dedupKey: key,
        windowStart: time,
        taxonomy,
        type: batch.types[i]!,
        sourceIp: batch.sourceIps[i]!,
        organisation: batch.organisations[i]!,
        country: batch.countries[i]!,
        caseId,
        issues: batch.issues[i]!,
        fields: batch.fields[i] ?? undefined,
        raw: batch.raws[i],
        compact: text === null ? undefined : { template: templateIds.get(batch.templates[i]!)!, text },
      });
    }
    for (const at of touched) if (windows.pending(at) > 0) counted(at);
    await options.sink.write({ events, duplicates, caseEvents });
    // Bounded memory: the oldest windows go; the store has them.
    windows.settle();
    result.stored += events.length;
  };

  for await (const batch of batches) await takeIn(batch);
  result.caseIds = [...caseIds];
  return result;
}
