/** Sigma correlation rules (event_count, value_count, temporal …): the parsed model. */
import type { Level } from '../../../core/detection.js';

export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';

export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationCriterion {
  readonly op: CompareOp;
  readonly value: number;
}

export interface CorrelationCondition extends CorrelationCriterion {
  /** Further criteria that must hold as well: a range is `gt: 100` and `lte: 200` in one map. */
  readonly and?: readonly CorrelationCriterion[];
  /** The field counted (value_count) or summed, averaged, ranked (value_*). */
  readonly field?: string;
  /** value_percentile: which percentile (0–100). */
  readonly percentile?: number;
}

export interface CorrelationRule {
  readonly id: string;
  readonly name: string | undefined;
  readonly title: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly type: CorrelationType;
  /** Ids or names of the rules (or correlations) this one counts. */
  readonly rules: readonly string[];
  readonly groupBy: readonly string[];
  readonly timespanMs: number;
  /** Whether the referenced rules still produce their own detections. */
  readonly generate: boolean;
  readonly condition: CorrelationCondition | undefined;
  /** alias → (rule id or name → that rule's field). */
  readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly file: string;
  readonly line: number;
  readonly document: Readonly<Record<string, unknown>>;
}
