/**
 * A hunt: Sigma rules run over the events already in a store, narrowed first by what the store can
 * index (time range, host) and then matched by the same compiled engine a scan uses.
 */
import type { Detection } from '../core/detection.js';
import { compileRuleSet, detectionFor, loadDefaultMapping, parseRules } from '../detect/sigma/index.js';
import type { Issue } from '../core/issue.js';
import type { EventQuery, Store } from './types.js';

export interface HuntResult {
  readonly detections: Detection[];
  readonly scanned: number;
  /** Stopped at `maxEvents` before the end of what `within` selects: narrow it (time, host) to see the rest. */
  readonly truncated: boolean;
  readonly problems: Issue[];
}

/** Runs the rules in `ruleText` (one or more YAML documents) over the stored events `within` selects. */
export async function hunt(
  store: Store,
  ruleText: string,
  file: string,
  within: Omit<EventQuery, 'limit' | 'after'> = {},
  limit = 10_000,
  maxEvents = Infinity,
): Promise<HuntResult> {
  const load = parseRules(ruleText, file);
  const { ruleSet, problems } = compileRuleSet(load, loadDefaultMapping());
  const detections: Detection[] = [];
  let scanned = 0;
  if (ruleSet.rules.length > 0) {
    for await (const stored of store.events.scan(within)) {
      if (scanned >= maxEvents)
        return { detections, scanned, truncated: true, problems: [...load.problems, ...problems] };
      scanned++;
      for (const rule of ruleSet.match(stored.event)) {
        detections.push({ ...detectionFor(rule, stored.event), eventId: stored.id });
        if (detections.length >= limit)
          return { detections, scanned, truncated: true, problems: [...load.problems, ...problems] };
      }
    }
  }
  return { detections, scanned, truncated: false, problems: [...load.problems, ...problems] };
}
