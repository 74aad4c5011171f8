/**
 * Feed configuration (YAML or JSON): which feeds to pull, from where, how often, with which parser,
 * and the dedup rules. docs/feeds.md shows a complete file.
 *
 *   homeCountry: AT
 *   shadowserverSchema: /etc/vigil/shadowserver-schema.json
 *   feeds:
 *     - name: spamhaus-drop
 *       url: https://www.spamhaus.org/drop/drop.txt
 *       everyMinutes: 720
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { DedupRule } from '../../cases/intake/index.js';
import { VigilError } from '../../core/errors.js';
import type { GenericCsvConfig } from '../../ingest/feeds/index.js';

export interface FeedConfig {
  readonly name: string;
  /** Parser name (vigil feeds list); sniffed from the content when absent. */
  readonly parser?: string;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly allowPrivate?: boolean;
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** Pull every this many minutes when the server runs. */
  readonly everyMinutes?: number;
  /** `feed.name` of its events (default: the parser's or the report's). */
  readonly feedName?: string;
  readonly provider?: string;
}

export interface IntakeSettings {
  readonly homeCountry: string;
  readonly shadowserverSchema?: string;
  readonly feeds: readonly FeedConfig[];
  readonly dedup?: readonly DedupRule[];
  readonly generic?: readonly GenericCsvConfig[];
  /** Send digests of new feed events per case every this many minutes while the server runs. */
  readonly digestEveryMinutes?: number;
  /** Folders whose new files are taken in every minute (each for a configured feed, or sniffed). */
  readonly watch?: readonly { readonly dir: string; readonly feed?: string }[];
  /** Abuse reports by e-mail: a Maildir or folder of .eml files, read every minute. */
  readonly abuseMailDir?: string;
  /**
   * A report larger than this many bytes is parsed and prepared in a worker thread while this one
   * writes the store (default PARSE_IN_WORKER_FROM; 0: every report; at most MAX_READ_AHEAD, as that
   * much is read ahead to tell).
   */
  readonly parseInWorkerFromBytes?: number;
}

/** Below this a report is taken in on one thread: starting a worker costs more than it saves. */
export const PARSE_IN_WORKER_FROM = 4 * 2 ** 20;
export const MAX_READ_AHEAD = 64 * 2 ** 20;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export function parseIntakeSettings(doc: unknown, file: string, homeCountry = 'CN'): IntakeSettings {
  const fail = (path: string, message: string): never => {
    throw new VigilError('feeds.config.invalid', `${file} ${path}: ${message}`);
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('/', 'not a mapping');
  const d = doc as Record<string, unknown>;
  const feedsValue = d.feeds ?? [];
  if (!Array.isArray(feedsValue)) return fail('/feeds', 'not a list');
  const names = new Set<string>();
  const feeds = feedsValue.map((f: unknown, i): FeedConfig => {
    const at = `/feeds/${i}`;
    if (f === null || typeof f !== 'object') return fail(at, 'not a mapping');
    const v = f as Record<string, unknown>;
    if (typeof v.name !== 'string' || !NAME.test(v.name)) return fail(`${at}/name`, 'a name of letters, digits, . _ - is needed');
    if (names.has(v.name)) fail(`${at}/name`, `${v.name} is named twice`);
    names.add(v.name);
    for (const key of ['parser', 'url', 'feedName', 'provider'] as const)
      if (v[key] !== undefined && typeof v[key] !== 'string') fail(`${at}/${key}`, 'not text');
    for (const key of ['maxBytes', 'timeoutMs', 'everyMinutes'] as const)
      if (v[key] !== undefined && (typeof v[key] !== 'number' || !(Number(v[key]) > 0))) fail(`${at}/${key}`, 'not a positive number');
    if (v.url !== undefined && !/^https?:\/\//i.test(String(v.url))) fail(`${at}/url`, 'only http and https URLs');
    if (v.headers !== undefined && (v.headers === null || typeof v.headers !== 'object' || Object.values(v.headers).some((h) => typeof h !== 'string')))
      fail(`${at}/headers`, 'a mapping of header names to text');
    return v as unknown as FeedConfig;
  });
  const home = typeof d.homeCountry === 'string' ? d.homeCountry.toUpperCase() : homeCountry;
  return {
    homeCountry: home,
    feeds,
    ...(typeof d.shadowserverSchema === 'string' ? { shadowserverSchema: d.shadowserverSchema } : {}),
    ...(Array.isArray(d.dedup) ? { dedup: d.dedup as DedupRule[] } : {}),
    ...(Array.isArray(d.generic) ? { generic: d.generic as GenericCsvConfig[] } : {}),
    ...(Array.isArray(d.watch)
      ? { watch: d.watch.map((w: unknown, i) => {
          const v = (w ?? {}) as Record<string, unknown>;
          if (typeof v.dir !== 'string') fail(`/watch/${i}/dir`, 'a folder is needed');
          return { dir: String(v.dir), ...(typeof v.feed === 'string' ? { feed: v.feed } : {}) };
        }) }
      : {}),
    ...(typeof d.abuseMailDir === 'string' ? { abuseMailDir: d.abuseMailDir } : {}),
    ...(d.parseInWorkerFromBytes !== undefined
      ? { parseInWorkerFromBytes: typeof d.parseInWorkerFromBytes === 'number' && d.parseInWorkerFromBytes >= 0 && d.parseInWorkerFromBytes <= MAX_READ_AHEAD
          ? d.parseInWorkerFromBytes
          : fail('/parseInWorkerFromBytes', `not a number of bytes from 0 to ${MAX_READ_AHEAD}`) }
      : {}),
    ...(typeof d.digestEveryMinutes === 'number' && d.digestEveryMinutes > 0 ? { digestEveryMinutes: d.digestEveryMinutes } : {}),
  };
}

export function loadIntakeSettings(path: string, homeCountry?: string): IntakeSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError('feeds.config.unreadable', `${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new VigilError('feeds.config.invalid', `${path}: ${(error as Error).message}`);
  }
  return parseIntakeSettings(doc, path, homeCountry);
}
