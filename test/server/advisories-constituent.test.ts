// A constituent's view of advisories over the API: the advisories published to its organisation (up to its
// clearance), its own organisation's matches and inventory, and nothing of another organisation — not its
// advisories, matches or software, not even whether they exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Organisation } from '../../src/enrich/constituency/model.js';
import { SHARED_DATA, corpusMissing } from '../helpers/shared-data.js';
import { relay } from '../helpers/smtp-relay.js';
import { addUser, signIn, startTestServer, type Client, type TestServer } from './support.js';

const org = (id: string): Organisation => ({
  id,
  name: id.toUpperCase(),
  sectors: [],
  country: null,
  networks: [],
  asns: [],
  domains: [],
  contacts: [{ email: `soc@${id}.example` }],
});

const json = <T>(r: { body: string }): T => JSON.parse(r.body) as T;

const advisory = (title: string, tlp: string, product: { vendor: string; product: string; range: string }) => ({
  title,
  tlp,
  summary: `${title}.`,
  cves: [],
  products: [{ ...product, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  remediation: 'Update.',
  references: [],
});

/** Draft → review → published by a second person; the advisory's id. */
async function publish(author: Client, reviewer: Client, body: object): Promise<string> {
  const id = json<{ id: string }>(await author.request('POST', '/api/advisories', body)).id;
  assert.equal((await author.request('POST', `/api/advisories/${id}/submit`, {})).statusCode, 200);
  const r = await reviewer.request('POST', `/api/advisories/${id}/publish`);
  assert.equal(r.statusCode, 200, r.body);
  return id;
}

async function putCve(t: TestServer, id: string): Promise<void> {
  const document = JSON.parse(readFileSync(join(SHARED_DATA, 'cve', `${id}.json`), 'utf8')) as unknown;
  await t.store.advisories.putRecord({ id: `cve:${id}`, kind: 'cve', title: id, state: 'PUBLISHED', updated: null, valid: true }, document);
}

test('a constituent reads its own advisories, matches and inventory, and nothing of another organisation', { skip: corpusMissing('cve') }, async () => {
  const out = await relay();
  const t = await startTestServer({
    smtp: { host: '127.0.0.1', port: out.port, from: 'cert@vigil.example', fromName: 'Example CERT' },
    team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
  });
  try {
    await addUser(t.store, 'author', 'coordinator', 'AMBER+STRICT');
    await addUser(t.store, 'reviewer', 'coordinator', 'AMBER+STRICT');
    await addUser(t.store, 'analyst', 'analyst', 'AMBER');
    await addUser(t.store, 'acme-soc', 'constituent', 'GREEN', 'acme');
    await addUser(t.store, 'globex-soc', 'constituent', 'GREEN', 'globex');
    const [author, reviewer, analyst, acme, globex] = await Promise.all(['author', 'reviewer', 'analyst', 'acme-soc', 'globex-soc'].map((u) => signIn(t.server, u)));
    for (const id of ['acme', 'globex']) await t.store.constituency.putOrganisation(org(id));
    // acme runs NimBLE; globex runs NimBLE and Log4j.
    await t.store.advisories.addSoftware([
      { id: '', organisationId: 'acme', vendor: 'Apache', product: 'NimBLE', version: '1.6.0' },
      { id: '', organisationId: 'globex', vendor: 'Apache', product: 'NimBLE', version: '1.5.0' },
      { id: '', organisationId: 'globex', vendor: '', product: '', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
    ]);
    await putCve(t, 'CVE-2024-24746');
    await putCve(t, 'CVE-2021-44228');

    const nimble = { vendor: 'Apache', product: 'NimBLE', range: 'vers:generic/<=1.6.0' };
    const green = await publish(author!, reviewer!, advisory('NimBLE, green', 'GREEN', nimble));
    const amber = await publish(author!, reviewer!, advisory('NimBLE, amber', 'AMBER', nimble));
    const log4j = await publish(author!, reviewer!, advisory('Log4j, green', 'GREEN', { vendor: 'Apache Software Foundation', product: 'log4j-core', range: 'vers:maven/>=2.0|<2.15.0' }));
    const draft = json<{ id: string }>(await author!.request('POST', '/api/advisories', advisory('Draft', 'CLEAR', nimble))).id;
    assert.deepEqual((await t.store.advisories.getOwn(log4j))?.organisationIds, ['globex'], 'the Log4j advisory went to globex only');
    assert.deepEqual((await t.store.advisories.getOwn(amber))?.organisationIds, ['acme', 'globex']);

    // Imported CSAF documents: one labelled WHITE (public), one without a label (not assumed public).
    const csaf = (await t.store.advisories.getOwn(green))!.csaf as { document: { tracking: { id: string }; distribution: Record<string, unknown> } };
    const white = structuredClone(csaf);
    white.document.tracking.id = 'EXT-WHITE';
    white.document.distribution = { tlp: { label: 'WHITE' } };
    const unlabelled = structuredClone(csaf);
    unlabelled.document.tracking.id = 'EXT-UNLABELLED';
    unlabelled.document.distribution = {};
    for (const doc of [white, unlabelled])
      await t.store.advisories.putRecord({ id: `csaf:${doc.document.tracking.id}`, kind: 'csaf', title: 'x', state: 'final', updated: null, valid: true }, doc);

    // The list: only the published advisory sent to acme at a TLP the account is cleared for, without naming
    // the other organisations it went to or the CERT's notes.
    type Listed = { id: string; organisationIds: string[]; history: unknown[] };
    const listed = json<Listed[]>(await acme!.request('GET', '/api/advisories'));
    assert.deepEqual(listed.map((a) => [a.id, a.organisationIds, a.history]), [[green, ['acme'], []]]);
    assert.deepEqual(json<Listed>(await acme!.request('GET', `/api/advisories/${green}`)).organisationIds, ['acme']);
    assert.doesNotMatch((await acme!.request('GET', `/api/advisories/${green}?format=csaf`)).body, /globex/i);
    assert.doesNotMatch((await acme!.request('GET', `/api/advisories/${green}?format=html`)).body, /globex/i);
    assert.deepEqual(json<Listed>(await analyst!.request('GET', `/api/advisories/${green}`)).organisationIds, ['acme', 'globex'], 'staff see all');
    assert.deepEqual(json<{ id: string }[]>(await globex!.request('GET', '/api/advisories')).map((a) => a.id).sort(), [green, log4j].sort());
    assert.equal(json<unknown[]>(await acme!.request('GET', '/api/advisories?status=draft')).length, 0);
    assert.equal(json<unknown[]>(await analyst!.request('GET', '/api/advisories')).length, 4, 'staff see all four');

    // One advisory: its own in every format; another's, the AMBER one and the draft are not found.
    for (const format of ['json', 'csaf', 'html']) assert.equal((await acme!.request('GET', `/api/advisories/${green}?format=${format}`)).statusCode, 200, format);
    for (const id of [log4j, amber, draft, 'VIGIL-2000-0001'])
      for (const format of ['json', 'csaf', 'html']) {
        const r = await acme!.request('GET', `/api/advisories/${id}?format=${format}`);
        assert.equal(r.statusCode, 404, `${id} ${format}`);
        assert.doesNotMatch(r.body, /NimBLE|Log4j/);
      }

    // Matches: acme's own by default, of what it may see (the CVE record, our green advisory, the WHITE CSAF).
    type Match = { organisationId: string; advisoryId: string };
    const mine = json<Match[]>(await acme!.request('GET', '/api/advisories/matches'));
    assert.deepEqual([...new Set(mine.map((m) => m.organisationId))], ['acme']);
    assert.deepEqual([...new Set(mine.map((m) => m.advisoryId))].sort(), ['CVE-2024-24746', 'EXT-WHITE', green].sort());
    assert.deepEqual(json<Match[]>(await acme!.request('GET', '/api/advisories/matches?organisation=acme')), mine);
    // Staff see the AMBER ones as well.
    const staff = json<Match[]>(await analyst!.request('GET', '/api/advisories/matches?organisation=acme'));
    assert.deepEqual([...new Set(staff.map((m) => m.advisoryId))].sort(), ['CVE-2024-24746', 'EXT-UNLABELLED', 'EXT-WHITE', amber, green].sort());
    assert.equal((await analyst!.request('GET', '/api/advisories/matches')).statusCode, 400, 'staff name the organisation');
    // globex's: Log4Shell and the Log4j advisory among them; acme never sees them.
    const theirs = json<Match[]>(await globex!.request('GET', '/api/advisories/matches'));
    assert.ok(theirs.some((m) => m.advisoryId === 'CVE-2021-44228') && theirs.some((m) => m.advisoryId === log4j));
    for (const asked of ['globex', 'nobody']) {
      const r = await acme!.request('GET', `/api/advisories/matches?organisation=${asked}`);
      assert.equal(r.statusCode, 404, `${asked}: the same answer whether the organisation exists or not`);
      assert.doesNotMatch(r.body, /log4j|NimBLE/i);
    }

    // Inventory: its own; not another's.
    const software = json<{ organisationId: string; product: string }[]>(await acme!.request('GET', '/api/constituency/organisations/acme/software'));
    assert.deepEqual(software.map((s) => [s.organisationId, s.product]), [['acme', 'NimBLE']]);
    assert.equal((await acme!.request('GET', '/api/constituency/organisations/globex/software')).statusCode, 404);

    // And nothing to change or to read in bulk.
    assert.equal((await acme!.request('GET', '/api/advisories/records')).statusCode, 403);
    assert.equal((await acme!.request('POST', '/api/constituency/organisations/acme/software', { entries: [{ vendor: 'x', product: 'y', version: '1' }] })).statusCode, 403);
    assert.equal((await acme!.request('POST', '/api/advisories', advisory('mine', 'CLEAR', nimble))).statusCode, 403);
  } finally {
    await t.close();
    await out.close();
  }
});
