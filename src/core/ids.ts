/** Content-derived ids: the same record ingested twice gets the same id, so every write is idempotent. */
import { createHash } from 'node:crypto';
import type { Event } from './event.js';

/** Stable JSON: object keys sorted, so equal content hashes equally whatever the reader's key order. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`).join(',')}}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** An event's id: its kind, time and fields, not where it was read from (a copied file dedupes). */
export function eventId(event: Event): string {
  return eventIdAndFields(event).id;
}

/** The id, and the fields as the stable JSON it was computed from (stores keep that text). */
export function eventIdAndFields(event: Event): { id: string; fieldsJson: string } {
  const fieldsJson = stableJson(event.fields);
  const id = createHash('sha1')
    .update(event.source.kind)
    .update('\0')
    .update(String(event.timestamp))
    .update('\0')
    .update(fieldsJson)
    .digest('hex');
  return { id, fieldsJson };
}

/** A detection's id: the rule and the event it fired on (or, for a correlation, its last event and group). */
export function detectionId(d: {
  readonly ruleId: string;
  readonly timestamp: number;
  readonly eventId?: string;
  readonly source: Event['source'];
  readonly fields: Event['fields'];
}): string {
  const where =
    d.eventId ??
    `${d.source.file}\0${d.source.offset ?? ''}\0${d.source.line ?? ''}\0${d.source.recordId ?? ''}`;
  return createHash('sha1')
    .update(d.ruleId)
    .update('\0')
    .update(String(d.timestamp))
    .update('\0')
    .update(where)
    .update('\0')
    .update(stableJson(d.fields))
    .digest('hex');
}
