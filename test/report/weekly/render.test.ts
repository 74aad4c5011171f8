// The weekly report's forms: golden HTML, Markdown and JSON of the fixture week (regenerate with
// VIGIL_UPDATE_GOLDEN=1 and read the diff), and the PDF through Chromium, rendered back to PNG with
// pdftoppm and checked for pages, page size and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromiumAvailable,
  renderWeekly,
  weeklyHtml,
  weeklyMarkdown,
} from '../../../src/report/weekly/index.js';
import { fixtureReport } from './fixture.js';

const GOLDEN = join(import.meta.dirname, '../golden');
const UPDATE = process.env.VIGIL_UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (UPDATE || !existsSync(path)) {
    writeFileSync(path, actual);
    if (!UPDATE) assert.fail(`${name} was missing and has been written; check it and rerun`);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs (VIGIL_UPDATE_GOLDEN=1 rewrites it)`);
}

test('golden: the TLP:GREEN weekly report of 2026-W47 in HTML', () => {
  golden('weekly-2026-W47-green.html', weeklyHtml(fixtureReport('GREEN')));
});

test('golden: the TLP:GREEN weekly report of 2026-W47 in Markdown', () => {
  golden('weekly-2026-W47-green.md', weeklyMarkdown(fixtureReport('GREEN')));
});

test('golden: the public (TLP:CLEAR) weekly report of 2026-W47 in Markdown, and without breach or advisory data', () => {
  golden('weekly-2026-W47-clear.md', weeklyMarkdown(fixtureReport('CLEAR')));
  golden('weekly-2026-W47-amber-no-inputs.md', weeklyMarkdown(fixtureReport('AMBER', {})));
});

test('golden: the TLP:AMBER weekly report of 2026-W47 as JSON (figures, queries and case ids)', async () => {
  golden('weekly-2026-W47-amber.json', (await renderWeekly(fixtureReport('AMBER'), 'json')) as string);
});

test('the HTML is self-contained: no script, nothing fetched, charts inline, evidence escaped', () => {
  const html = weeklyHtml(fixtureReport('AMBER'));
  assert.doesNotMatch(html, /<script|javascript:|src=|href=|@import|url\(/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.equal(html.match(/<svg /g)?.length, 5);
  // An AS name with markup in it is text.
  assert.ok(html.includes('Transit &#60;NL&#62;'));
  assert.ok(!html.includes('Transit <NL>'));
});

function need(tool: string, present: boolean): boolean {
  if (present) return true;
  const message = `\n!!!!! ${tool} is not installed: the PDF test is SKIPPED. Install it (Debian: chromium, poppler-utils). !!!!!\n`;
  if (process.env.CI === 'true') assert.fail(`${tool} is missing under CI=true`);
  console.error(message);
  return false;
}

const hasTool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

test('PDF: Chromium prints the report on A4 pages, rendered back to PNG with pdftoppm', async (t) => {
  if (!need('Chromium (/usr/bin/chromium)', await chromiumAvailable())) return t.skip('no Chromium');
  if (!need('pdftoppm (poppler-utils)', hasTool('pdftoppm'))) return t.skip('no pdftoppm');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-weekly-pdf-'));
  try {
    const pdf = (await renderWeekly(fixtureReport('GREEN'), 'pdf')) as Buffer;
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const file = join(dir, 'weekly.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '50', file, join(dir, 'page')]);
    const pages = readdirSync(dir)
      .filter((f) => f.endsWith('.png'))
      .sort();
    assert.ok(pages.length >= 2 && pages.length <= 5, `${pages.length} pages`);
    for (const page of pages) {
      // A4 (210 × 297 mm) at 50 dpi, as pdftoppm rounds it.
      assert.deepEqual(pngSize(join(dir, page)), { width: 414, height: 586 });
      // A page with charts and tables compresses far worse than a blank one (about 1 kB).
      assert.ok(readFileSync(join(dir, page)).length > 8_000, `${page} looks blank`);
    }
    if (hasTool('pdftotext')) {
      const text = execFileSync('pdftotext', [file, '-']).toString();
      assert.match(text, /Weekly report 2026-W47/);
      // The label on every page, top and bottom, and the page numbers.
      assert.ok((text.match(/TLP:GREEN/g) ?? []).length >= 2 * pages.length, 'TLP:GREEN on every page');
      assert.match(text, new RegExp(`page 1 of ${pages.length}`));
      assert.match(text, /Most active attacker infrastructure/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PDF without Chromium: a clear error, not a crash', async () => {
  await assert.rejects(
    renderWeekly(fixtureReport('CLEAR'), 'pdf', { executablePath: '/nonexistent/chromium' }),
    (e: Error & { code?: string }) =>
      e.code === 'report.pdf.no-chromium' && /PDF needs Chromium at \/nonexistent\/chromium/.test(e.message),
  );
});
