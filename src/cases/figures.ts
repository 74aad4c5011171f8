/**
 * The figures a CERT reports for a period, from its cases and notifications: cases opened, handled
 * and resolved by RSIT class, cross-border cases, notifications by party and outcome, and the median
 * time to resolution. Every figure carries the ids it counts, so a report can show where it came from.
 */
import type { Case } from './model.js';
import { ENDED } from './workflow.js';

export interface Period {
  /** Inclusive, ms. */
  readonly from: number;
  /** Exclusive, ms. */
  readonly to: number;
}

/** An ISO week (`2026-W47`, Monday 00:00 UTC to the next Monday) or an explicit from/to. */
export function periodOf(q: { week?: string; from?: string; to?: string }): Period | { problem: string } {
  if (q.week !== undefined) {
    const [year, week] = q.week.split('-W').map(Number) as [number, number];
    if (!Number.isInteger(year) || !(week >= 1 && week <= 53))
      return { problem: `${q.week} is not an ISO week` };
    // ISO week 1 is the week with 4 January in it.
    const jan4 = Date.UTC(year, 0, 4);
    const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
    const from = monday1 + (week - 1) * 7 * 86_400_000;
    return { from, to: from + 7 * 86_400_000 };
  }
  const from = q.from === undefined ? NaN : Date.parse(q.from);
  const to = q.to === undefined ? NaN : Date.parse(q.to);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from)
    return { problem: 'give week=YYYY-Www, or from and to (ISO 8601, from before to)' };
  return { from, to };
}

export interface Counted {
  readonly count: number;
  readonly ids: readonly string[];
}

export interface NotificationFact {
  readonly id: string;
  readonly caseId: string;
  readonly partyKind: string;
  readonly status: string;
  readonly sentAt: number | null;
}

/** By RSIT class, and by `class/type` (a case without a type counts as `class/unspecified`). */
export interface ByRsit {
  readonly byClass: Readonly<Record<string, Counted>>;
  readonly byType: Readonly<Record<string, Counted>>;
}

export interface CaseFigures {
  readonly period: { readonly from: string; readonly to: string };
  readonly opened: Counted & ByRsit;
  readonly handled: Counted & ByRsit;
  readonly resolved: Counted & ByRsit;
  readonly crossBorder: Counted & {
    readonly share: number;
    readonly byCountry: Readonly<Record<string, Counted>>;
  };
  readonly notifications: Counted & {
    readonly byParty: Readonly<Record<string, Readonly<Record<string, Counted>>>>;
  };
  readonly medianHoursToResolution: number | null;
}

/** When a case was resolved, when it is (ended ones only); what the case store records. */
export interface CaseTimes {
  readonly resolvedAt: number | null;
}

const within = (t: number | null, p: Period): boolean => t !== null && t >= p.from && t < p.to;

function counted(ids: string[]): Counted {
  return { count: ids.length, ids: [...ids].sort() };
}

function byKey<T>(items: readonly T[], key: (t: T) => string, id: (t: T) => string): Record<string, Counted> {
  const groups = new Map<string, string[]>();
  for (const item of items) {
    const k = key(item);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(id(item));
  }
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, counted(v)]),
  );
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const classOf = (c: Case): string => c.rsitClass ?? 'unclassified';
const typeOf = (c: Case): string => `${classOf(c)}/${c.rsitType ?? 'unspecified'}`;

function byRsit(list: readonly Case[]): Counted & ByRsit {
  return {
    ...counted(list.map((c) => c.id)),
    byClass: byKey(list, classOf, (c) => c.id),
    byType: byKey(list, typeOf, (c) => c.id),
  };
}

export function caseFigures(
  cases: readonly (Case & CaseTimes & { readonly foreignCountries: readonly string[] })[],
  notifications: readonly NotificationFact[],
  period: Period,
): CaseFigures {
  // Merged-away cases are counted in the case they were merged into.
  const live = cases.filter((c) => c.mergedInto === null && c.status !== 'rejected');
  const opened = live.filter((c) => within(c.createdAt, period));
  const handled = live.filter(
    (c) =>
      c.createdAt < period.to &&
      !(ENDED.has(c.status) && c.resolvedAt !== null && c.resolvedAt < period.from),
  );
  const resolved = live.filter((c) => within(c.resolvedAt, period));
  const border = handled.filter((c) => c.foreignCountries.length > 0);
  const sent = notifications.filter((n) => within(n.sentAt, period));
  const byParty: Record<string, Record<string, Counted>> = {};
  for (const [party, list] of Object.entries(
    byKey(
      sent,
      (n) => n.partyKind,
      (n) => n.id,
    ),
  )) {
    const these = sent.filter((n) => list.ids.includes(n.id));
    byParty[party] = byKey(
      these,
      (n) => n.status,
      (n) => n.id,
    );
  }
  const byCountry: Record<string, string[]> = {};
  for (const c of border) for (const country of c.foreignCountries) (byCountry[country] ??= []).push(c.id);
  return {
    period: { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() },
    opened: byRsit(opened),
    handled: byRsit(handled),
    resolved: byRsit(resolved),
    crossBorder: {
      ...counted(border.map((c) => c.id)),
      share: handled.length === 0 ? 0 : Math.round((border.length / handled.length) * 1000) / 1000,
      byCountry: Object.fromEntries(
        Object.entries(byCountry)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, counted(v)]),
      ),
    },
    notifications: { ...counted(sent.map((n) => n.id)), byParty },
    medianHoursToResolution: (() => {
      const hours = resolved.map((c) => (c.resolvedAt! - c.createdAt) / 3_600_000);
      const m = median(hours);
      return m === null ? null : Math.round(m * 10) / 10;
    })(),
  };
}
