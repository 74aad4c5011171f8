/**
 * Runs everything that detects over an Event stream: compiled Sigma rules (with their meta filters),
 * indicator sets, and correlations over the base matches. One engine per stream or worker thread;
 * correlations are finished where all base matches meet (`correlationInputs` travel to that place).
 */
import type { Detection, Level } from '../core/detection.js';
import { levelRank } from '../core/detection.js';
import type { Event } from '../core/event.js';
import type { BaseMatch } from './sigma/correlation/engine.js';
import type { CorrelationRule } from './sigma/correlation/types.js';
import type { IndicatorSet } from './indicators/index.js';
import { detectionFor, type RuleSet } from './sigma/index.js';

export interface EngineOptions {
  readonly ruleSet?: RuleSet;
  readonly indicators?: IndicatorSet;
  readonly correlations?: readonly CorrelationRule[];
  /** Detections below this level are not reported (correlation inputs are still kept). */
  readonly minLevel?: Level;
}

export class DetectionEngine {
  readonly #ruleSet: RuleSet | undefined;
  readonly #indicators: IndicatorSet | undefined;
  readonly #minRank: number;
  /** Ids and names of rules that some correlation counts. */
  readonly #correlated: ReadonlySet<string>;
  /** Rules whose own detections every correlation using them hides (`generate: false`). */
  readonly #hidden: ReadonlySet<string>;
  readonly #correlationInputs: BaseMatch[] = [];
  eventsSeen = 0;

  constructor(options: EngineOptions) {
    this.#ruleSet = options.ruleSet;
    this.#indicators = options.indicators;
    this.#minRank = levelRank(options.minLevel ?? 'informational');
    const correlated = new Set<string>();
    const shown = new Set<string>();
    for (const c of options.correlations ?? []) {
      for (const ref of c.rules) {
        correlated.add(ref);
        if (c.generate) shown.add(ref);
      }
    }
    this.#correlated = correlated;
    this.#hidden = new Set([...correlated].filter((r) => !shown.has(r)));
  }

  /** Detections this event produces now; base matches for correlations are kept aside. */
  process(event: Event): Detection[] {
    this.eventsSeen++;
    const out: Detection[] = [];
    if (this.#ruleSet) {
      for (const compiled of this.#ruleSet.match(event)) {
        const { id, name, level } = compiled.rule;
        const referenced = this.#correlated.has(id) || (name !== undefined && this.#correlated.has(name));
        if (referenced) {
          this.#correlationInputs.push(
            name === undefined ? { ruleId: id, event } : { ruleId: id, ruleName: name, event },
          );
          if (this.#hidden.has(id) || (name !== undefined && this.#hidden.has(name))) continue;
        }
        if (levelRank(level) >= this.#minRank) out.push(detectionFor(compiled, event));
      }
    }
    if (this.#indicators) {
      for (const hit of this.#indicators.match(event))
        if (levelRank(hit.level) >= this.#minRank) out.push(hit);
    }
    return out;
  }

  /** Base matches that correlations need; hand them to `finishCorrelations` where all streams meet. */
  takeCorrelationInputs(): BaseMatch[] {
    return this.#correlationInputs.splice(0);
  }
}
