// The detections timeline with 100,000 rows in a real browser: every row is loaded (in pages of 10,000),
// filters and grouping work over all of them, the keyboard reaches the last row, and the DOM holds only
// the rows in view (virtualised). Load time is printed as CPU-independent information, not asserted.
import assert from 'node:assert/strict';
import type { Detection } from '../../src/core/detection.js';
import { addUser, PASSWORD } from '../server/support.js';
import { browserTest, liveServer, openBrowser, signInAs, violations } from './support.js';

const ROWS = 100_000;
const HOSTS = ['WS-001', 'WS-002', 'DC-01', 'EXCH01', 'SQL-07'];
const LEVELS = ['low', 'medium', 'high', 'critical'] as const;

function detections(): Detection[] {
  const start = Date.parse('2026-05-01T00:00:00Z');
  return Array.from({ length: ROWS }, (_, i) => ({
    kind: 'sigma',
    ruleId: `rule-${i % 40}`,
    ruleTitle: `Rule number ${i % 40}`,
    level: LEVELS[i % LEVELS.length]!,
    tags: [i % 7 === 0 ? 'attack.t1059' : 'attack.t1003'],
    // Several detections share a second, as in real evidence.
    timestamp: start + Math.floor(i / 3) * 1000,
    host: HOSTS[i % HOSTS.length]!,
    fields: { CommandLine: `cmd.exe /c step ${i}` },
    source: { kind: 'evtx-json', file: 'big.jsonl', line: i + 1 },
  }));
}

browserTest('detections: 100,000 rows load, filter, group and scroll in a virtualised table', async () => {
  const t = await liveServer({ runJobs: false });
  const browser = await openBrowser();
  const { page } = browser;
  try {
    assert.equal(await t.store.detections.add(detections()), ROWS);
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    await signInAs(page, t.url, 'ana', PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const started = Date.now();
    await page.goto(`${t.url}/#/detections`);
    const count = page.getByTestId('detections-count');
    await count.filter({ hasText: /^100,000 detections$/ }).waitFor({ timeout: 60_000 });
    console.log(
      `# 100,000 detections loaded and shown in ${Date.now() - started} ms (wall clock, shared machine)`,
    );
    const rendered = await page.locator('.vbody .vrow').count();
    assert.ok(rendered > 5 && rendered < 100, `only the rows in view are in the DOM: ${rendered}`);

    // The keyboard reaches the last row; it is then in the DOM and in view.
    await page.getByTestId('detections-scroller').focus();
    await page.keyboard.press('End');
    const last = page.locator('.vbody .vrow', { hasText: 'cmd.exe /c step 99999' });
    await last.waitFor();
    assert.ok(await last.isVisible());
    await page.keyboard.press('Enter');
    await page
      .getByRole('complementary', { name: 'Detection detail' })
      .getByText('cmd.exe /c step 99999')
      .first()
      .waitFor();
    await page.keyboard.press('Escape');

    // Filters on all rows: a tag (in the browser), a host (on the server); grouping by rule.
    await page.goto(`${t.url}/#/detections?tag=t1059`);
    await count.filter({ hasText: /^14,286 detections$/ }).waitFor({ timeout: 60_000 });
    await page.goto(`${t.url}/#/detections?host=DC-01&group=rule`);
    await count.filter({ hasText: /^20,000 detections$/ }).waitFor({ timeout: 60_000 });
    const groups = await page.locator('.vgroup').allInnerTexts();
    assert.ok(groups.length > 0 && groups[0]!.includes('— '), groups.join('|'));
    assert.ok((await page.locator('.vbody .vrow').count()) < 100);
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    await t.close();
  }
});
