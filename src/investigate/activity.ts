/**
 * When the attacker works: actions by UTC hour and weekday, and the UTC offset under which they best
 * fit a working day (Monday–Friday, 09:00–18:00 local). The fit is the share of actions inside it.
 */

export interface Activity {
  /** Actions per UTC hour, 0–23. */
  readonly by_hour_utc: number[];
  /** Actions per UTC weekday, Monday first. */
  readonly by_weekday: number[];
  /**
   * Whole hours east of UTC (e.g. 8 for UTC+08:00); null without actions, and when no offset puts any
   * action in a working day (all of it at weekends, say): every offset would tie at 0.
   */
  readonly best_utc_offset: number | null;
  /** Share of actions inside the working day under that offset, 0–1. */
  readonly fit: number;
  readonly actions: number;
}

const HOUR = 3_600_000;

function workingShare(times: readonly number[], offset: number): number {
  let inside = 0;
  for (const t of times) {
    const local = new Date(t + offset * HOUR);
    const day = local.getUTCDay(); // 0 Sunday
    const hour = local.getUTCHours();
    if (day >= 1 && day <= 5 && hour >= 9 && hour < 18) inside++;
  }
  return inside / times.length;
}

export function activityOf(times: readonly number[]): Activity {
  const valid = times.filter((t) => Number.isFinite(t));
  const byHour = Array<number>(24).fill(0);
  const byWeekday = Array<number>(7).fill(0);
  for (const t of valid) {
    const d = new Date(t);
    byHour[d.getUTCHours()]!++;
    byWeekday[(d.getUTCDay() + 6) % 7]!++;
  }
  if (valid.length === 0)
    return { by_hour_utc: byHour, by_weekday: byWeekday, best_utc_offset: null, fit: 0, actions: 0 };
  // Offsets from UTC-12 to UTC+14; on a tie the one nearest the middle of the fitting range wins,
  // so a nine-hour working day does not slide to its edge.
  const scores: { offset: number; share: number }[] = [];
  for (let offset = -12; offset <= 14; offset++) scores.push({ offset, share: workingShare(valid, offset) });
  const bestShare = Math.max(...scores.map((s) => s.share));
  if (bestShare === 0)
    return { by_hour_utc: byHour, by_weekday: byWeekday, best_utc_offset: null, fit: 0, actions: valid.length };
  const tied = scores.filter((s) => Math.abs(s.share - bestShare) < 1e-9).map((s) => s.offset);
  const middle = tied[Math.floor((tied.length - 1) / 2)]!;
  return {
    by_hour_utc: byHour,
    by_weekday: byWeekday,
    best_utc_offset: middle,
    fit: Math.round(bestShare * 1000) / 1000,
    actions: valid.length,
  };
}
