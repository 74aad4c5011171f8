/** The Detection record: a rule or indicator that fired on an event. */
import type { FieldValue, SourceRef } from './event.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export interface Detection {
  readonly kind: 'sigma' | 'correlation' | 'indicator';
  readonly ruleId: string;
  readonly ruleTitle: string;
  readonly level: Level;
  /** Sigma tags as written (`attack.t1059.001`, `attack.execution` …). */
  readonly tags: readonly string[];
  /** Time of the event (or of the last event of a correlation), ms UTC. */
  readonly timestamp: number;
  readonly host: string | null;
  /** The fields that made the match worth reading: the ones the rule names, plus key context. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly source: SourceRef;
  /** Content id of the event, when it was computed (store, scale-out). */
  readonly eventId?: string;
}
