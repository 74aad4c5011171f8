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
import { putField } from '../../core/fields.js';
import type { HarmonisedFields } from '../../ingest/feeds/index.js';

/** `raw` as `head + tail`, the head shared by every event of a report. */
export interface RawParts {
  readonly head: string;
  readonly tail: string;
}

export interface FeedTemplate {
  readonly id: number;
  readonly fields: HarmonisedFields;
  readonly keys: number;
  readonly raw: string;
  /** How the key sequences met so far compare with it, the latest first (`compactOf`'s cache). */
  readonly plans: KeyPlan[];
  /** The last raw head an event was written with, and whether `raw` starts with it. */
  head: { readonly text: string; readonly shared: boolean } | undefined;
}

/**
 * One key sequence of events (a report's events all have the same) against a template, worked out
 * once: per key, the template's value to compare with and the key as JSON; the template's keys the
 * sequence lacks. An event is then compared value by value, without a look-up per field.
 */
interface KeyPlan {
  readonly keys: readonly string[];
  /** Per key: the template's value, or ABSENT. */
  readonly base: readonly unknown[];
  /** Per key: `"key":`. */
  readonly quoted: readonly string[];
  /** Where `raw` is in the sequence, or -1. */
  readonly rawAt: number;
  /** `,["name",…]` of the template's keys missing from the sequence, or ''. */
  readonly removed: string;
}

const ABSENT = Symbol('absent');
const PLANS_KEPT = 4;
/** Templates a writer tries per feed, the latest first. */
export const TEMPLATES_PER_FEED = 4;

/**
 * A feed's latest templates, the newest first: an event is stored against the first that fits. The
 * store keeps one per feed; a worker preparing events off the store's thread keeps its own.
 */
export class TemplateList {
  readonly #templates: FeedTemplate[] = [];

  /** The first template the event fits and its compact form against it. */
  fit(fields: HarmonisedFields, parts?: RawParts): [FeedTemplate, string] | undefined {
    for (const t of this.#templates) {
      const stored = compactOf(fields, t, parts);
      if (stored !== null) return [t, stored];
    }
    return undefined;
  }

  add(template: FeedTemplate): void {
    this.#templates.unshift(template);
    if (this.#templates.length > TEMPLATES_PER_FEED) this.#templates.pop();
  }
}

export function templateOf(id: number, fields: HarmonisedFields): FeedTemplate {
  const raw = fields.raw;
  return { id, fields, keys: Object.keys(fields).length, raw: typeof raw === 'string' ? raw : '', plans: [], head: undefined };
}

/** Base64 characters `a` and `b` share from the start, cut to whole 4-character groups. */
function sharedPrefix(a: string, b: string): number {
  return sharedFrom(a, b, 0);
}

/** Characters `a` shares with `b` from `b[offset]` on, cut to whole 4-character groups. */
function sharedFrom(a: string, b: string, offset: number): number {
  const n = Math.min(a.length, b.length - offset);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(offset + i)) i++;
  return i - (i % 4);
}

function planOf(keys: readonly string[], template: FeedTemplate): KeyPlan {
  const base = template.fields;
  const inSequence = new Set(keys);
  const removed: string[] = [];
  for (const key in base) if (!inSequence.has(key)) removed.push(key);
  return {
    keys,
    base: keys.map((key) => (key !== 'raw' && Object.hasOwn(base, key) ? base[key] : ABSENT)),
    quoted: keys.map(jsonKey),
    rawAt: keys.indexOf('raw'),
    removed: removed.length > 0 ? `,${JSON.stringify(removed)}` : '',
  };
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

const valueJson = (value: HarmonisedFields[string]): string =>
  typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' && !Number.isFinite(value) ? 'null' : String(value);

/**
 * `[changed fields, raw prefix length, raw tail, removed field names?]` as JSON, or null when the
 * event is too unlike the template (more than half its fields differ) to be worth storing against it.
 * `parts`, when given, is how `fields.raw` was built: the head is compared with the template once,
 * not on every event.
 */
export function compactOf(fields: HarmonisedFields, template: FeedTemplate, parts?: RawParts): string | null {
  const latest = template.plans[0];
  if (latest !== undefined) {
    const out = compactWith(fields, template, latest, parts);
    if (out !== ABSENT) return out;
  }
  const keys = Object.keys(fields);
  const at = template.plans.findIndex((p) => sameKeys(p.keys, keys));
  const plan = at < 0 ? planOf(keys, template) : template.plans.splice(at, 1)[0]!;
  template.plans.unshift(plan);
  if (template.plans.length > PLANS_KEPT) template.plans.pop();
  return compactWith(fields, template, plan, parts) as string | null;
}

/** The compact form by a plan, or ABSENT when the event's keys are not the plan's. */
function compactWith(fields: HarmonisedFields, template: FeedTemplate, plan: KeyPlan, parts: RawParts | undefined): string | null | typeof ABSENT {
  const { keys, base, quoted } = plan;
  const n = keys.length;
  // The JSON is written here, not built as an object and stringified: one string, no object per event.
  let changed = '';
  let differing = 0;
  let i = 0;
  for (const key in fields) {
    if (i >= n || key !== keys[i]) return ABSENT;
    const value = fields[key]!;
    if (i !== plan.rawAt && base[i] !== value) {
      changed += `${differing === 0 ? '' : ','}${quoted[i]!}${valueJson(value)}`;
      differing++;
    }
    i++;
  }
  if (i !== n) return ABSENT;
  if (differing * 2 > template.keys) return null;
  if (plan.rawAt < 0) return `[{${changed}},0,null${plan.removed}]`;
  const raw = fields.raw as string;
  let tail: string;
  let prefix: number;
  if (parts !== undefined && raw.length === parts.head.length + parts.tail.length && headShared(template, parts.head)) {
    // The head is whole 3-byte groups (a multiple of 4 characters), so the cut is the same as over the whole raw.
    const more = sharedFrom(parts.tail, template.raw, parts.head.length);
    prefix = parts.head.length + more;
    tail = JSON.stringify(parts.tail.slice(more));
  } else {
    prefix = sharedPrefix(raw, template.raw);
    tail = JSON.stringify(raw.slice(prefix));
  }
  return `[{${changed}},${prefix},${tail}${plan.removed}]`;
}

/** Whether the template's raw starts with `head`, kept for the last head seen. */
function headShared(template: FeedTemplate, head: string): boolean {
  const known = template.head;
  if (known !== undefined && known.text === head) return known.shared;
  const shared = head.length % 4 === 0 && template.raw.startsWith(head);
  template.head = { text: head, shared };
  return shared;
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
