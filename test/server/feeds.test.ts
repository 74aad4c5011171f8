// Feed intake through the server: a configured feed pulled from a local HTTP server (guard set to
// allow loopback) ends in cases per owner with a run record; the second pull is a conditional
// request answered 304; an uploaded X-ARF report is sniffed and taken in.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { runFeed } from '../../src/server/feeds/run.js';
import { parseIntakeSettings } from '../../src/server/feeds/config.js';
import { SqliteStore } from '../../src/store/index.js';

const REPORT = 'feed code,source ip,source time,observation time,tlp,description,type\nRI,198.51.100.7,2026-11-16 03:13:20Z,2026-11-16 10:13:23Z,amber,Leaked credentials,data leak\n';

test('a configured feed over HTTP: cases per owner, run recorded, then 304', async () => {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.headers['if-none-match'] === '"r1"') return res.writeHead(304).end();
    res.writeHead(200, { etag: '"r1"' }).end(REPORT);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const store = new SqliteStore(':memory:');
  try {
    await store.constituency.putOrganisation({
      id: 'acme', name: 'ACME Water', sectors: [], country: 'NL', networks: ['198.51.100.0/24'], asns: [], domains: [], contacts: [{ email: 'soc@acme.example' }],
    });
    const settings = parseIntakeSettings(
      { homeCountry: 'NL', feeds: [{ name: 'certeu', parser: 'cert-eu', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.csv`, allowPrivate: true }] },
      'feeds.yaml',
    );
    const run = await runFeed(store, settings, 'certeu');
    assert.equal(run.status, 'done', run.message ?? '');
    assert.equal(run.events, 1);
    assert.equal(run.casesOpened, 1);
    const [c] = await store.intake.cases();
    assert.equal(c!.organisation, 'acme');
    assert.equal(c!.rsitType, 'data-leak');
    assert.equal((await store.cases.get(c!.caseId))!.tlp, 'AMBER');
    const again = await runFeed(store, settings, 'certeu');
    assert.equal(again.status, 'not-modified');
    assert.equal(hits, 2);
    assert.equal(await store.intake.count(), 1);
  } finally {
    server.close();
    await store.close();
  }
});

test('the configuration is checked: a bad URL or a repeated name names the place', () => {
  assert.throws(() => parseIntakeSettings({ feeds: [{ name: 'a', url: 'ftp://x' }] }, 'f.yaml'), /f\.yaml \/feeds\/0\/url: only http and https/);
  assert.throws(() => parseIntakeSettings({ feeds: [{ name: 'a' }, { name: 'a' }] }, 'f.yaml'), /\/feeds\/1\/name: a is named twice/);
});
