// Feed intake through the server: a configured feed pulled from a local HTTP server (guard set to
// allow loopback) ends in cases per owner with a run record; the second pull is a conditional
// request answered 304; an uploaded X-ARF report is sniffed and taken in.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { sendDigests } from '../../src/server/feeds/digest.js';
import { intakeBody, runFeed } from '../../src/server/feeds/run.js';
import { startTestServer } from './support.js';
import { relay } from '../helpers/smtp-relay.js';
import { takeAbuseMail, takeFolder } from '../../src/server/feeds/watch.js';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  assert.throws(() => parseIntakeSettings({ parseInWorkerFromBytes: -1 }, 'f.yaml'), /f\.yaml \/parseInWorkerFromBytes: not a number of bytes/);
});

test('a report over the worker threshold is parsed in a worker thread: the same events, cases and counts', async () => {
  const outcomes = [];
  for (const parseInWorkerFromBytes of [undefined, 0]) {
    const store = new SqliteStore(':memory:');
    try {
      await store.constituency.putOrganisation({
        id: 'acme', name: 'ACME Water', sectors: [], country: 'NL', networks: ['198.51.100.0/24'], asns: [], domains: [], contacts: [{ email: 'soc@acme.example' }],
      });
      const settings = parseIntakeSettings({ homeCountry: 'NL', feeds: [], ...(parseInWorkerFromBytes === undefined ? {} : { parseInWorkerFromBytes }) }, 'feeds.yaml');
      // 2.160.0.1 is in Germany by the offline database (looked up in the worker too): a cross-border case.
      const text = `${REPORT}RI,198.51.100.7,2026-11-16 04:13:20Z,,amber,Leaked credentials,data leak\nRI,2.160.0.1,2026-11-16 03:13:20Z,,amber,Infected,botnet\n`;
      const { run, result } = await intakeBody(store, settings, { name: 'upload', parser: 'cert-eu' }, { body: Readable.from([Buffer.from(text)]), fileName: 'x.csv' });
      assert.equal(result.inWorker, parseInWorkerFromBytes === 0);
      assert.match(run.message ?? '', parseInWorkerFromBytes === 0 ? /parsed in a worker thread/ : /cases$/);
      const events = (await store.intake.events({ limit: 10 })).map((e) => ({ ...e, caseId: e.caseId !== null }));
      outcomes.push({ counts: [result.events, result.duplicates, result.stored, result.casesOpened, result.crossBorder], events });
    } finally {
      await store.close();
    }
  }
  assert.deepEqual(outcomes[0]!.counts, [3, 1, 2, 1, 0]);
  assert.deepEqual(outcomes[1], outcomes[0]);
});

test('digests on a real SMTP exchange: the constituent and the foreign CERT, CSV and X-ARF attached', async () => {
  const smtp = await relay();
  const { received, port } = smtp;
  const t = await startTestServer({
    smtp: { host: '127.0.0.1', port, from: 'cert@vigil.example', fromName: 'Example CERT' },
    team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
    homeCountry: 'NL',
  });
  try {
    await t.store.constituency.putOrganisation({
      id: 'acme', name: 'ACME Water', sectors: [], country: 'NL', networks: ['198.51.100.0/24'], asns: [], domains: [], contacts: [{ email: 'soc@acme.example' }],
    });
    await t.store.constituency.putParty({
      id: 'cert-de', name: 'CERT-DE', kind: 'cert', countries: ['DE'], asns: [], networks: [], domains: [], platforms: [], contacts: [{ email: 'incident@cert.example.de' }], preferredFormat: 'x-arf',
    });
    const settings = parseIntakeSettings({ homeCountry: 'NL', feeds: [] }, 'feeds.yaml');
    // 198.51.100.7 is ACME's; 2.160.0.1 is in Germany by the offline database.
    const text = 'feed code,source ip,source time,observation time,tlp,description,type\nRI,198.51.100.7,2026-11-16 03:13:20Z,,amber,Infected,botnet\nRI,2.160.0.1,2026-11-16 03:13:20Z,,amber,Infected,botnet\n';
    const { result } = await intakeBody(t.store, settings, { name: 'upload', parser: 'cert-eu' }, { body: Readable.from([Buffer.from(text)]), fileName: 'x.csv' });
    assert.equal(result.casesOpened, 2);
    assert.equal(result.crossBorder, 1);
    const digests = await sendDigests(t.store, t.server.context.notifier);
    assert.deepEqual(digests.map((d) => d.sent).sort(), [1, 1], JSON.stringify(digests));
    const acme = received.find((r) => r.to.includes('soc@acme.example'))!;
    assert.match(acme.mail.subject ?? '', /\[VIGIL#\d+\] \[TLP:AMBER\]/);
    assert.ok(acme.mail.attachments.some((a) => a.filename === 'observables.csv' && a.content.toString().includes('198.51.100.7')));
    const cert = received.find((r) => r.to.includes('incident@cert.example.de'))!;
    const xarf = cert.mail.attachments.find((a) => a.filename === 'x-arf.json')!;
    assert.equal((JSON.parse(xarf.content.toString()) as { source_identifier: string }[])[0]!.source_identifier, '2.160.0.1');
    // Nothing new: no second digest.
    assert.deepEqual(await sendDigests(t.store, t.server.context.notifier), []);
  } finally {
    await t.close();
    await smtp.close();
  }
});

test('a watched folder and an abuse-mail folder are taken in, files marked taken', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watch-'));
  const mail = mkdtempSync(join(tmpdir(), 'vigil-abuse-'));
  const store = new SqliteStore(':memory:');
  try {
    writeFileSync(join(dir, 'drop.txt'), '; Spamhaus DROP List 2015/09/14\n; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\n1.4.0.0/17 ; SBL256893\n');
    utimesSync(join(dir, 'drop.txt'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const settings = parseIntakeSettings({ homeCountry: 'NL', watch: [{ dir }], abuseMailDir: mail }, 'feeds.yaml');
    const [run] = await takeFolder(store, settings, settings.watch![0]!);
    assert.equal(run!.events, 1);
    assert.ok(existsSync(join(dir, 'drop.txt.done')));
    writeFileSync(join(mail, 'report.eml'), 'From: abuse@isp.example\r\nSubject: scanning from 203.0.113.9\r\nDate: Tue, 3 Sep 2019 16:57:40 +0200\r\n\r\n203.0.113.9 scanned us at 2019-09-03 14:00:00 UTC.\r\n');
    const [mailRun] = await takeAbuseMail(store, settings, mail);
    assert.equal(mailRun!.feed, 'abuse-mail');
    assert.equal(mailRun!.events, 1);
    const [e] = await store.intake.events({ feed: 'abuse-mail' });
    assert.equal(e!.sourceIp, '203.0.113.9');
    assert.equal(e!.fields['extra.mail_from'], 'abuse@isp.example');
  } finally {
    await store.close();
  }
});
