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
  readonly file: string;
  /** The rest (condition, aliases, field) is interpreted by the correlation engine. */
  readonly document: Readonly<Record<string, unknown>>;
}
