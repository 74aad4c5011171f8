/**
 * CSAF documents from a provider: its provider-metadata.json (checked against its CSAF 2.0 schema; ROLIE feeds
 * of distributions[]) or a ROLIE feed itself, each entry's document fetched when online (`load` given) or,
 * offline, found in a local mirror: the entry URL's path is tried, from its longest suffix down, below the
 * folder of the file given.
 *
 *   for await (const item of readCsafProvider('mirror/provider-metadata.json')) …
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { issue, type Issue } from '../../core/issue.js';
import { arr, prop, str } from '../json.js';
import { validateProviderMetadataSchema } from './schema.js';

export interface ProviderItem {
  readonly source: string;
  readonly document?: unknown;
  readonly issue?: Issue;
}

/** Fetches a URL's text (online), or undefined when it cannot. */
export type Loader = (url: string) => Promise<string>;

const MAX_DOCUMENTS = 100_000;
const MAX_BYTES = 32 * 1024 * 1024;

export function isProviderMetadata(value: unknown): boolean {
  return Array.isArray(prop(value, 'distributions')) && prop(value, 'metadata_version') !== undefined;
}

export function isRolieFeed(value: unknown): boolean {
  return Array.isArray(prop(prop(value, 'feed'), 'entry'));
}

export function feedUrls(metadata: unknown): string[] {
  return arr(prop(metadata, 'distributions')).flatMap((d) => arr(prop(prop(d, 'rolie'), 'feeds')).flatMap((f) => str(prop(f, 'url')) ?? []));
}

export function entryUrls(feed: unknown): string[] {
  return arr(prop(prop(feed, 'feed'), 'entry')).flatMap((e) => {
    const src = str(prop(prop(e, 'content'), 'src'));
    if (src) return [src];
    const self = arr(prop(e, 'link')).find((l) => prop(l, 'rel') === 'self');
    return str(prop(self, 'href')) ?? [];
  });
}

/** The local copy of `url` below `base`: the longest suffix of the URL's path that exists there. */
async function localCopy(url: string, base: string): Promise<string | undefined> {
  let segments: string[];
  try {
    segments = new URL(url).pathname.split('/').filter(Boolean).slice(-16).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.some((s) => s === '..' || s.includes(sep) || s.includes('\0'))) return undefined;
  for (let i = 0; i < segments.length; i++) {
    const candidate = normalize(join(base, ...segments.slice(i)));
    if (!candidate.startsWith(normalize(base))) continue;
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  return undefined;
}

async function text(url: string, base: string, load: Loader | undefined): Promise<{ text: string; source: string } | { error: string }> {
  if (load) {
    try {
      const t = await load(url);
      return t.length > MAX_BYTES ? { error: 'over the size limit' } : { text: t, source: url };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  const local = await localCopy(url, base);
  if (!local) return { error: 'not in the local mirror (offline)' };
  const s = await stat(local);
  if (s.size > MAX_BYTES) return { error: 'over the size limit' };
  return { text: await readFile(local, 'utf8'), source: local };
}

/** Every document a provider-metadata.json or ROLIE feed names. */
export async function* readCsafProvider(path: string, load?: Loader): AsyncGenerator<ProviderItem> {
  const base = dirname(path);
  let root: unknown;
  try {
    root = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    yield { source: path, issue: issue('csaf.provider', (e as Error).message, { file: path }) };
    return;
  }
  const feeds: { feed: unknown; source: string }[] = [];
  if (isRolieFeed(root)) feeds.push({ feed: root, source: path });
  else if (isProviderMetadata(root)) {
    // A provider-metadata.json that breaks its schema is reported; its feeds are still read.
    for (const f of validateProviderMetadataSchema(root))
      yield { source: path, issue: issue('csaf.provider.schema', `${f.message} [${f.schemaPath}]`, { file: path, path: f.path || '/' }) };
    for (const url of feedUrls(root)) {
      const got = await text(url, base, load);
      if ('error' in got) {
        yield { source: url, issue: issue('csaf.feed', got.error, { file: url }) };
        continue;
      }
      try {
        feeds.push({ feed: JSON.parse(got.text), source: got.source });
      } catch (e) {
        yield { source: got.source, issue: issue('csaf.feed', `not JSON: ${(e as Error).message}`, { file: got.source }) };
      }
    }
  } else {
    yield { source: path, issue: issue('csaf.provider', 'neither a provider-metadata.json nor a ROLIE feed', { file: path }) };
    return;
  }
  let count = 0;
  for (const { feed } of feeds)
    for (const url of entryUrls(feed)) {
      if (++count > MAX_DOCUMENTS) return;
      const got = await text(url, base, load);
      if ('error' in got) {
        yield { source: url, issue: issue('csaf.document', got.error, { file: url }) };
        continue;
      }
      try {
        yield { source: got.source, document: JSON.parse(got.text) };
      } catch (e) {
        yield { source: got.source, issue: issue('csaf.document', `not JSON: ${(e as Error).message}`, { file: got.source }) };
      }
    }
}

/** The online loader: HTTPS (or HTTP for loopback), 30 s, size-limited. */
export const fetchLoader: Loader = async (url) => {
  const u = new URL(url);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost')))
    throw new Error('only https URLs are fetched');
  const response = await fetch(u, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new Error('over the size limit');
  return response.text();
};
