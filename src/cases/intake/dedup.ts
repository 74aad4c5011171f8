/**
 * Deduplication: events that agree on a rule's key fields within its window are one event (the
 * first is kept, the others counted on it). Rules are declared data; the first rule whose feeds
 * match the event's feed applies. The windows live in the store, so they hold across restarts.
 *
 *   { name: 'default', keys: ['source.ip', 'classification.type', 'source.port'], windowMs: 86_400_000 }
 */
import { hash } from 'node:crypto';
import type { HarmonisedFields } from '../../ingest/feeds/index.js';

export interface DedupRule {
  readonly name: string;
  /** feed.name values (or parser names) the rule is for; absent: every feed. */
  readonly feeds?: readonly string[];
  readonly keys: readonly string[];
  readonly windowMs: number;
}

export const DAY_MS = 86_400_000;

/** Same address (or network, URL, domain), type and ports within 24 hours is one. */
export const DEFAULT_DEDUP_RULES: readonly DedupRule[] = [
  {
    name: 'default',
    keys: [
      'source.ip',
      'source.network',
      'source.url',
      'source.fqdn',
      'source.asn',
      'classification.type',
      'source.port',
      'destination.ip',
      'destination.port',
      'malware.name',
    ],
    windowMs: DAY_MS,
  },
];

export function ruleFor(rules: readonly DedupRule[], feed: string): DedupRule {
  for (const r of rules) if (r.feeds === undefined || r.feeds.includes(feed)) return r;
  return DEFAULT_DEDUP_RULES[0]!;
}

/**
 * The rule's key of an event: 53 bits of the SHA-1 of the rule name and the key fields' values, an
 * integer, so the store's window index stays small and fast (a string key made inserts 2× slower).
 * Two different events share a key by chance about once in 10^8 events of one window.
 */
export function dedupKey(fields: HarmonisedFields, rule: DedupRule): number {
  return keyOfText(dedupKeyText(fields, rule));
}

/** What an event's key is the hash of: the rule name and the key fields' values. */
export function dedupKeyText(fields: HarmonisedFields, rule: DedupRule): string {
  let text = rule.name;
  for (const k of rule.keys) {
    const v = Object.hasOwn(fields, k) ? fields[k] : undefined;
    text += v === undefined ? '\u001f' : `\u001f${String(v)}`;
  }
  return text;
}

/** The key of a key text (dedupKeyText). */
export function keyOfText(text: string): number {
  // One-shot hashing: no Hash object per event.
  const d = hash('sha1', text, 'buffer');
  return (d.readUInt32BE(0) & 0x1fffff) * 0x100000000 + d.readUInt32BE(4);
}

/** What the store keeps of a window: the kept event and the window's start and last sighting. */
export interface DedupWindow {
  readonly eventId: string;
  readonly windowStart: number;
  lastSeen: number;
  /** Duplicates counted in this run, not yet written. */
  pending: number;
}

/** Whether an event at `time` falls into `window` of a rule. */
export const inWindow = (window: DedupWindow, time: number, rule: DedupRule): boolean =>
  time >= window.windowStart && time - window.windowStart < rule.windowMs;
