/**
 * A pivot as people type it — times as ISO 8601 text, a field as NAME=VALUE — into an EventQuery,
 * for the command line and the API alike.
 */
import { parseTimestamp } from '../core/time.js';
import type { EventQuery } from './types.js';

export interface PivotText {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly host?: string | undefined;
  readonly user?: string | undefined;
  readonly ip?: string | undefined;
  /** NAME=VALUE */
  readonly field?: string | undefined;
  readonly text?: string | undefined;
}

export type Pivot =
  | { readonly query: Omit<EventQuery, 'limit' | 'after'> }
  | { readonly problem: string; readonly code: string };

export function pivotQuery(p: PivotText): Pivot {
  const field = p.field === undefined ? undefined : /^([^=]+)=(.*)$/s.exec(p.field);
  if (p.field !== undefined && !field)
    return { code: 'field-invalid', problem: `field wants NAME=VALUE, got "${p.field}"` };
  const times: Record<'from' | 'to', number | undefined> = { from: undefined, to: undefined };
  for (const name of ['from', 'to'] as const) {
    const value = p[name];
    if (value === undefined) continue;
    const t = parseTimestamp(value);
    if (Number.isNaN(t))
      return {
        code: 'time-invalid',
        problem: `${name}: "${value}" is not a time (ISO 8601, e.g. 2026-05-10T14:02:00Z)`,
      };
    times[name] = t;
  }
  return {
    query: {
      ...(times.from !== undefined ? { from: times.from } : {}),
      ...(times.to !== undefined ? { to: times.to } : {}),
      ...(p.host ? { host: p.host } : {}),
      ...(p.user ? { user: p.user } : {}),
      ...(p.ip ? { ip: p.ip } : {}),
      ...(field ? { field: { name: field[1]!, value: field[2]! } } : {}),
      ...(p.text ? { text: p.text } : {}),
    },
  };
}
