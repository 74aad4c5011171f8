/**
 * The compact stored form of feed events: most of an event's fields are the same for every event of
 * its report (feed, observation time, classification, constants, the header half of `raw`), so a
 * feed's first event becomes a template stored once, and each event keeps only what differs from it.
 * A Shadowserver event shrinks from ~1.2 kB of JSON to ~150 bytes, which is most of the cost of
 * storing it.
 *
 *   const stored = compactOf(event.fields, template); // '[{"source.ip":"…"},372,"…tail"]', or null
 *   const fields = restoreFrom(stored, template);     // the event's fields again, `raw` whole
 */
import { putField } from '../core/fields.js';
import type { HarmonisedFields } from '../ingest/feeds/index.js';

export interface FeedTemplate {
  readonly id: number;
  readonly fields: HarmonisedFields;
  readonly keys: number;
  readonly raw: string;
}

export function templateOf(id: number, fields: HarmonisedFields): FeedTemplate {
  const raw = fields.raw;
  return { id, fields, keys: Object.keys(fields).length, raw: typeof raw === 'string' ? raw : '' };
}

/** Base64 characters `a` and `b` share from the start, cut to whole 4-character groups. */
function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i - (i % 4);
}

/**
 * `[changed fields, raw prefix length, raw tail, removed field names?]` as JSON, or null when the
 * event is too unlike the template (more than half its fields differ) to be worth storing against it.
 */
export function compactOf(fields: HarmonisedFields, template: FeedTemplate): string | null {
  const base = template.fields;
  // The JSON is written here, not built as an object and stringified: one string, no object per event.
  let changed = '';
  let differing = 0;
  let shared = 0;
  let raw: string | undefined;
  for (const key in fields) {
    const value = fields[key]!;
    if (key === 'raw') {
      raw = value as string;
      shared++;
      continue;
    }
    if (Object.hasOwn(base, key)) {
      shared++;
      if (base[key] === value) continue;
    }
    changed += `${differing === 0 ? '' : ','}${jsonKey(key)}${typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' && !Number.isFinite(value) ? 'null' : String(value)}`;
    differing++;
  }
  if (differing * 2 > template.keys) return null;
  let removed: string[] | undefined;
  if (shared < template.keys)
    for (const key in base) if (!Object.hasOwn(fields, key)) (removed ??= []).push(key);
  const prefix = raw === undefined ? 0 : sharedPrefix(raw, template.raw);
  const tail = raw === undefined ? 'null' : JSON.stringify(raw.slice(prefix));
  return `[{${changed}},${prefix},${tail}${removed ? `,${JSON.stringify(removed)}` : ''}]`;
}

const KEYS_KEPT = 4096;
const quotedKeys = new Map<string, string>();
/** `"key":`, kept for the few field names a feed has. */
function jsonKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    if (quotedKeys.size >= KEYS_KEPT) quotedKeys.clear();
    quotedKeys.set(key, (quoted = `${JSON.stringify(key)}:`));
  }
  return quoted;
}

/** The fields an event had, from its compact form and its template. */
export function restoreFrom(stored: string, template: FeedTemplate): HarmonisedFields {
  const [changed, prefix, tail, removed] = JSON.parse(stored) as [HarmonisedFields, number, string | null, string[]?];
  const fields: HarmonisedFields = { ...template.fields };
  for (const key of removed ?? []) delete fields[key];
  // Not Object.assign: a `__proto__` field is a field (see putField).
  for (const key of Object.keys(changed)) putField(fields, key, changed[key]!);
  if (tail === null) delete fields.raw;
  else fields.raw = template.raw.slice(0, prefix) + tail;
  return fields;
}
