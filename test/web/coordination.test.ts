// The coordination pages in a real browser against a real server on loopback: the weekly report of a week
// with a case (a figure shown, the HTML and PDF forms answering), an advisory written and submitted by an
// analyst and published by a coordinator (the author cannot), and a feed report uploaded with its run and
// events shown. Screenshots go to docs/screenshots/ (shown in the README).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, PASSWORD, signIn } from '../server/support.js';
import {
  browserTest,
  liveServer,
  openBrowser,
  screenshot,
  signInAs,
  violations,
  waitFor,
} from './support.js';

/** ISO 8601 week of a date, `2026-W47`. */
function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const week = Math.ceil(((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

// Three entries of abuse.ch's Feodo Tracker IP blocklist (JSON), as the feed publishes it.
const FEODO = JSON.stringify(
  [
    ['51.178.161.32', 4643, 'online', 'srv-web.ffconsulting.com', 16276, 'OVH', 'FR'],
    ['142.44.247.57', 4043, 'offline', '57.ip-142-44-247.net', 16276, 'OVH', 'CA'],
    ['1.234.21.73', 6601, 'online', null, 9318, 'SKB-AS SK Broadband Co Ltd', 'KR'],
  ].map(([ip, port, status, hostname, asn, asName, country]) => ({
    ip_address: ip,
    port,
    status,
    hostname,
    as_number: asn,
    as_name: asName,
    country,
    first_seen: '2021-01-17 07:44:46',
    last_online: '2022-11-15',
    malware: 'Dridex',
  })),
  null,
  2,
);

browserTest(
  'web UI: weekly report with downloads, an advisory from draft to published by a second person, a feed upload',
  async () => {
    const t = await liveServer({});
    const browser = await openBrowser();
    const { page } = browser;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-feed-'));
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
    try {
      await addUser(t.store, 'ana', 'analyst', 'RED');
      await addUser(t.store, 'coord', 'coordinator', 'RED');
      const coord = await signIn(t.server, 'coord');
      const opened = await coord.request('POST', '/api/cases', {
        title: 'Phishing wave',
        organisations: [],
        tlp: 'GREEN',
      });
      assert.equal(opened.statusCode, 201, opened.body);
      const week = isoWeek(new Date());
      // An organisation running the product the advisory will name.
      const org = await coord.request('PUT', '/api/organisations/acme', {
        id: 'acme',
        name: 'ACME Corporation',
        sectors: ['energy'],
        country: 'CN',
        networks: ['10.0.1.0/24'],
        asns: [],
        domains: ['acme.example'],
        contacts: [],
      });
      assert.equal(org.statusCode, 200, org.body);
      const software = await coord.request('POST', '/api/constituency/organisations/acme/software', {
        entries: [{ vendor: 'Example', product: 'Gateway', version: '2.3.0' }],
      });
      assert.equal(software.statusCode, 200, software.body);

      // The weekly report of this week (the case was opened in it), at TLP:GREEN.
      await signInAs(page, t.url, 'ana', PASSWORD);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await nav('Weekly report').click();
      await page.getByRole('heading', { name: 'Weekly report', level: 1 }).waitFor();
      assert.match(page.url(), /#\/reports$/);
      await page.getByLabel('Week', { exact: true }).fill(week);
      await page.getByLabel('Report TLP').selectOption('GREEN');
      await page.getByRole('button', { name: 'Show report' }).click();
      await page.getByRole('heading', { name: new RegExp(`^Week ${week}`) }).waitFor();
      assert.match(page.url(), new RegExp(`#/reports\\?week=${week}&tlp=GREEN$`));
      const headline = await page.getByLabel('Headline figures').innerText();
      assert.match(headline, /Cases handled\s+1\b/, headline);
      assert.match(headline, /Opened\s+1\b/, headline);
      const downloads = page.getByLabel('Downloads');
      for (const label of ['HTML', 'Markdown', 'PDF']) {
        const link = downloads.getByRole('link', { name: label, exact: true });
        const url = new URL((await link.getAttribute('href'))!, t.url);
        assert.equal(url.origin, t.url, 'same-origin download');
        if (label === 'Markdown') continue;
        const answer = await page.request.get(url.toString());
        assert.equal(answer.status(), 200, `${label}: ${await answer.text().catch(() => '')}`);
        if (label === 'PDF') assert.equal((await answer.body()).subarray(0, 5).toString(), '%PDF-');
        else assert.match(await answer.text(), /Phishing|Week|week/);
      }
      await page.getByRole('img', { name: /Cases by RSIT class/ }).waitFor();
      await screenshot(page, 'weekly-report', true);

      // An advisory: the analyst writes a draft and submits it; the analyst may not publish.
      await nav('Advisories').click();
      await page.getByRole('heading', { name: 'Advisories', level: 1 }).waitFor();
      const form = page.getByRole('form', { name: 'Draft advisory' });
      await form.getByLabel('Title').fill('Remote code execution in Example Gateway');
      await form.getByLabel('Advisory TLP').selectOption('CLEAR');
      await form.getByLabel('CVEs').fill('CVE-2026-10001');
      await form.getByLabel('Summary').fill('An unauthenticated attacker can run code on the gateway.');
      await form.getByLabel('Product 1 vendor').fill('Example');
      await form.getByLabel('Product 1 name').fill('Gateway');
      await form.getByLabel('Product 1 versions').fill('vers:generic/<2.4.1');
      await form.getByLabel('Product 1 CVSS vector').fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
      await form.getByLabel('Remediation').fill('Update to 2.4.1.');
      await form.getByRole('button', { name: 'Create draft' }).click();
      const row = page
        .getByTestId('advisory')
        .filter({ hasText: 'Remote code execution in Example Gateway' });
      await row.locator('.status-draft').waitFor();
      await row.getByRole('button', { name: 'Submit' }).click();
      await row.locator('.status-review').waitFor();
      assert.equal(
        await row.getByRole('button', { name: 'Publish' }).count(),
        0,
        'the analyst cannot publish',
      );

      // The coordinator, a second person, publishes it.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(page, t.url, 'coord', PASSWORD);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await nav('Advisories').click();
      await row.getByRole('button', { name: 'Publish' }).click();
      await page.getByRole('status').filter({ hasText: 'Published' }).waitFor();
      await row.locator('.status-published').waitFor();
      assert.match(await row.innerText(), /ana · reviewed by coord/);
      // It affects ACME's gateway: the match shows for ACME.
      await page.getByLabel('Organisation', { exact: true }).selectOption('acme');
      const matches = page.getByRole('table', { name: 'Matches' });
      await matches.locator('tbody tr').first().waitFor();
      const matched = await matches.locator('tbody tr').allInnerTexts();
      assert.equal(matched.length, 1, matched.join('\n'));
      assert.match(matched[0]!, /Example Gateway\s+2\.3\.0/);
      assert.match(matched[0]!, /CVE-2026-10001/);
      assert.match(matched[0]!, /9\.8 critical/i);
      assert.match(await page.getByText(/software entries in the inventory/).innerText(), /^1 software/);
      await screenshot(page, 'advisories', true);

      // A feed report uploaded (the parser sniffed); the run with its counts and the events show.
      const file = join(dir, 'feodotracker_ipblocklist.json');
      writeFileSync(file, FEODO);
      await nav('Feeds').click();
      await page.getByRole('heading', { name: 'Feeds', level: 1 }).waitFor();
      await page.getByLabel('Report file').setInputFiles(file);
      await page.getByRole('button', { name: 'Upload and take in' }).click();
      await page.getByRole('status').filter({ hasText: 'Taken in' }).waitFor();
      const run = page.getByRole('table', { name: 'Feed runs' }).locator('tbody tr').first();
      await run.locator('.status-done').waitFor();
      const cells = await run.locator('td').allInnerTexts();
      assert.equal(cells[1], 'upload');
      assert.equal(cells[3], '3', `records: ${cells.join(' | ')}`);
      assert.equal(cells[4], '3', `events: ${cells.join(' | ')}`);
      const events = page.getByRole('table', { name: 'Feed events' }).locator('tbody tr');
      await waitFor(async () => ((await events.count()) === 3 ? true : undefined));
      assert.match(await page.getByRole('table', { name: 'Feed events' }).innerText(), /51\.178\.161\.32/);
      await screenshot(page, 'feeds', true);

      assert.deepEqual(await violations(page), [], 'no CSP violation on any page');
      assert.deepEqual(browser.dialogs, []);
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
