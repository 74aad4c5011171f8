// A constituent in the browser: the Advisories page lists only the advisories published to its organisation
// (not which others got them), shows its own matches without an organisation to choose, offers nothing to write
// or publish, and shows nothing of another organisation.
import assert from 'node:assert/strict';
import { addUser, PASSWORD, signIn, type Client } from '../server/support.js';
import { browserTest, liveServer, openBrowser, relay, screenshot, signInAs, violations } from './support.js';

const advisory = (title: string, product: string, range: string) => ({
  title,
  tlp: 'GREEN',
  summary: `${title}.`,
  cves: [],
  products: [{ vendor: 'Example', product, range, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  remediation: 'Update.',
  references: [],
});

async function publish(author: Client, reviewer: Client, body: object): Promise<string> {
  const id = (await author.request('POST', '/api/advisories', body)).json<{ id: string }>().id;
  assert.equal((await author.request('POST', `/api/advisories/${id}/submit`, {})).statusCode, 200);
  const r = await reviewer.request('POST', `/api/advisories/${id}/publish`);
  assert.equal(r.statusCode, 200, r.body);
  return id;
}

browserTest('web UI: a constituent sees the advisories sent to its organisation and its own matches only', async () => {
  const out = await relay();
  const t = await liveServer({
    smtp: { host: '127.0.0.1', port: out.port, from: 'cert@vigil.example', fromName: 'Example CERT' },
    team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
  });
  const browser = await openBrowser();
  const { page } = browser;
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  try {
    await addUser(t.store, 'author', 'coordinator', 'RED');
    await addUser(t.store, 'reviewer', 'coordinator', 'RED');
    await addUser(t.store, 'acme-soc', 'constituent', 'GREEN', 'acme');
    const [author, reviewer] = await Promise.all([signIn(t.server, 'author'), signIn(t.server, 'reviewer')]);
    for (const [id, name] of [
      ['acme', 'ACME Corporation'],
      ['globex', 'Globex'],
    ] as const) {
      const r = await author.request('PUT', `/api/organisations/${id}`, {
        id,
        name,
        sectors: [],
        country: null,
        networks: [],
        asns: [],
        domains: [],
        contacts: [{ email: `soc@${id}.example` }],
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    // acme runs the Gateway and the Router; globex the Gateway and the Vault.
    await t.store.advisories.addSoftware([
      { id: '', organisationId: 'acme', vendor: 'Example', product: 'Gateway', version: '2.3.0' },
      { id: '', organisationId: 'acme', vendor: 'Example', product: 'Router', version: '9.0' },
      { id: '', organisationId: 'globex', vendor: 'Example', product: 'Gateway', version: '2.0.0' },
      { id: '', organisationId: 'globex', vendor: 'Example', product: 'Vault', version: '1.0' },
    ]);
    await publish(author, reviewer, advisory('Gateway takeover', 'Gateway', 'vers:generic/<2.4.1'));
    await publish(author, reviewer, advisory('Vault leak at Globex', 'Vault', 'vers:generic/<2.0'));
    await author.request('POST', '/api/advisories', advisory('Router draft, not yet out', 'Router', 'vers:generic/<10'));
    assert.equal(out.received.length, 3, 'the Gateway to both, the Vault to globex');

    await signInAs(page, t.url, 'acme-soc', PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await nav('Advisories').click();
    await page.getByRole('heading', { name: 'Advisories', level: 1 }).waitFor();

    // Only the advisory sent to ACME, without the column of who else got it.
    const rows = page.getByTestId('advisory');
    await rows.first().waitFor();
    const listed = await rows.allInnerTexts();
    assert.equal(listed.length, 1, listed.join('\n'));
    assert.match(listed[0]!, /Gateway takeover/);
    assert.match(listed[0]!, /published/);
    const headers = await page.getByRole('table', { name: 'Advisories' }).locator('thead th').allInnerTexts();
    assert.ok(!headers.includes('sent to'), headers.join(','));
    assert.equal(await page.getByRole('form', { name: 'Draft advisory' }).count(), 0, 'nothing to write');
    assert.equal(await page.getByRole('button', { name: /Publish|Submit|Return|Edit/ }).count(), 0, 'nothing to move');

    // Its own matches, without an organisation to choose: the Gateway (the Router's advisory is a draft).
    assert.equal(await page.getByLabel('Organisation', { exact: true }).count(), 0);
    const matches = page.getByRole('table', { name: 'Matches' });
    await matches.locator('tbody tr').first().waitFor();
    const matched = await matches.locator('tbody tr').allInnerTexts();
    assert.equal(matched.length, 1, matched.join('\n'));
    assert.match(matched[0]!, /Example Gateway\s+2\.3\.0/);
    assert.match(await page.getByText(/software entries in the inventory/).innerText(), /^2 software/);
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Globex|globex|Vault|Router draft/);
    await screenshot(page, 'constituent-advisories', true);

    // Another organisation's advisory, asked for by address: not found, and nothing of it shown.
    const answer = await page.request.get(`${t.url}/api/advisories/matches?organisation=globex`);
    assert.equal(answer.status(), 404);
    assert.deepEqual(browser.dialogs, []);
    assert.deepEqual(browser.errors, []);
    assert.deepEqual(await violations(page), []);
  } finally {
    await browser.close();
    await t.close();
    await out.close();
  }
});
