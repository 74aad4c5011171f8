// `vigil report weekly` as a user runs it, over the fixture fortnight in a SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/index.js';
import type { WeeklyReport } from '../../src/report/weekly/index.js';
import { seedStore } from '../report/weekly/seed.js';

function vigil(args: string[]): { status: number; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/run-cli.ts', ...args], {
    encoding: 'utf8',
  });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

test('report weekly: Markdown, HTML and JSON of a week from the store; bad options are one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-weekly-cli-'));
  try {
    const db = join(dir, 'vigil.db');
    const store = new SqliteStore(db);
    await seedStore(store);
    await store.close();

    const md = vigil([
      'report',
      'weekly',
      '--db',
      db,
      '--week',
      '2026-W47',
      '--tlp',
      'green',
      '--format',
      'md',
    ]);
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /^\*\*TLP:GREEN\*\*\n\n# Weekly report 2026-W47/);
    assert.match(md.stdout, /the CERT handled 6 incidents \\\(\\\+4 on the week before\\\)/);
    assert.match(md.stdout, /\| fraud \| phishing \| 2 \| 1 \| \\\+1 \\\(\\\+100 %\\\) \|/);
    assert.ok(!md.stdout.includes('Contoso'), 'an AMBER case in a GREEN report');

    const out = join(dir, 'weekly.html');
    const html = vigil(['report', 'weekly', '--db', db, '--week', '2026-W47', '--out', out]);
    assert.equal(html.status, 0, html.stderr);
    const page = readFileSync(out, 'utf8');
    assert.match(page, /TLP:CLEAR/);
    assert.ok(!/acme|northwind|contoso/i.test(page), 'an organisation name in the public report');

    const json = vigil([
      'report',
      'weekly',
      '--db',
      db,
      '--week',
      '2026-W47',
      '--tlp',
      'AMBER',
      '-f',
      'json',
    ]);
    const report = JSON.parse(json.stdout) as WeeklyReport;
    assert.equal(report.handled.value, 7);
    assert.equal(report.notifications.total.value, 6);

    const badWeek = vigil(['report', 'weekly', '--db', db, '--week', '2026-W99']);
    assert.equal(badWeek.status, 2);
    assert.match(badWeek.stderr, /--week: 2026 has no week 99/);
    const badTlp = vigil(['report', 'weekly', '--db', db, '--tlp', 'PURPLE']);
    assert.equal(badTlp.status, 2);
    assert.match(badTlp.stderr, /--tlp: "PURPLE" is not a TLP/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
