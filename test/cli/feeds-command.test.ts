// `vigil feeds test` and `vigil feeds list` as a user runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusMissing, SHARED_DATA } from '../helpers/shared-data.js';

function vigil(args: string[]): { status: number; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/run-cli.ts', ...args], { encoding: 'utf8' });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

const skip = corpusMissing('feeds');

test('feeds test: a sniffed file prints its events as JSON lines', { skip }, () => {
  const out = vigil(['feeds', 'test', join(SHARED_DATA, 'feeds/spamhaus/drop.txt'), '--observation', '2016-11-29T17:26:00+00:00']);
  assert.equal(out.status, 0, out.stderr);
  const events = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(events.map((e) => e['source.network']), ['1.4.0.0/17', '2a06:e480::/29']);
  assert.equal(events[0]!['time.source'], '2015-09-14T04:39:22+00:00');
  assert.match(out.stderr, /spamhaus-drop: 2 events, 0 issues/);
});

test('feeds test --feed with a Shadowserver schema and report name; --format summary', { skip }, () => {
  const out = vigil([
    'feeds', 'test', join(SHARED_DATA, 'feeds/shadowserver/current/test_smb.csv'), '--feed', 'shadowserver', '--format', 'summary',
    '--name', '2019-01-01-test_smb-test-geo.csv', '--shadowserver-schema', join(SHARED_DATA, 'feeds/shadowserver/current/shadowserver-schema.test.json'),
  ]);
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /shadowserver, 3 events, 0 issues\n {2}vulnerable-system: 3/);
});

test('feeds test: invalid values are issues with file and line, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-feeds-'));
  const file = join(dir, 'asndrop.txt');
  writeFileSync(file, '; Spamhaus DROP List\nAS12 ; AE | fine\nAS0 ; AE | zero\n');
  const out = vigil(['feeds', 'test', file]);
  assert.equal(out.status, 1);
  assert.match(out.stderr, /asndrop\.txt:3 source\.asn: error feed\.field\.invalid: source\.asn: "0" is not an AS number/);
  assert.equal(out.stdout.trim().split('\n').length, 2);
});

test('feeds test: an unrecognised file says so, exit 2; feeds list names the parsers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-feeds-'));
  writeFileSync(join(dir, 'notes.txt'), 'hello\n');
  const out = vigil(['feeds', 'test', join(dir, 'notes.txt')]);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /no parser recognises this report/);
  const list = vigil(['feeds', 'list']);
  assert.match(list.stdout, /^shadowserver +Shadowserver/m);
  assert.match(list.stdout, /^xarf /m);
});
