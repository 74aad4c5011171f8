/**
 * The weekly report's schedule: once a week (by default Monday 00:00 UTC) the server writes the issue
 * of the week just ended, at each configured TLP, into the store's archive. It checks the archive
 * first and the archive keeps one issue per week and TLP, so a restart (or several servers on one
 * PostgreSQL) never makes a second one; a server that was down at the hour catches up on start.
 * Only the latest due week is made: a report of an older week, drawn from today's records, would
 * not be the report that week had.
 */
import type { Tlp } from '../../core/tlp.js';
import { lastCompleteWeek, weekOf, weekPeriod, type Period } from '../../report/weekly/index.js';
import { weeklyIssueId, type Store } from '../../store/index.js';
import { weeklyReportFromStore } from './weekly-data.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface WeeklyScheduleOptions {
  /** Which versions to keep each week (default: CLEAR, the public one, and AMBER, the team's). */
  readonly tlps?: readonly Tlp[];
  /** 1 = Monday … 7 = Sunday, of the week after the report's week (default 1). */
  readonly weekday?: number;
  /** UTC hour (default 0). */
  readonly hour?: number;
}

export const DEFAULT_SCHEDULE_TLPS: readonly Tlp[] = ['CLEAR', 'AMBER'];

/** How long after a week ends its report is due. */
export function offsetOf(options: WeeklyScheduleOptions): number {
  const weekday = options.weekday ?? 1;
  const hour = options.hour ?? 0;
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7)
    throw new Error(`weekly report weekday ${weekday}: give 1 (Monday) to 7 (Sunday)`);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23)
    throw new Error(`weekly report hour ${hour}: give 0 to 23 (UTC)`);
  return (weekday - 1) * DAY + hour * HOUR;
}

/** The latest week whose report is due at `now`, and when the next one falls due. */
export function dueAt(now: number, offset: number): { readonly week: string; readonly next: number } {
  const shifted = now - offset;
  const current = weekPeriod(weekOf(shifted)) as Period;
  return { week: lastCompleteWeek(shifted), next: current.to + offset };
}

export class WeeklySchedule {
  readonly #store: Store;
  readonly #tlps: readonly Tlp[];
  readonly #offset: number;
  readonly #homeCountry: string;
  readonly #publisher: string | undefined;
  readonly #log: (message: string) => void;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<string[]> | undefined;
  #stopped = false;

  constructor(config: {
    store: Store;
    homeCountry: string;
    /** The team's name, in the report's heading. */
    publisher?: string;
    options: WeeklyScheduleOptions;
    log: (message: string) => void;
    now?: () => number;
  }) {
    this.#store = config.store;
    this.#tlps = config.options.tlps ?? DEFAULT_SCHEDULE_TLPS;
    this.#offset = offsetOf(config.options);
    this.#homeCountry = config.homeCountry;
    this.#publisher = config.publisher;
    this.#log = config.log;
    this.#now = config.now ?? Date.now;
  }

  /** Makes what is due now (awaited, so a caller can tell when it is done), then waits for the next. */
  async start(): Promise<string[]> {
    const made = await this.runDue();
    this.#arm();
    return made;
  }

  /** Writes the due week's issues that are not in the archive yet; returns the ids it wrote. */
  runDue(): Promise<string[]> {
    // One run at a time: a timer firing during a slow run waits for it.
    const run = (this.#running ?? Promise.resolve([])).then(() => this.#run());
    this.#running = run.catch(() => []);
    return run;
  }

  async #run(): Promise<string[]> {
    const { week } = dueAt(this.#now(), this.#offset);
    const made: string[] = [];
    for (const tlp of this.#tlps) {
      if (await this.#store.weeklyReports.get(weeklyIssueId(week, tlp))) continue;
      const report = await weeklyReportFromStore(this.#store, {
        week,
        tlp,
        homeCountry: this.#homeCountry,
        ...(this.#publisher === undefined ? {} : { publisher: this.#publisher }),
        generatedAt: new Date(this.#now()).toISOString(),
      });
      if (
        await this.#store.weeklyReports.put({
          week,
          tlp,
          generatedAt: Date.parse(report.generatedAt),
          report,
        })
      )
        made.push(weeklyIssueId(week, tlp));
    }
    if (made.length > 0) this.#log(`weekly report: kept ${made.join(', ')}`);
    return made;
  }

  #arm(): void {
    if (this.#stopped) return;
    const { next } = dueAt(this.#now(), this.#offset);
    // Timers hold at most ~24.8 days; a week fits, and waking a little late is harmless.
    this.#timer = setTimeout(
      () => {
        void this.runDue()
          .catch((e: unknown) => this.#log(`weekly report: ${(e as Error).message}`))
          .finally(() => this.#arm());
      },
      Math.max(1000, next - this.#now()),
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
