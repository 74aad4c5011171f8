/** Nested JSON → flat dotted field names (`alert.signature`, `flow.bytes_toserver`), bounded in depth. */
import { putField } from '../core/fields.js';
import type { FieldValue } from '../core/event.js';

export function flattenJson(
  value: unknown,
  out: Record<string, FieldValue> = {},
  prefix = '',
  depth = 0,
): Record<string, FieldValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (prefix) putField(out, prefix, toField(value, depth));
    return out;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth < 16)
      flattenJson(v, out, name, depth + 1);
    else putField(out, name, toField(v, depth));
  }
  return out;
}

function toField(value: unknown, depth: number): FieldValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (Array.isArray(value) && depth < 16) return value.map((v) => toField(v, depth + 1));
  if (value === undefined) return null;
  return JSON.stringify(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
