/** The contract every evidence reader meets: one result per record, issues as values. */
import type { Event } from './event.js';
import type { Issue } from './issue.js';

export type ReadResult =
  { readonly ok: true; readonly event: Event } | { readonly ok: false; readonly issue: Issue };

/** Counts every ingest job keeps. */
export interface ReadCounts {
  records: number;
  issues: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

export function emptyCounts(): ReadCounts {
  return { records: 0, issues: 0, firstTimestamp: Number.NaN, lastTimestamp: Number.NaN };
}

export function countResult(counts: ReadCounts, result: ReadResult): void {
  if (!result.ok) {
    counts.issues++;
    return;
  }
  counts.records++;
  const t = result.event.timestamp;
  if (!Number.isNaN(t)) {
    if (!(t >= counts.firstTimestamp)) counts.firstTimestamp = t;
    if (!(t <= counts.lastTimestamp)) counts.lastTimestamp = t;
  }
}
