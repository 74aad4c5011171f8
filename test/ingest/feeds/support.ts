// Runs a feed parser over a sample from ../shared/data/feeds and compares with IntelMQ's expected events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrayLines, FeedParsers, type FeedEvent, type FeedParser, type FeedReport } from '../../../src/ingest/feeds/index.js';
import type { Issue } from '../../../src/core/issue.js';
import { SHARED_DATA } from '../../helpers/shared-data.js';

export const FEEDS = join(SHARED_DATA, 'feeds');

export type Expected = Record<string, unknown>;

export function readExpected(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FEEDS, relative), 'utf8')) as Record<string, unknown>;
}

/** IntelMQ's Report dict → our FeedReport. */
export function reportOf(r: Expected | undefined, fileName: string): FeedReport {
  const get = (k: string): unknown => r?.[k];
  return {
    fileName: typeof get('extra.file_name') === 'string' ? (get('extra.file_name') as string) : fileName,
    observation: typeof get('time.observation') === 'string' ? (get('time.observation') as string) : '2015-01-01T00:00:00+00:00',
    ...(typeof get('feed.name') === 'string' ? { feedName: get('feed.name') as string } : {}),
    ...(typeof get('feed.url') === 'string' ? { feedUrl: get('feed.url') as string } : {}),
    ...(typeof get('feed.accuracy') === 'number' ? { feedAccuracy: get('feed.accuracy') as number } : {}),
  };
}

export async function run(parser: FeedParser, text: string, report: FeedReport): Promise<{ events: FeedEvent[]; issues: Issue[] }> {
  const events: FeedEvent[] = [];
  const issues: Issue[] = [];
  for await (const r of parser.parse(arrayLines(text), report)) {
    if ('event' in r) events.push(r.event);
    else issues.push(r.issue);
  }
  return { events, issues };
}

/**
 * Every field of the expected event our schema has, with the same value; `except` are the
 * documented differences (docs/feeds.md). Returns the mismatches, empty when equal.
 */
export function differences(ours: FeedEvent, expected: Expected, except: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (key === '__type' || except.includes(key)) continue;
    if (!Object.hasOwn(ours.fields, key)) out.push(`${key}: missing (expected ${JSON.stringify(value)})`);
    else if (ours.fields[key] !== value) out.push(`${key}: ${JSON.stringify(ours.fields[key])} ≠ ${JSON.stringify(value)}`);
  }
  return out;
}

export const parsers = new FeedParsers({ shadowserverSchema: join(FEEDS, 'shadowserver/current/shadowserver-schema.test.json') });
