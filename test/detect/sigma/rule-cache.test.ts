// Parsed rule sets are cached between runs, and a changed rule file is parsed again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
