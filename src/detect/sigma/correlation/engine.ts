/**
 * Correlation over base-rule matches: per correlation and group-by key, a window of matches within the
 * timespan; when the condition holds the correlation fires once and the group starts over.
 *
 * Conditions that only grow true as matches arrive (gt/gte on counts, sums, seen rules) are decided
 * on each match over a sliding window. The others (lt, lte, eq, neq, ranges, averages, percentiles)
 * can only be decided over a whole timespan: such a window starts at a group's first match and is
 * judged when a later match falls outside it, or at the end of input.
 *
 * Correlations can count other correlations (chains). Memory is bounded: windows expire, and the
 * number of live groups per correlation is capped (oldest dropped first).
 */
import type { Detection } from '../../../core/detection.js';
import { compareSources, type Event, type FieldValue } from '../../../core/event.js';
import type { CompareOp, CorrelationCriterion, CorrelationRule } from './types.js';

export interface BaseMatch {
  readonly ruleId: string;
  readonly ruleName?: string;
  readonly event: Event;
}

interface Entry {
  readonly time: number;
  readonly rule: string;
  readonly value: FieldValue | undefined;
  readonly event: Event;
}

/** A correlation that fired, with the event that completed it (what a chained correlation counts). */
interface Fired {
  readonly detection: Detection;
  readonly event: Event;
}

const MAX_GROUPS = 100_000;
const MAX_CHAIN = 8;

function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
  }
}

function fieldText(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.map(fieldText).join(',') : String(value);
}

export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

class Correlator {
  readonly #groups = new Map<string, Entry[]>();
  readonly refs: ReadonlySet<string>;

  /** Whether the condition can be decided as matches arrive (it only grows true), or per whole timespan. */
  readonly #onArrival: boolean;

  constructor(readonly rule: CorrelationRule) {
    this.refs = new Set(rule.rules);
    const criteria: CorrelationCriterion[] = rule.condition
      ? [rule.condition, ...(rule.condition.and ?? [])]
      : [];
    const growing = rule.type !== 'value_avg' && rule.type !== 'value_percentile';
    this.#onArrival = growing && criteria.every((c) => c.op === 'gt' || c.op === 'gte');
  }

  /** The rule reference this match counts as, if any (id first, then name). */
  refOf(match: BaseMatch): string | undefined {
    if (this.refs.has(match.ruleId)) return match.ruleId;
    if (match.ruleName !== undefined && this.refs.has(match.ruleName)) return match.ruleName;
    return undefined;
  }

