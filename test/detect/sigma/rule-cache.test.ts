// Parsed rule sets are cached between runs, and a changed rule file is parsed again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cacheRules, loadCachedRules, loadRules } from '../../../src/detect/sigma/index.js';

const rule = (title: string) =>
  `title: ${title}\nid: 5b8a4a8e-1f2b-4a52-9a1e-2b4f1d7a9c10\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel: {Image|endswith: '\\\\x.exe'}\n  condition: sel\nlevel: high\n`;

test('a rule set is read back from the cache until one of its files changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const cacheDir = join(dir, 'cache');
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'a.yml'), rule('First'));
  writeFileSync(join(rules, 'broken.yml'), 'title: [unclosed\n');
  const first = await loadRules([rules], { cacheDir });
  assert.equal(readdirSync(cacheDir).length, 1);
  const second = await loadRules([rules], { cacheDir });
  assert.deepEqual(second, first);
  assert.equal(second.rules[0]!.title, 'First');
  assert.ok(
    second.problems.some((p) => p.file?.endsWith('broken.yml')),
    'problems come back from the cache too',
  );
  writeFileSync(join(rules, 'a.yml'), rule('Second, longer'));
  const third = await loadRules([rules], { cacheDir });
  assert.equal(third.rules[0]!.title, 'Second, longer');
  assert.equal(readdirSync(cacheDir).length, 2);
  // A path that does not exist is reported on every call, cached or not.
  const missing = await loadRules([rules, join(dir, 'nope')], { cacheDir });
  assert.ok(missing.problems.some((p) => p.code === 'sigma.path.unreadable'));
});

test('cacheRules checks the files once and names a cache file that reads back like loadRules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const cacheDir = join(dir, 'cache');
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'a.yml'), rule('First'));
  writeFileSync(join(rules, 'broken.yml'), 'title: [unclosed\n');
  const paths = [rules, join(dir, 'nope')];
  // On a miss it parses and writes the cache itself.
  const cached = await cacheRules(paths, { cacheDir });
  assert.ok(cached);
  assert.deepEqual(readdirSync(cacheDir), [basename(cached.cacheFile)]);
  assert.deepEqual(
    cached.pathProblems.map((p) => p.code),
    ['sigma.path.unreadable'],
  );
  const read = await loadCachedRules(cached);
  assert.deepEqual(read, await loadRules(paths, { cacheDir }));
  assert.equal(read?.rules[0]!.title, 'First');
  // A cache file gone since is no load, and the caller falls back to loadRules.
  rmSync(cached.cacheFile);
  assert.equal(await loadCachedRules(cached), undefined);
});

test('rule files are found through folders and links, in name order, and a broken link is a problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const rules = join(dir, 'rules');
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(join(rules, 'b', 'deep'), { recursive: true });
  mkdirSync(elsewhere);
  writeFileSync(join(rules, 'b', 'deep', 'd.yaml'), rule('Deep'));
  writeFileSync(join(rules, 'c.YML'), rule('Upper case'));
  writeFileSync(join(rules, 'a.yml'), rule('First'));
  writeFileSync(join(rules, 'notes.txt'), 'not a rule');
  writeFileSync(join(elsewhere, 'linked.yml'), rule('Linked file'));
  writeFileSync(join(elsewhere, 'in-linked-folder.yml'), rule('In a linked folder'));
  symlinkSync(join(elsewhere, 'linked.yml'), join(rules, 'e.yml'));
  symlinkSync(elsewhere, join(rules, 'f'));
  symlinkSync(join(dir, 'gone.yml'), join(rules, 'g.yml'));
  const load = await loadRules([rules]);
  assert.deepEqual(
    load.rules.map((r) => r.title),
    ['First', 'Deep', 'Upper case', 'Linked file', 'In a linked folder', 'Linked file'],
  );
  assert.deepEqual(
    load.problems.map((p) => [p.code, p.file]),
    [['sigma.path.unreadable', join(rules, 'g.yml')]],
  );
});
