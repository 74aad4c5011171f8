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
  return createHash('sha1')
    .update(event.source.kind)
    .update('\0')
    .update(String(event.timestamp))
    .update('\0')
    .update(stableJson(event.fields))
    .digest('hex');
}
