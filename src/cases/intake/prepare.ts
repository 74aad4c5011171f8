/**
 * The first half of intake, what needs no store: each parsed event's dedup key, times, enrichment,
 * case group and, when preparing off the store's thread, its compact stored form. It works a batch at
 * a time into columns (typed arrays and lists of strings), so a batch prepared in a worker thread
 * crosses to the store's thread as a few arrays instead of thousands of field objects.
 *
 *   const preparer = new IntakePreparer({ feed, rule, enricher, cases: true, compact: false });
 *   const batch = preparer.prepare(records); // → runPreparedIntake
 */
import type { Issue } from '../../core/issue.js';
import { parseUtcIso } from '../../core/time.js';
import type { FeedRecord, HarmonisedFields } from '../../ingest/feeds/index.js';
import { groupOf, seedFor, type CaseGroup, type IntakeCaseSeed } from './aggregate.js';
import { templateOf, TemplateList, type RawParts } from './compact.js';
import { dedupKey, type DedupRule } from './dedup.js';
import type { IntakeEnricher } from './enrich.js';

/** Parse issues kept as samples per run; the rest are counted. */
export const ISSUE_SAMPLES = 50;

/** A batch of prepared events, one entry per event in each column. */
export interface PreparedBatch {
  /** Records read for this batch: its events and the records that were only an issue. */
  readonly records: number;
  readonly issueCount: number;
  /** The first issues of the run (up to ISSUE_SAMPLES across batches). */
  readonly issueSamples: readonly Issue[];
  readonly size: number;
  readonly keys: Float64Array;
  readonly observed: Float64Array;
  /** NaN where the event has no source time. */
  readonly sourceTimes: Float64Array;
  /** Constituent organisation id, '' when not ours. */
  readonly organisations: readonly string[];
  readonly countries: readonly (string | null)[];
  /** The event's case group key, or null (no case, or cases off). */
  readonly groups: readonly (string | null)[];
  readonly taxonomies: readonly string[];
  readonly types: readonly string[];
  readonly sourceIps: readonly (string | null)[];
  /** Issues on each event. */
  readonly issues: Int32Array;
  /** The fields, when not compacted here (null for an event that was). */
  readonly fields: readonly (HarmonisedFields | null)[];
  readonly raws: readonly (RawParts | undefined)[];
  /** The compact stored form against the preparer's template `templates[i]`, or null. */
  readonly compact: readonly (string | null)[];
  readonly templates: Int32Array;
  /** Templates made while preparing this batch: the preparer's number for each and its fields. */
  readonly newTemplates: readonly { readonly number: number; readonly fields: HarmonisedFields }[];
  /** Case groups met for the first time, each with the seed of a case for it. */
  readonly newGroups: readonly { readonly group: CaseGroup; readonly seed: IntakeCaseSeed }[];
}

export interface PreparerOptions {
  readonly feed: string;
  readonly rule: DedupRule;
  readonly enricher: IntakeEnricher;
  /** Work out case groups (intake's `cases` option). */
  readonly cases: boolean;
  /** Make the compact stored form here (off the store's thread) instead of in the store. */
  readonly compact: boolean;
}

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

export class IntakePreparer {
  readonly #observationOf = timeReader('time.observation');
  readonly #sourceTimeOf = timeReader('time.source');
  readonly #groupsSeen = new Set<string>();
  readonly #templates = new TemplateList();
  #templateCount = 0;
  #samples = 0;

  constructor(readonly options: PreparerOptions) {}

  prepare(records: readonly FeedRecord[]): PreparedBatch {
    const { rule, enricher, feed } = this.options;
    let size = 0;
    for (const r of records) if ('event' in r) size++;
    const keys = new Float64Array(size);
    const observed = new Float64Array(size);
    const sourceTimes = new Float64Array(size);
    const issues = new Int32Array(size);
    const templates = new Int32Array(size).fill(-1);
    const organisations = new Array<string>(size);
    const countries = new Array<string | null>(size);
    const groups = new Array<string | null>(size);
    const taxonomies = new Array<string>(size);
    const types = new Array<string>(size);
    const sourceIps = new Array<string | null>(size);
    const fieldsOut = new Array<HarmonisedFields | null>(size);
    const raws = new Array<RawParts | undefined>(size);
    const compact = new Array<string | null>(size);
    const newTemplates: { number: number; fields: HarmonisedFields }[] = [];
    const newGroups: { group: CaseGroup; seed: IntakeCaseSeed }[] = [];
    const issueSamples: Issue[] = [];
    let issueCount = 0;
    const sample = (i: Issue): void => {
      issueCount++;
      if (this.#samples < ISSUE_SAMPLES) {
        this.#samples++;
        issueSamples.push(i);
      }
    };
    let at = 0;
    for (const record of records) {
      if ('issue' in record) {
        sample(record.issue);
        continue;
      }
      const e = record.event;
      for (const i of e.issues) sample(i);
      const fields = e.fields;
      keys[at] = dedupKey(fields, rule);
      observed[at] = this.#observationOf(fields) ?? Date.now();
      sourceTimes[at] = this.#sourceTimeOf(fields) ?? Number.NaN;
      const concern = enricher.enrich(fields);
      organisations[at] = concern.organisationId ?? '';
      countries[at] = concern.country;
      const group = this.options.cases ? groupOf(fields, concern) : null;
      groups[at] = group?.key ?? null;
      if (group && !this.#groupsSeen.has(group.key)) {
        this.#groupsSeen.add(group.key);
        newGroups.push({ group, seed: seedFor(group, fields, feed) });
      }
      taxonomies[at] = String(fields['classification.taxonomy'] ?? 'other');
      types[at] = String(fields['classification.type'] ?? 'undetermined');
      const ip = fields['source.ip'];
      sourceIps[at] = typeof ip === 'string' ? ip : null;
      issues[at] = e.issues.length;
      const parts = e.rawHead !== undefined && e.rawTail !== undefined ? { head: e.rawHead, tail: e.rawTail } : undefined;
      if (this.options.compact) {
        let fit = this.#templates.fit(fields, parts);
        if (fit === undefined) {
          const t = templateOf(this.#templateCount++, fields);
          this.#templates.add(t);
          newTemplates.push({ number: t.id, fields });
          fit = this.#templates.fit(fields, parts)!;
        }
        templates[at] = fit[0].id;
        compact[at] = fit[1];
        fieldsOut[at] = null;
        raws[at] = undefined;
      } else {
        compact[at] = null;
        fieldsOut[at] = fields;
        raws[at] = parts;
      }
      at++;
    }
    return {
      records: records.length, issueCount, issueSamples, size, keys, observed, sourceTimes, organisations, countries,
      groups, taxonomies, types, sourceIps, issues, fields: fieldsOut, raws, compact, templates, newTemplates, newGroups,
    };
  }
}
