// Our own advisory from draft to the inboxes of exactly the affected constituents, on a real SMTP exchange on
// loopback (smtp-server standing in for the constituents' relay, mailparser reading back what arrived):
// draft → review → publish by a second person; the CSAF 2.0 document passes the schema and the mandatory
// tests; TLP:RED is never e-mailed; the weekly report's figures come from warnedIn. SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Organisation } from '../../src/enrich/constituency/model.js';
import { validateCsaf } from '../../src/advisories/csaf/validate.js';
import { openTestPostgres, POSTGRES_URL, postgresProblem } from '../helpers/postgres.js';
import { addUser, signIn, startTestServer } from './support.js';
import { relay } from '../helpers/smtp-relay.js';

const org = (id: string, emails: string[]): Organisation => ({
  id,
  name: id.toUpperCase(),
  sectors: [],
  country: null,
  networks: [],
  asns: [],
  domains: [],
  contacts: emails.map((email) => ({ email })),
});

const json = <T>(r: { body: string }): T => JSON.parse(r.body) as T;

const ADVISORY = {
  title: 'Apache NimBLE: denial of service over Bluetooth LE',
  tlp: 'GREEN',
  summary: 'A crafted HCI packet stops the NimBLE stack (CVE-2024-24746).',
  cves: ['CVE-2024-24746'],
  products: [{ vendor: 'Apache', product: 'NimBLE', range: 'vers:generic/<=1.6.0', cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  remediation: 'Update Apache NimBLE to 1.7.0.',
  references: ['https://www.cve.org/CVERecord?id=CVE-2024-24746'],
};

const pgProblem = await postgresProblem();
if (pgProblem !== null && process.env.CI === 'true')
  test('PostgreSQL is reachable (required under CI)', () => assert.fail(`PostgreSQL at ${POSTGRES_URL}: ${pgProblem}`));
if (pgProblem !== null && process.env.CI !== 'true')
  console.warn(`\n*** SKIPPED: PostgreSQL at ${POSTGRES_URL} is not reachable (${pgProblem}): advisory publishing on PostgreSQL is NOT tested ***\n`);

for (const engine of pgProblem === null ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const))
  test(`${engine}: a published advisory reaches exactly the affected constituents over SMTP, as valid CSAF 2.0, TLP respected`, async () => {
    const out = await relay();
    const pgStore = engine === 'postgres' ? await openTestPostgres() : undefined;
    const t = await startTestServer({
      ...(pgStore ? { store: pgStore.store, storeUrl: pgStore.storeUrl } : {}),
      smtp: { host: '127.0.0.1', port: out.port, from: 'cert@vigil.example', fromName: 'Example CERT' },
      team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
    });
    try {
      await addUser(t.store, 'author', 'coordinator', 'AMBER+STRICT');
      await addUser(t.store, 'reviewer', 'coordinator', 'AMBER+STRICT');
      await addUser(t.store, 'analyst', 'analyst', 'AMBER');
      const author = await signIn(t.server, 'author');
      const reviewer = await signIn(t.server, 'reviewer');
      const analyst = await signIn(t.server, 'analyst');
      for (const o of [org('alpha', ['soc@alpha.example', 'cto@alpha.example']), org('beta', ['soc@beta.example']), org('gamma', ['soc@gamma.example']), org('delta', ['it@delta.example'])])
        await t.store.constituency.putOrganisation(o);
      // alpha runs an affected NimBLE, beta the fixed one, gamma something else, delta an affected one by purl.
      const add = async (id: string, body: object) => {
        const r = await analyst.request('POST', `/api/constituency/organisations/${id}/software`, body);
        assert.equal(r.statusCode, 200, r.body);
        return json<{ added: number; refused: unknown[] }>(r);
      };
      assert.deepEqual(await add('alpha', { text: 'vendor,product,version\nApache,NimBLE,1.6.0\nMicrosoft,Exchange Server,15.02.1118.020\n' }), { added: 2, refused: [] });
      assert.equal((await add('beta', { entries: [{ vendor: 'Apache Software Foundation', product: 'Apache NimBLE', version: '1.7.0' }] })).added, 1);
      assert.equal((await add('gamma', { entries: [{ cpe: 'cpe:2.3:a:microsoft:exchange_server:2019:*:*:*:*:*:*:*', version: '15.02.1118.020' }] })).added, 1);
      const cdx = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'NimBLE', version: '1.5.0', supplier: { name: 'Apache' } }] };
      assert.equal((await add('delta', { text: JSON.stringify(cdx) })).added, 1);
      assert.equal((await add('nobody', { entries: [] }).catch(() => ({ added: -1 }))).added, -1, 'an unknown organisation is refused');

      // Draft → review; the analyst may write but not publish, the author may not publish their own.
      const created = await author.request('POST', '/api/advisories', ADVISORY);
      assert.equal(created.statusCode, 201, created.body);
      const id = json<{ id: string }>(created).id;
      assert.match(id, /^VIGIL-\d{4}-0001$/);
      assert.equal((await author.request('POST', `/api/advisories/${id}/publish`)).statusCode, 409, 'a draft is not published');
      assert.equal((await author.request('POST', `/api/advisories/${id}/submit`, {})).statusCode, 200);
      assert.equal((await author.request('PUT', `/api/advisories/${id}`, ADVISORY)).statusCode, 409, 'no edits in review');
      assert.equal((await analyst.request('POST', `/api/advisories/${id}/publish`)).statusCode, 403);
      const own = await author.request('POST', `/api/advisories/${id}/publish`);
      assert.equal(own.statusCode, 409);
      assert.match(json<{ message: string }>(own).message, /second person/);
      assert.equal(out.received.length, 0);

      const published = await reviewer.request('POST', `/api/advisories/${id}/publish`);
      assert.equal(published.statusCode, 200, published.body);
      const result = json<{ advisory: { status: string; organisationIds: string[] }; deliveries: { recipient: string; ok: boolean }[] }>(published);
      assert.equal(result.advisory.status, 'published');
      assert.deepEqual(result.advisory.organisationIds, ['alpha', 'delta']);
      assert.deepEqual(result.deliveries.map((d) => [d.recipient, d.ok]).sort(), [
        ['cto@alpha.example', true],
        ['it@delta.example', true],
        ['soc@alpha.example', true],
      ]);

      // Exactly those three mailboxes, and nobody else, got it.
      assert.deepEqual(out.received.flatMap((r) => r.to).sort(), ['cto@alpha.example', 'it@delta.example', 'soc@alpha.example']);
      const mail = out.received.find((r) => r.to.includes('soc@alpha.example'))!.mail;
      assert.equal(mail.subject, `[TLP:GREEN] ${id}: ${ADVISORY.title}`);
      assert.equal(mail.from?.value[0]?.address, 'cert@vigil.example');
      assert.match(mail.text ?? '', /^TLP:GREEN$/m);
      assert.match(mail.text ?? '', /Apache NimBLE 1\.6\.0 \(vers:generic\/<=1\.6\.0\)/, 'names what the organisation runs');
      assert.doesNotMatch(mail.text ?? '', /Exchange/, "not the organisation's other software");
      assert.match(String(mail.html), /<span class="tlp">TLP:GREEN<\/span>/);
      const attachment = mail.attachments.find((a) => a.filename === `${id.toLowerCase()}.json`);
      assert.ok(attachment);
      const csaf = JSON.parse(attachment.content.toString('utf8')) as { document: { distribution: { tlp: { label: string } }; tracking: { id: string } } };
      const check = validateCsaf(csaf);
      assert.deepEqual([...check.schema, ...check.tests], [], 'the CSAF 2.0 sent passes the schema and every mandatory test');
      assert.equal(csaf.document.distribution.tlp.label, 'GREEN');
      assert.equal(csaf.document.tracking.id, id);
      const served = await analyst.request('GET', `/api/advisories/${id}?format=csaf`);
      assert.deepEqual(JSON.parse(served.body), csaf, 'the API serves the same document');
      assert.match((await analyst.request('GET', `/api/advisories/${id}?format=html`)).body, /<h1>VIGIL-/);

      // The messages are on record through the notification machinery.
      const notes = await t.store.notifications.forCase(`advisory:${id}`);
      assert.deepEqual(notes.map((n) => n.status).sort(), ['sent', 'sent', 'sent']);

      // Matches per organisation through the API (the published advisory among them).
      const matches = json<{ advisoryId: string; status: string }[]>(await analyst.request('GET', '/api/advisories/matches?organisation=alpha'));
      assert.deepEqual(matches.map((m) => [m.advisoryId, m.status]), [[id, 'affected']]);

      // The weekly report's section.
      const week = await t.store.advisories.warnedIn({ from: Date.now() - 86_400_000, to: Date.now() + 1 });
      assert.deepEqual(week.advisories.map((a) => [a.id, a.tlp, a.cves, a.products, a.organisationIds]), [
        [id, 'GREEN', ['CVE-2024-24746'], [{ vendor: 'Apache', product: 'NimBLE', severity: 'high', cvss: 7.5 }], ['alpha', 'delta']],
      ]);

      // TLP:RED is never e-mailed: published, on record as refused, no message sent.
      const red = json<{ id: string }>(await author.request('POST', '/api/advisories', { ...ADVISORY, tlp: 'RED', title: 'Red one' }));
      await author.request('POST', `/api/advisories/${red.id}/submit`, {});
      const redResult = json<{ advisory: { organisationIds: string[] }; deliveries: { ok: boolean; reason: string }[] }>(await reviewer.request('POST', `/api/advisories/${red.id}/publish`));
      assert.deepEqual(redResult.advisory.organisationIds, []);
      assert.equal(redResult.deliveries.length, 3);
      assert.ok(redResult.deliveries.every((d) => !d.ok && /TLP:RED is above/.test(d.reason)));
      assert.equal(out.received.length, 3, 'nothing more went out');
    } finally {
      await t.close();
      await out.close();
      await pgStore?.drop();
    }
  });

