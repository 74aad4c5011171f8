/**
 * The intake pipeline: parsed records → enriched → deduplicated → stored, and new events into
 * cases. It pulls records in batches, so a large report streams through with flat memory and the
 * store's pace sets the reading pace (backpressure). Persistence is the sink's (src/store/intake.ts).
 */
import type { Issue } from '../../core/issue.js';
import { base36, parseUtcIso } from '../../core/time.js';
import { BREACH_TAXONOMY, type FeedEvent, type FeedRecord, type HarmonisedFields } from '../../ingest/feeds/index.js';
import { groupOf, seedFor, type CaseGroup, type IntakeCaseSeed } from './aggregate.js';
import { dedupKey, ruleFor, DEFAULT_DEDUP_RULES, type DedupRule } from './dedup.js';
import type { IntakeEnricher } from './enrich.js';
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
  readonly fields: HarmonisedFields;
  /** How the parser built `fields.raw`, when from a head shared by the report (FeedEvent.rawHead). */
  readonly raw: RawParts | undefined;
}

/** `raw` as `head + tail`, the head shared by every event of a report. */
export interface RawParts {
  readonly head: string;
  readonly tail: string;
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
}

export interface IntakeOptions {
  /** The feed's configured name (dedup rules and listings use it). */
  readonly feed: string;
  readonly enricher: IntakeEnricher;
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
}

const MAX_SAMPLES = 50;
/** Events per store write (one transaction); 1,000 measured no cheaper in CPU, and the batch is what stays in memory. */
export const INTAKE_BATCH = 5000;
/** Windows kept in memory; older ones are read back from the store when met again. */
const MAX_WINDOWS = 200_000;

/** A harmonised time field in ms; the last one is remembered (a report's events share their observation time). */
function timeReader(key: string): (fields: HarmonisedFields) => number | null {
  let lastText = '';
  let lastTime: number | null = null;
  return (fields) => {
    const v = fields[key];
    if (typeof v !== 'string') return null;
    if (v === lastText) return lastTime;
    const t = parseUtcIso(v);
    lastText = v;
    lastTime = Number.isNaN(t) ? null : t;
    return lastTime;
  };
}

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

export async function runIntake(records: AsyncIterable<FeedRecord> | Iterable<FeedRecord>, options: IntakeOptions): Promise<IntakeResult> {
  const rules = options.rules ?? DEFAULT_DEDUP_RULES;
  const rule = ruleFor(rules, options.feed);
  const batchSize = options.batchSize ?? INTAKE_BATCH;
  const withCases = options.cases ?? true;
  const windows = new RecentWindows(MAX_WINDOWS, batchSize);
  const observationOf = timeReader('time.observation');
  const sourceTimeOf = timeReader('time.source');
  const groups = new Map<string, string>();
  const caseIds = new Set<string>();
  const result: IntakeResult = {
    records: 0, events: 0, duplicates: 0, stored: 0, issues: 0, breaches: 0,
    casesOpened: 0, casesJoined: 0, crossBorder: 0, caseIds: [], issueSamples: [],
  };
  const sample = (i: Issue): void => {
    result.issues++;
    if (result.issueSamples.length < MAX_SAMPLES) result.issueSamples.push(i);
  };

  let pending: FeedEvent[] = [];

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const keys = new Float64Array(batch.length);
    for (let i = 0; i < batch.length; i++) keys[i] = dedupKey(batch[i]!.fields, rule);
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
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      const key = keys[i]!;
      const observed = observationOf(e.fields) ?? Date.now();
      const sourceTime = sourceTimeOf(e.fields);
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
      const concern = options.enricher.enrich(e.fields);
      let caseId: string | null = null;
      const group = withCases ? groupOf(e.fields, concern) : null;
      if (group) {
        caseId = groups.get(group.key) ?? null;
        if (caseId === null) {
          const found = await options.sink.caseFor(group, seedFor(group, e.fields, options.feed));
          caseId = found.caseId;
          groups.set(group.key, caseId);
          if (found.opened) result.casesOpened++;
          else result.casesJoined++;
          if (group.kind === 'cross-border') result.crossBorder++;
          caseIds.add(caseId);
        }
        caseEvents.set(caseId, (caseEvents.get(caseId) ?? 0) + 1);
      }
      const id = eventId(key, time);
      windows.set(key, time, time);
      const taxonomy = String(e.fields['classification.taxonomy'] ?? 'other');
      if (taxonomy === BREACH_TAXONOMY) result.breaches++;
      const ip = e.fields['source.ip'];
      events.push({
        id,
        feed: options.feed,
        observedAt: observed,
        sourceTime,
        dedupKey: key,
        windowStart: time,
        taxonomy,
        type: String(e.fields['classification.type'] ?? 'undetermined'),
        sourceIp: typeof ip === 'string' ? ip : null,
        organisation: concern.organisationId ?? '',
        country: concern.country,
        caseId,
        issues: e.issues.length,
        fields: e.fields,
        raw: e.rawHead !== undefined && e.rawTail !== undefined ? { head: e.rawHead, tail: e.rawTail } : undefined,
      });
    }
    for (const at of touched) if (windows.pending(at) > 0) counted(at);
    await options.sink.write({ events, duplicates, caseEvents });
    // Bounded memory: the oldest windows go; the store has them.
    windows.settle();
    result.stored += events.length;
  };

  for await (const record of records) {
    result.records++;
    if ('issue' in record) {
      sample(record.issue);
      continue;
    }
    result.events++;
    for (const i of record.event.issues) sample(i);
    pending.push(record.event);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  result.caseIds = [...caseIds];
  return result;
}
