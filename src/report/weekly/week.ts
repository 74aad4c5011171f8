/**
 * ISO 8601 weeks (`2026-W47`: Monday 00:00 UTC to the next Monday), the weekly report's period.
 * Week 1 is the week with 4 January in it, so a week's year can differ from its Monday's.
 */
import type { Period } from './inputs.js';

const DAY = 86_400_000;
const WEEK = /^(\d{4})-W(\d{2})$/;

function mondayOfWeek1(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
}

function weeksIn(year: number): number {
  return Math.round((mondayOfWeek1(year + 1) - mondayOfWeek1(year)) / (7 * DAY));
}

/** The period of an ISO week, or a problem naming what is wrong with it. */
export function weekPeriod(week: string): Period | { readonly problem: string } {
  const m = WEEK.exec(week);
  if (!m) return { problem: `"${week.slice(0, 40)}" is not an ISO week (YYYY-Www, e.g. 2026-W47)` };
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || n > weeksIn(year)) return { problem: `${year} has no week ${n} (it has ${weeksIn(year)})` };
  const from = mondayOfWeek1(year) + (n - 1) * 7 * DAY;
  return { from, to: from + 7 * DAY };
}

/** The ISO week a moment falls in. */
export function weekOf(t: number): string {
  const day = Math.floor(t / DAY) * DAY;
  const monday = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
  // The week belongs to the year of its Thursday.
  const year = new Date(monday + 3 * DAY).getUTCFullYear();
  const n = Math.round((monday - mondayOfWeek1(year)) / (7 * DAY)) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

/** The week before (`2026-W01` → `2025-W52` or `2025-W53`). */
export function previousWeek(week: string): string {
  const p = weekPeriod(week);
  if ('problem' in p) throw new Error(p.problem);
  return weekOf(p.from - DAY);
}

/** The last week that has ended at `now`. */
export function lastCompleteWeek(now: number): string {
  return weekOf(now - 7 * DAY);
}