for (const engine of pgProblem === null ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const))
  test(`${engine}: two publish requests at the same time send each e-mail once`, async () => {
    const out = await relay();
    const pgStore = engine === 'postgres' ? await openTestPostgres() : undefined;
    const t = await startTestServer({
      ...(pgStore ? { store: pgStore.store, storeUrl: pgStore.storeUrl } : {}),
      smtp: { host: '127.0.0.1', port: out.port, from: 'cert@vigil.example', fromName: 'Example CERT' },
      team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
    });
    try {
      await addUser(t.store, 'author', 'coordinator', 'AMBER+STRICT');
      await addUser(t.store, 'first', 'coordinator', 'AMBER+STRICT');
      await addUser(t.store, 'second', 'admin', 'RED');
      const [author, first, second] = await Promise.all(['author', 'first', 'second'].map((u) => signIn(t.server, u)));
      await t.store.constituency.putOrganisation(org('alpha', ['soc@alpha.example', 'cto@alpha.example']));
      await t.store.constituency.putOrganisation(org('delta', ['it@delta.example']));
      const add = (organisationId: string, version: string) =>
        t.store.advisories.addSoftware([{ id: '', organisationId, vendor: 'Apache', product: 'NimBLE', version }]);
      await add('alpha', '1.6.0');
      await add('delta', '1.5.0');
      const id = json<{ id: string }>(await author!.request('POST', '/api/advisories', ADVISORY)).id;
      assert.equal((await author!.request('POST', `/api/advisories/${id}/submit`, {})).statusCode, 200);

      const responses = await Promise.all([first!.request('POST', `/api/advisories/${id}/publish`), second!.request('POST', `/api/advisories/${id}/publish`)]);
      const codes = responses.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 409], responses.map((r) => r.body).join('\n'));
      const lost = responses.find((r) => r.statusCode === 409)!;
      assert.match(json<{ message: string }>(lost).message, /already being published|published/);

      // Each contact got the advisory exactly once, and the record shows one send per contact.
      assert.deepEqual(out.received.flatMap((r) => r.to).sort(), ['cto@alpha.example', 'it@delta.example', 'soc@alpha.example']);
      const notes = await t.store.notifications.forCase(`advisory:${id}`);
      assert.deepEqual(notes.map((n) => [n.recipient, n.status]).sort(), [
        ['cto@alpha.example', 'sent'],
        ['it@delta.example', 'sent'],
        ['soc@alpha.example', 'sent'],
      ]);
      const stored = await t.store.advisories.getOwn(id);
      assert.equal(stored?.status, 'published');
      assert.deepEqual(stored?.organisationIds, ['alpha', 'delta']);
      assert.equal(stored?.history.filter((h) => h.action === 'published').length, 1);
      // A third attempt afterwards is refused as well, and sends nothing.
      assert.equal((await first!.request('POST', `/api/advisories/${id}/publish`)).statusCode, 409);
      assert.equal(out.received.length, 3);
    } finally {
      await t.close();
      await out.close();
      await pgStore?.drop();
    }
  });
