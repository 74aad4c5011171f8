/**
 * Correlation over base-rule matches: per correlation and group-by key, a sliding window of matches
 * within the timespan; when the condition holds the correlation fires once and the group starts over.
 * Correlations can count other correlations (chains). Memory is bounded: windows expire, and the
 * number of live groups per correlation is capped (oldest dropped first).
 */
import type { Detection } from '../../../core/detection.js';
import type { Event, FieldValue } from '../../../core/event.js';
import type { CompareOp, CorrelationRule } from './types.js';

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

  constructor(readonly rule: CorrelationRule) {
    this.refs = new Set(rule.rules);
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

  feed(match: BaseMatch): Detection | undefined {
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
    window.push({
      time,
      rule: ref,
      value: conditionField ? match.event.fields[this.#field(conditionField, match)] : undefined,
      event: match.event,
    });
    const from = time - this.rule.timespanMs;
    while (window.length > 0 && window[0]!.time < from) window.shift();
    const result = this.#evaluate(window);
    if (result === undefined) return undefined;
    this.#groups.delete(key);
    return this.#detection(match, key, result, window);
  }

  /** The figure that met the condition, or undefined. */
  #evaluate(window: readonly Entry[]): number | undefined {
    const { type, condition } = this.rule;
    const meets = (n: number): boolean => (condition ? compare(condition.op, n, condition.value) : true);
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

  #detection(last: BaseMatch, key: string, figure: number, window: readonly Entry[]): Detection {
    const fields: Record<string, FieldValue> = {};
    const values = key.split('\u0000');
    this.rule.groupBy.forEach((g, i) => (fields[g] = values[i] ?? ''));
    fields[this.rule.type] = figure;
    fields.events = window.length;
    fields.first_seen = new Date(window[0]?.time ?? last.event.timestamp).toISOString();
    return {
      kind: 'correlation',
      ruleId: this.rule.id,
      ruleTitle: this.rule.title,
      level: this.rule.level,
      tags: this.rule.tags,
      timestamp: last.event.timestamp,
      host: fieldText(last.event.fields.Computer) || null,
      fields,
      source: last.event.source,
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
      if (!fired) continue;
      out.push(fired);
      if (depth < MAX_CHAIN) {
        // A correlation can be counted by another one.
        const chained: BaseMatch = {
          ruleId: c.rule.id,
          ...(c.rule.name ? { ruleName: c.rule.name } : {}),
          event: match.event,
        };
        out.push(...this.feed(chained, depth + 1));
      }
    }
    return out;
  }

  /** End of input. Windows are evaluated as matches arrive, so nothing is pending. */
  finish(): Detection[] {
    return [];
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
  const sorted = [...matches].sort((a, b) => a.event.timestamp - b.event.timestamp);
  return sorted.flatMap((m) => engine.feed(m)).concat(engine.finish());
}
