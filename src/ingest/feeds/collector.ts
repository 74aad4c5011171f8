/**
 * Fetching a feed over HTTP(S): conditional requests (ETag / If-Modified-Since), a size and a time
 * limit, and no requests to private, loopback, link-local or otherwise internal addresses unless the
 * feed is configured to allow them. The address checked is the one the name resolves to (and each
 * redirect's), not only the name, so DNS cannot smuggle a request inside.
 *
 *   const r = await fetchFeed({ url }, { etag: last?.etag });
 *   if (r.status === 'ok') for await (const line of streamLines(r.body)) …
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { VigilError } from '../../core/errors.js';
import { parseIp, parsePrefix, prefixMask, type IpAddress } from '../../core/ip.js';

export interface FeedSource {
  readonly url: string;
  /** Extra request headers, e.g. an API key; never stored with the events. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest body accepted (default 2 GiB). */
  readonly maxBytes?: number;
  /** Whole-request time limit (default 5 minutes). */
  readonly timeoutMs?: number;
  /** Allow private, loopback and link-local addresses (a feed inside the CERT's own network). */
  readonly allowPrivate?: boolean;
  readonly maxRedirects?: number;
}

export interface Validators {
  readonly etag?: string | null;
  readonly lastModified?: string | null;
}

export type FetchResult =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      readonly body: AsyncIterable<Uint8Array>;
      readonly etag: string | null;
      readonly lastModified: string | null;
      /** The last path segment (Shadowserver reports carry their type in it), or the disposition name. */
      readonly fileName: string;
      readonly url: string;
    };

/** Ranges no feed should make us reach unless allowed: RFC 1918, loopback, link-local, CGNAT, … */
const INTERNAL = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4', '::/128', '::1/128', '::ffff:0:0/96', '64:ff9b::/96',
  'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((p) => parsePrefix(p)!);

export function isInternalAddress(address: IpAddress): boolean {
  for (const p of INTERNAL) {
    if (p.v6 !== address.v6) continue;
    const width = p.v6 ? 128 : 32;
    if ((address.value & prefixMask(p.bits, width)) === p.network) return true;
  }
  return false;
}

function refuse(url: string, address: string): VigilError {
  return new VigilError('feeds.fetch.refused', `${url}: refused to connect to ${address}, an internal address (set allowPrivate for this feed to allow it)`);
}

/** dns.lookup that refuses internal addresses after resolving. */
function guardedLookup(url: string, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const list = Array.isArray(addresses) ? addresses : [];
      for (const a of list) {
        const parsed = parseIp(a.address);
        if (!allowPrivate && (!parsed || isInternalAddress(parsed))) return callback(refuse(url, a.address), '', 0);
      }
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) callback(null, list, 0);
      else callback(null, first.address, first.family);
    });
  };
}

function fileNameOf(url: URL, response: IncomingMessage): string {
  const disposition = response.headers['content-disposition'];
  const named = typeof disposition === 'string' ? /filename="?([^";/\\]{1,200})"?/i.exec(disposition)?.[1] : undefined;
  return named ?? decodeURIComponent(url.pathname.split('/').pop() || url.hostname);
}

export async function fetchFeed(source: FeedSource, previous: Validators = {}): Promise<FetchResult> {
  const maxBytes = source.maxBytes ?? 2 * 1024 ** 3;
  const timeoutMs = source.timeoutMs ?? 300_000;
  let url = new URL(source.url);
  const deadline = Date.now() + timeoutMs;
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new VigilError('feeds.fetch.scheme', `${url.href}: only http and https feeds are fetched`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const literal = parseIp(host);
      if (!source.allowPrivate && (!literal || isInternalAddress(literal))) throw refuse(url.href, host);
    }
    const headers: Record<string, string> = { 'user-agent': 'Vigil feed collector', accept: '*/*', ...(source.headers ?? {}) };
    if (previous.etag) headers['if-none-match'] = previous.etag;
    if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'GET',
        headers,
        lookup: guardedLookup(url.href, source.allowPrivate ?? false),
        timeout: Math.max(1, deadline - Date.now()),
      });
      request.on('response', resolve);
      request.on('timeout', () => request.destroy(new VigilError('feeds.fetch.timeout', `${url.href}: no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end();
    });
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && status !== 304 && response.headers.location) {
      response.resume();
      if (redirects >= (source.maxRedirects ?? 5)) throw new VigilError('feeds.fetch.redirects', `${source.url}: too many redirects`);
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status === 304) {
      response.resume();
      return { status: 'not-modified' };
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new VigilError('feeds.fetch.status', `${url.href}: HTTP ${status}`);
    }
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      response.destroy();
      throw new VigilError('feeds.fetch.too-large', `${url.href}: ${length} bytes, more than the limit of ${maxBytes}`);
    }
    const where = url.href;
    const timer = setTimeout(
      () => response.destroy(new VigilError('feeds.fetch.timeout', `${where}: not complete within ${timeoutMs} ms`)),
      Math.max(1, deadline - Date.now()),
    );
    async function* body(): AsyncGenerator<Uint8Array> {
      let size = 0;
      try {
        for await (const chunk of response as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) {
            response.destroy();
            throw new VigilError('feeds.fetch.too-large', `${where}: more than the limit of ${maxBytes} bytes`);
          }
          yield chunk;
        }
      } finally {
        clearTimeout(timer);
      }
    }
    const etag = response.headers.etag;
    const lastModified = response.headers['last-modified'];
    return {
      status: 'ok',
      body: body(),
      etag: typeof etag === 'string' ? etag : null,
      lastModified: typeof lastModified === 'string' ? lastModified : null,
      fileName: fileNameOf(url, response),
      url: url.href,
    };
  }
}
