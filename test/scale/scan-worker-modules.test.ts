// A scan worker loads the engine and the evtx reader only: not the YAML library (its rules and
// mapping come from the indexed rule cache), the other readers' archive libraries, or GeoIP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

test('the modules a scan worker imports load no YAML, zip or GeoIP library', () => {
  const script = `
    await import('./src/scale/scan/prepare.ts');
    await import('./src/ingest/evtx/index.ts');
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .filter((k) => k.includes('node_modules/'))
      .map((k) => k.split('node_modules/').pop().split('/')[0]);
    console.log(JSON.stringify([...new Set(loaded)]));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const packages = JSON.parse(run.stdout.trim().split('\n').pop()!) as string[];
  for (const name of ['yaml', 'yauzl', 'mmdb-lib']) assert.ok(!packages.includes(name), `${name} loaded`);
});
