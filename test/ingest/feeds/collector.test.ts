// The HTTP collector against a local server (the SSRF guard configured to allow loopback), and the
// guard refusing loopback by address and by a name that resolves to it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fetchFeed, isInternalAddress, streamLines } from '../../../src/ingest/feeds/index.js';
import { parseIp } from '../../../src/core/ip.js';

const DROP = '; Spamhaus DROP List\n; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\n1.4.0.0/17 ; SBL256893\n';
let server: Server;
let base = '';
const seen: Record<string, string | undefined>[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url, inm: req.headers['if-none-match'], ims: req.headers['if-modified-since'], auth: req.headers.authorization });
    if (req.url === '/drop.txt') {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304).end();
      return res.writeHead(200, { etag: '"v1"', 'last-modified': 'Mon, 14 Sep 2015 04:39:22 GMT' }).end(DROP);
    }
    if (req.url === '/moved') return res.writeHead(302, { location: '/drop.txt' }).end();
    if (req.url === '/big') return res.writeHead(200).end('x'.repeat(10_000));
    if (req.url === '/gz') return res.writeHead(200, { 'content-disposition': 'attachment; filename="2024-03-01-scan_smb-x.csv"' }).end(gzipSync(DROP));
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 2000);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const lines: string[] = [];
  for await (const l of streamLines(body)) lines.push(l.text);
  return lines.join('\n');
}

describe('feed collector', () => {
  it('fetches, then asks conditionally and gets 304', async () => {
    const first = await fetchFeed({ url: `${base}/drop.txt`, allowPrivate: true, headers: { authorization: 'Bearer k' } });
    assert.equal(first.status, 'ok');
    if (first.status !== 'ok') return;
    assert.equal(first.etag, '"v1"');
    assert.equal(first.fileName, 'drop.txt');
    assert.match(await text(first.body), /1\.4\.0\.0\/17/);
    const second = await fetchFeed({ url: `${base}/drop.txt`, allowPrivate: true }, { etag: first.etag, lastModified: first.lastModified });
    assert.equal(second.status, 'not-modified');
    assert.equal(seen.at(-1)!.inm, '"v1"');
    assert.equal(seen.at(-1)!.ims, 'Mon, 14 Sep 2015 04:39:22 GMT');
    assert.equal(seen.at(-2)!.auth, 'Bearer k');
  });
  it('follows a redirect, inflates gzip, takes the file name from the disposition', async () => {
    const moved = await fetchFeed({ url: `${base}/moved`, allowPrivate: true });
    assert.equal(moved.status === 'ok' && moved.url, `${base}/drop.txt`);
    const gz = await fetchFeed({ url: `${base}/gz`, allowPrivate: true });
    assert.ok(gz.status === 'ok');
    if (gz.status !== 'ok') return;
    assert.equal(gz.fileName, '2024-03-01-scan_smb-x.csv');
    assert.match(await text(gz.body), /SBL256893/);
  });
  it('stops at the size limit and the time limit', async () => {
    const big = await fetchFeed({ url: `${base}/big`, allowPrivate: true, maxBytes: 1000 });
    await assert.rejects(async () => (big.status === 'ok' ? text(big.body) : ''), { code: 'feeds.fetch.too-large' });
    await assert.rejects(fetchFeed({ url: `${base}/slow`, allowPrivate: true, timeoutMs: 200 }), { code: 'feeds.fetch.timeout' });
    await assert.rejects(fetchFeed({ url: `${base}/none`, allowPrivate: true }), { code: 'feeds.fetch.status' });
  });
  it('refuses loopback unless allowed: by address and by a name resolving to it', async () => {
    await assert.rejects(fetchFeed({ url: `${base}/drop.txt` }), { code: 'feeds.fetch.refused' });
    const port = (server.address() as AddressInfo).port;
    await assert.rejects(fetchFeed({ url: `http://localhost:${port}/drop.txt` }), { code: 'feeds.fetch.refused' });
    await assert.rejects(fetchFeed({ url: `http://[::1]:${port}/drop.txt` }), { code: 'feeds.fetch.refused' });
    await assert.rejects(fetchFeed({ url: 'file:///etc/passwd' }), { code: 'feeds.fetch.scheme' });
    assert.equal(seen.filter((s) => s.url === '/drop.txt').length, 3, 'no request reached the server');
  });
  it('internal ranges', () => {
    for (const ip of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '192.168.1.1', '172.16.0.1', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1'])
      assert.equal(isInternalAddress(parseIp(ip)!), true, ip);
    for (const ip of ['8.8.8.8', '2a00:1450::1', '193.0.0.1']) assert.equal(isInternalAddress(parseIp(ip)!), false, ip);
  });
});
