// The analyst's and coordinator's day in a real browser (Chromium through playwright-core) against a real
// Vigil server on loopback: the forced password change, upload evidence, see the incident, open a case,
// move it, notify the victim by SMTP and see the reply tracked; a constituent then sees only its own cases.
// The main pages are saved as screenshots into docs/screenshots/ (shown in the README).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { addUser, PASSWORD, signIn } from '../server/support.js';
import {
  browserTest,
  liveServer,
  openBrowser,
  relay,
  screenshot,
  signInAs,
  violations,
  waitFor,
} from './support.js';

const DEMO = join(import.meta.dirname, '../../demo');
const NEW_PASSWORD = 'the coordinator’s own password';

browserTest(
  'web UI: sign in, upload evidence, see the incident, open and move a case, notify and track, a constituent sees only its cases',
  async () => {
    const out = await relay();
    const t = await liveServer({
      rulePaths: [join(import.meta.dirname, '../fixtures/rules')],
      indicatorPaths: [join(DEMO, 'indicators.txt')],
      smtp: { host: '127.0.0.1', port: out.port, from: 'cert@vigil.example', fromName: 'Example CERT' },
      team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
      smtpListen: { host: '127.0.0.1', port: 0 },
    });
    const browser = await openBrowser();
    const { page } = browser;
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
    try {
      // A first admin with a one-time password, as `vigil serve` makes it.
      await t.store.accounts.createUser({
        username: 'lead',
        role: 'admin',
        organisation: null,
        tlpClearance: 'RED',
        passwordHash: await hashPassword(PASSWORD),
        mustChangePassword: true,
      });
      await addUser(t.store, 'acme-soc', 'constituent', 'AMBER', 'acme');
      await addUser(t.store, 'globex-soc', 'constituent', 'AMBER', 'globex');
      // Another organisation's case, which ACME's user must never see.
      const other = await signIn(t.server, 'globex-soc').catch(() => undefined);
      assert.ok(other, 'the constituent can sign in');
      await addUser(t.store, 'coord', 'coordinator', 'RED');
      const coord = await signIn(t.server, 'coord');
      const globexCase = await coord.request('POST', '/api/cases', {
        title: 'Phishing at Globex',
        organisations: ['globex'],
        tlp: 'GREEN',
      });
      assert.equal(globexCase.statusCode, 201, globexCase.body);
      const acme = await coord.request('PUT', '/api/organisations/acme', {
        id: 'acme',
        name: 'ACME Corporation',
        sectors: ['energy'],
        country: 'CN',
        networks: ['10.0.1.0/24'],
        asns: [],
        domains: ['acme.example'],
        contacts: [{ email: 'soc@acme.example', name: 'ACME SOC' }],
      });
      assert.equal(acme.statusCode, 200, acme.body);

      // Sign in; the one-time password must be changed first.
      await signInAs(page, t.url, 'lead', PASSWORD);
      await page.getByRole('heading', { name: 'Choose your own password' }).waitFor();
      await page.getByLabel('One-time password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('New password again').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

      // Upload the demo evidence with the form; the job runs and its counts show.
      await nav('Evidence').click();
      await page
        .locator('input[type=file][name=evidence]')
        .setInputFiles(
          ['conn.log', 'u_ex260510.log', 'windows-events.jsonl'].map((f) => join(DEMO, 'evidence', f)),
        );
      await page.getByRole('button', { name: 'Upload and ingest' }).click();
      await page.getByRole('status').filter({ hasText: 'Uploaded' }).waitFor();
      const jobRow = page.getByRole('table', { name: 'Ingest jobs' }).locator('tbody tr').first();
      await jobRow.locator('.status-done').waitFor({ timeout: 60_000 });
      const cells = await jobRow.locator('td').allInnerTexts();
      assert.equal(cells[3], '140', 'records read');
      assert.equal(cells[4], '0', 'issues');
      assert.ok(Number(cells[5]) > 0, `detections: ${cells[5]}`);
      await screenshot(page, 'evidence');

      // The incident: summary, spread, infrastructure with roles, data out, activity with the UTC offset.
      await nav('Incidents').click();
      await page.getByRole('table', { name: 'Incidents' }).getByRole('link').first().click();
      await page.getByRole('heading', { name: 'Spread' }).waitFor();
      const infra = await page.getByRole('table', { name: 'Attacker infrastructure' }).innerText();
      assert.match(infra, /203\.0\.113\.80/);
      assert.match(infra, /exfiltration/);
      assert.match(
        (await page
          .getByRole('img', { name: /Spread between 2 hosts: EXCH01 to WS-014/ })
          .getAttribute('aria-label')) ?? '',
        /EXCH01 to WS-014/,
      );
      // The demo intrusion runs on Sunday 10 May 2026: no offset makes it a working day, and the page says so.
      assert.match(
        await page.getByTestId('utc-offset').innerText(),
        /Inferred UTC offset: unknown — none of the 9 actions falls in a working day/,
      );
      assert.match(await page.getByRole('region', { name: 'Summary' }).innerText(), /2\.8 GB/);
      // Labelled as ACME's: the case opened from it concerns ACME, and ACME's users see both.
      await page.getByLabel('Incident organisation').selectOption('acme');
      await waitFor(async () =>
        (await page.getByLabel('Incident organisation').isEnabled()) &&
        (await page.getByLabel('Incident organisation').inputValue()) === 'acme'
          ? true
          : undefined,
      );
      await screenshot(page, 'incident', true);
      const incidentUrl = page.url();

      // Detections: the virtualised timeline, keyboard to a row, the drawer with the event and the rule's YAML.
      await nav('Detections').click();
      const scroller = page.getByTestId('detections-scroller');
      await page
        .getByTestId('detections-count')
        .filter({ hasText: /^\d+ detections$/ })
        .waitFor();
      await page.getByLabel('Rule', { exact: true }).fill('psexec');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page
        .getByTestId('detections-count')
        .filter({ hasText: /^1 detections$/ })
        .waitFor();
      assert.match(page.url(), /#\/detections\?rule=psexec/, 'filters are in the URL');
      await scroller.focus();
      await page.keyboard.press('Enter');
      const drawer = page.getByRole('complementary', { name: 'Detection detail' });
      await drawer.getByRole('heading', { name: 'PsExec service installed' }).waitFor();
      await drawer.getByLabel('Rule YAML').filter({ hasText: 'ServiceName: PSEXESVC' }).waitFor();
      assert.match(await drawer.getByRole('table', { name: 'Fields' }).innerText(), /ServiceName\s+PSEXESVC/);
      await page.keyboard.press('Escape');
      await page.goto(`${t.url}/#/detections?group=rule`);
      await page
        .getByTestId('detections-count')
        .filter({ hasText: /^\d+ detections$/ })
        .waitFor();
      await page.locator('.vgroup').first().waitFor();
      await page.locator('.vrow:not(.vgroup):not(.vhead)').nth(1).click();
      await drawer.waitFor();
      await screenshot(page, 'detections');

      // Open a case from the incident; move it; a task and a comment; the organisation it concerns.
      await page.goto(incidentUrl);
      await page.getByRole('button', { name: 'Open a case' }).click();
      await page.getByRole('heading', { name: /VIGIL#2/ }).waitFor();
      assert.match(page.url(), /#\/cases\/[0-9a-f-]{36}$/);
      await page.getByRole('group', { name: 'Workflow' }).getByRole('button', { name: 'triage' }).click();
      await page.locator('.meta .status-triage').waitFor();
      assert.equal(
        await page.getByLabel('Organisations').inputValue(),
        'acme',
        'the organisation came from the incident',
      );
      await page.getByLabel('New task').fill('Image EXCH01 memory');
      await page.getByRole('button', { name: 'Add task' }).click();
      await page.getByRole('list', { name: 'Tasks' }).getByText('Image EXCH01 memory').waitFor();
      await page.getByLabel('New comment').fill('Web shell confirmed; ACME informed by phone.');
      await page.getByRole('button', { name: 'Comment' }).click();
      await page.getByRole('list', { name: 'Comments' }).getByText('Web shell confirmed').waitFor();

      // Notify ACME by e-mail; the relay gets it; a reply comes back by SMTP and shows as acknowledged.
      const form = page.getByRole('form', { name: 'Send a notification' });
      // The proposed parties: ACME owns EXCH01's network, so it must clean up; one click fills the form.
      await page
        .getByRole('list', { name: 'Proposed parties' })
        .getByText('ACME Corporation')
        .first()
        .waitFor();
      await form.getByRole('button', { name: 'ACME Corporation' }).click();
      assert.equal(await form.getByLabel('Recipient e-mail').inputValue(), 'soc@acme.example');
      assert.equal(await form.getByLabel('Party').inputValue(), 'constituent');
      await form.getByLabel('Why they must act').fill('Your Exchange server runs a web shell; clean it up.');
      await form.getByRole('button', { name: 'Send notification' }).click();
      await page.getByRole('status').filter({ hasText: 'sent to soc@acme.example' }).waitFor();
      const mail = await waitFor(() => out.received.find((r) => r.to.includes('soc@acme.example'))?.mail);
      assert.match(mail.subject ?? '', /^\[VIGIL#2\] \[TLP:AMBER\]/);
      const row = page.getByTestId('notification').first();
      await row.locator('.status-sent').waitFor();
      const mailer = nodemailer.createTransport({
        host: '127.0.0.1',
        port: t.server.mailPort!,
        secure: false,
        ignoreTLS: true,
      });
      await mailer.sendMail({
        from: 'soc@acme.example',
        to: 'cert@vigil.example',
        subject: `Re: ${mail.subject ?? ''}`,
        text: 'Thank you, we are cleaning EXCH01 now.',
        inReplyTo: mail.messageId,
        references: [mail.messageId!],
      });
      mailer.close();
      await waitFor(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await row.locator('.status-acknowledged').count()) > 0 ? true : undefined;
      });
      assert.match(await row.innerText(), /acknowledged/);
      await page.reload();
      await page.getByRole('list', { name: 'Comments' }).getByText('we are cleaning EXCH01').waitFor();
      await page.getByRole('table', { name: 'Audit trail' }).getByText('mail.reply').waitFor();
      const audit = await page.getByRole('table', { name: 'Audit trail' }).innerText();
      for (const action of [
        'case.opened',
        'case.transition',
        'case.notified',
        'case.task-added',
        'case.commented',
        'mail.reply',
      ])
        assert.ok(audit.includes(action), `${action} in the audit trail:\n${audit}`);
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'case', true);

      await page.goto(`${t.url}/#/`);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.getByRole('region', { name: /Open cases \(2\)/ }).waitFor();
      await page
        .getByRole('region', { name: /This week's figures/ })
        .locator('dd')
        .first()
        .waitFor();
      await screenshot(page, 'dashboard');
      for (const [view, heading] of [
        ['rules', 'Rules'],
        ['constituency', 'Constituency and parties'],
        ['admin', 'Users and tokens'],
      ] as const) {
        await page.goto(`${t.url}/#/${view}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.locator('table tbody tr').first().waitFor();
        await screenshot(page, view);
      }

      assert.deepEqual(await violations(page), [], 'no CSP violation on any page');

      // The constituent: only ACME's case, and no analyst pages.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(page, t.url, 'acme-soc', PASSWORD);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      const navText = await page.getByRole('navigation', { name: 'Main' }).innerText();
      assert.doesNotMatch(navText, /Detections|Evidence|Rules|Hunt/);
      await nav('Cases').click();
      const table = page.getByRole('table', { name: 'Cases' });
      await table.locator('tbody tr').first().waitFor();
      const listed = await table.locator('tbody tr').allInnerTexts();
      assert.equal(listed.length, 1, listed.join('\n'));
      assert.match(listed[0]!, /VIGIL#2/);
      assert.doesNotMatch(listed.join('\n'), /Globex/);
      await page.goto(`${t.url}/#/cases/${globexCase.json<{ id: string }>().id}`);
      await page
        .getByRole('alert')
        .filter({ hasText: /no such case|not found/i })
        .waitFor();
      await nav('Cases').click();
      await table.getByRole('link', { name: 'VIGIL#2' }).click();
      await page.getByRole('list', { name: 'Comments' }).waitFor();
      assert.equal(
        await page.getByRole('group', { name: 'Workflow' }).count(),
        0,
        'a constituent cannot move the case',
      );
      await screenshot(page, 'constituent-case');
      await nav('Incidents').click();
      // The list loads after the navigation: read it once its rows are there, not before.
      const incidentRows = page.getByRole('table', { name: 'Incidents' }).locator('tbody tr');
      await incidentRows.first().waitFor();
      const incidentsSeen = await incidentRows.allInnerTexts();
      assert.equal(incidentsSeen.length, 1, 'ACME sees its own incident');

      assert.deepEqual(browser.dialogs, []);
      assert.deepEqual(browser.errors, []);
      assert.deepEqual(await violations(page), []);
    } finally {
      await browser.close();
      await t.close();
      await out.close();
    }
  },
);