  /** The field name for a group-by or condition field, through aliases, for the rule `ref`. */
  #field(name: string, match: BaseMatch): string {
    const alias = this.rule.aliases[name];
    if (!alias) return name;
    return alias[match.ruleId] ?? (match.ruleName !== undefined ? alias[match.ruleName] : undefined) ?? name;
  }

  feed(match: BaseMatch): Fired | undefined {
    const ref = this.refOf(match);
    if (ref === undefined) return undefined;
    const time = match.event.timestamp;
    const key = this.rule.groupBy
      .map((g) => fieldText(match.event.fields[this.#field(g, match)]))
      .join('\u0000');
    let window = this.#groups.get(key);
    if (!window) {
      if (this.#groups.size >= MAX_GROUPS) {
        const oldest = this.#groups.keys().next().value;
        if (oldest !== undefined) this.#groups.delete(oldest);
      }
      window = [];
      this.#groups.set(key, window);
    }
    const conditionField = this.rule.condition?.field;
    const entry: Entry = {
      time,
      rule: ref,
      value: conditionField ? match.event.fields[this.#field(conditionField, match)] : undefined,
      event: match.event,
    };
    if (!this.#onArrival) {
      // The window that began with the group's first match is complete once a match falls outside it.
      let fired: Fired | undefined;
      if (window.length > 0 && time > window[0]!.time + this.rule.timespanMs) {
        fired = this.#judge(key, window);
        window = [];
        this.#groups.set(key, window);
      }
      window.push(entry);
      return fired;
    }
    window.push(entry);
    const from = time - this.rule.timespanMs;
    while (window.length > 0 && window[0]!.time < from) window.shift();
    const result = this.#evaluate(window);
    if (result === undefined) return undefined;
    this.#groups.delete(key);
    return { detection: this.#detection(match.event, key, result, window), event: match.event };
  }

  /** Whether windows wait for the end of their timespan. */
  get pending(): boolean {
    return !this.#onArrival && this.#groups.size > 0;
  }

  /** End of input: windows waiting for their timespan to end are judged as they are. */
  flush(): Fired[] {
    const out: Fired[] = [];
    if (this.#onArrival) return out;
    for (const [key, window] of this.#groups) {
      const fired = this.#judge(key, window);
      if (fired) out.push(fired);
    }
    this.#groups.clear();
    return out;
  }

  #judge(key: string, window: readonly Entry[]): Fired | undefined {
    const last = window[window.length - 1];
    if (!last) return undefined;
    const result = this.#evaluate(window);
    if (result === undefined) return undefined;
    return { detection: this.#detection(last.event, key, result, window), event: last.event };
  }

  /** The figure that met the condition, or undefined. */
  #evaluate(window: readonly Entry[]): number | undefined {
    const { type, condition } = this.rule;
    const meets = (n: number): boolean =>
      condition
        ? compare(condition.op, n, condition.value) &&
          (condition.and ?? []).every((c) => compare(c.op, n, c.value))
        : true;
    switch (type) {
      case 'event_count':
        return meets(window.length) ? window.length : undefined;
      case 'value_count': {
        const distinct = new Set(
          window.filter((e) => e.value !== undefined && e.value !== null).map((e) => fieldText(e.value)),
        ).size;
        return meets(distinct) ? distinct : undefined;
      }
      case 'temporal': {
        // Without a condition every referenced rule must have matched within the window.
        const seen = new Set(window.map((e) => e.rule)).size;
        const ok = condition ? meets(seen) : seen === this.rule.rules.length;
        return ok ? seen : undefined;
      }
      case 'temporal_ordered': {
        let next = 0;
        for (const e of window) if (e.rule === this.rule.rules[next]) next++;
        return next === this.rule.rules.length ? next : undefined;
      }
      case 'value_sum':
      case 'value_avg':
      case 'value_percentile': {
        const numbers = window.map((e) => Number(fieldText(e.value))).filter((n) => Number.isFinite(n));
        if (numbers.length === 0) return undefined;
        const figure =
          type === 'value_sum'
            ? numbers.reduce((a, b) => a + b, 0)
            : type === 'value_avg'
              ? numbers.reduce((a, b) => a + b, 0) / numbers.length
              : percentileOf(numbers, condition?.percentile ?? 50);
        return meets(figure) ? figure : undefined;
      }
    }
  }

  #detection(last: Event, key: string, figure: number, window: readonly Entry[]): Detection {
    const fields: Record<string, FieldValue> = {};
    const values = key.split('\u0000');
    this.rule.groupBy.forEach((g, i) => (fields[g] = values[i] ?? ''));
    fields[this.rule.type] = figure;
    fields.events = window.length;
    fields.first_seen = new Date(window[0]?.time ?? last.timestamp).toISOString();
    return {
      kind: 'correlation',
      ruleId: this.rule.id,
      ruleTitle: this.rule.title,
      level: this.rule.level,
      tags: this.rule.tags,
      timestamp: last.timestamp,
      host: fieldText(last.fields.Computer) || null,
      fields,
      source: last.source,
    };
  }
}

export class CorrelationEngine {
  readonly #correlators: Correlator[];

  constructor(rules: readonly CorrelationRule[]) {
    this.#correlators = rules.map((r) => new Correlator(r));
  }

  /** Feed base-rule matches in time order; returns the correlation detections they complete (chains included). */
  feed(match: BaseMatch, depth = 0): Detection[] {
    const out: Detection[] = [];
    for (const c of this.#correlators) {
      const fired = c.feed(match);
      if (fired) this.#fired(c, fired, depth, out);
    }
    return out;
  }

  /** End of input: correlations judged per whole timespan report their open windows (chains included). */
  finish(): Detection[] {
    const out: Detection[] = [];
    // A flushed window can complete a chained correlation, which may itself wait for a flush.
    for (let round = 0; round <= MAX_CHAIN && this.#correlators.some((c) => c.pending); round++) {
      for (const c of this.#correlators) for (const fired of c.flush()) this.#fired(c, fired, round, out);
    }
    return out;
  }

  #fired(c: Correlator, fired: Fired, depth: number, out: Detection[]): void {
    // A correlation that another one counts reports on its own only if that one generates it.
    if (!this.suppresses(c.rule.id, c.rule.name)) out.push(fired.detection);
    if (depth < MAX_CHAIN) {
      // A correlation can be counted by another one.
      const chained: BaseMatch = {
        ruleId: c.rule.id,
        ...(c.rule.name ? { ruleName: c.rule.name } : {}),
        event: fired.event,
      };
      out.push(...this.feed(chained, depth + 1));
    }
  }

  /** True when every correlation using the rule hides its own detections (`generate: false`). */
  suppresses(ruleId: string, ruleName?: string): boolean {
    const using = this.#correlators.filter(
      (c) => c.refs.has(ruleId) || (ruleName !== undefined && c.refs.has(ruleName)),
    );
    return using.length > 0 && using.every((c) => !c.rule.generate);
  }
}

/** Correlates a batch of matches: sorted by time, then fed. */
export function correlate(rules: readonly CorrelationRule[], matches: readonly BaseMatch[]): Detection[] {
  if (rules.length === 0 || matches.length === 0) return [];
  const engine = new CorrelationEngine(rules);
  const sorted = [...matches].sort(inTimeOrder);
  return sorted.flatMap((m) => engine.feed(m)).concat(engine.finish());
}

/**
 * Time, then file, place in it and rule: matches reach `correlate` in the order worker threads sent
 * them, and a correlation that fires at one of several equal-time events must fire at the same one
 * every run.
 */
function inTimeOrder(a: BaseMatch, b: BaseMatch): number {
  const byTime = a.event.timestamp - b.event.timestamp;
  if (byTime !== 0) return byTime;
  const bySource = compareSources(a.event.source, b.event.source);
  if (bySource !== 0) return bySource;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
