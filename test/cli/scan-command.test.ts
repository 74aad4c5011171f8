// `vigil scan` and `vigil rules` as a user runs them (in-process ()), on the demo evidence and a
// real .evtx, with a small rule directory so the test stays fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { SHARED_DATA } from '../helpers/shared-data.js';

const SIGMA = join(SHARED_DATA, 'sigma', 'rules', 'windows');
const RULES = [
  'process_creation/proc_creation_win_hktl_mimikatz_command_line.yml',
  'process_creation/proc_creation_win_rundll32_process_dump_via_comsvcs.yml',
  'builtin/system/service_control_manager/win_system_service_install_sysinternals_psexec.yml',
];

function ruleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scan-rules-'));
  for (const rule of RULES) copyFileSync(join(SIGMA, rule), join(dir, rule.split('/').pop()!));
  return dir;
}

/**
 * Runs the CLI in a child process (its output must not mix with the test runner's), returning its
 * exit code and its terminal output, stdout and stderr together.
 */
function quiet(run: () => string[]): Promise<{ result: number; output: string }> {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/run-cli.ts', ...run()], {
    encoding: 'utf8',
    env: process.env,
  });
  return Promise.resolve({ result: child.status ?? -1, output: child.stdout + child.stderr });
}

test('scan: JSONL detections carry the documented keys; exit 1 at the fail level, 0 below it', async () => {
  const rules = ruleDir();
  const out = join(mkdtempSync(join(tmpdir(), 'vigil-scan-')), 'd.jsonl');
  const args = [
    'scan',
    'demo/evidence',
    '--rules',
    rules,
    '--indicators',
    'demo/indicators.txt',
    '--format',
    'jsonl',
    '--out',
    out,
    '--workers',
    '0',
    '--no-summary',
  ];
  const { result: code } = await quiet(() => [...args, '--fail-level', 'high']);
  assert.equal(code, 1);
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const titles = lines.map((l) => l.rule_title as string);
  assert.ok(titles.includes('HackTool - Mimikatz Execution'));
  assert.ok(titles.includes('PsExec Service Installation'));
  assert.ok(titles.some((t) => t.startsWith('Indicator 192.0.2.45')));
  for (const line of lines) {
    for (const key of ['rule_id', 'rule_title', 'level', 'timestamp', 'host', 'tags', 'source', 'fields'])
      assert.ok(key in line, key);
    const source = line.source as Record<string, unknown>;
    assert.ok(typeof source.file === 'string');
    assert.ok('record_id' in source || 'line' in source);
  }
  const { result: calm } = await quiet(() => [...args, '--fail-level', 'critical']);
  assert.equal(calm, 0);
});

test('scan: --min-level drops lower detections; CSV has a header and neutralised cells', async () => {
  const rules = ruleDir();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scan-'));
  const out = join(dir, 'd.csv');
  await quiet(() => [
    'scan',
    'demo/evidence',
    '--rules',
    rules,
    '--min-level',
    'high',
    '--format',
    'csv',
    '--out',
    out,
    '--workers',
    '0',
    '--no-summary',
  ]);
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.ok(rows[0]!.toLowerCase().includes('rule'));
  assert.ok(rows.length >= 3);
  assert.ok(!rows.slice(1).some((r) => r.includes(',medium,')));
});

test('scan over a real .evtx in worker threads gives the same detections as in the main thread', async () => {
  const rules = ruleDir();
  const evtx = join(
    SHARED_DATA,
    'evtx-attack-samples',
    'Credential Access',
    'sysmon_10_1_memdump_comsvcs_minidump.evtx',
  );
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scan-'));
  const read = async (workers: string) => {
    const out = join(dir, `w${workers}.jsonl`);
    await quiet(() => [
      'scan',
      evtx,
      '--rules',
      rules,
      '--format',
      'jsonl',
      '--out',
      out,
      '--workers',
      workers,
      '--no-summary',
    ]);
    return readFileSync(out, 'utf8');
  };
  const inMain = await read('0');
  assert.ok(inMain.includes('"record_id"'));
  assert.equal(await read('1'), inMain);
});

test('scan: a missing path or a bad option is exit code 2', async () => {
  const rules = ruleDir();
  const { result: missing } = await quiet(() => ['scan', 'no/such/path', '--rules', rules, '--workers', '0']);
  assert.equal(missing, 2);
  const { result: usage } = await quiet(() => ['scan', 'demo/evidence', '--format', 'xml']);
  assert.equal(usage, 2);
});

test('rules check: a broken rule is reported with file and line, the good ones still count', async () => {
  const dir = ruleDir();
  writeFileSync(
    join(dir, 'broken.yml'),
    'title: Broken\nlogsource: {product: windows}\ndetection:\n  sel: {Image|nosuchmod: x}\n  condition: sel and missing\n',
  );
  const { result: code, output } = await quiet(() => ['rules', 'check', dir]);
  assert.equal(code, 1);
  assert.match(output, /broken\.yml:\d+/);
  assert.match(output, /nosuchmod/);
});

test('rules update installs a pack into the data directory, and scan uses it by default', async () => {
  const pack = ruleDir();
  const data = mkdtempSync(join(tmpdir(), 'vigil-data-'));
  mkdirSync(data, { recursive: true });
  const before = process.env.VIGIL_DATA;
  process.env.VIGIL_DATA = data;
  try {
    const { result: code } = await quiet(() => ['rules', 'update', '--from', pack]);
    assert.equal(code, 0);
    const out = join(data, 'd.jsonl');
    await quiet(() => [
      'scan',
      'demo/evidence',
      '--format',
      'jsonl',
      '--out',
      out,
      '--workers',
      '0',
      '--no-summary',
    ]);
    const ids = new Set(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { rule_id: string }).rule_id),
    );
    assert.equal(ids.size, 3, [...ids].join(', '));
  } finally {
    if (before === undefined) delete process.env.VIGIL_DATA;
    else process.env.VIGIL_DATA = before;
  }
});

test('scan --out: a missing folder is created; a path that cannot be written is one line and exit 2', async () => {
  const rules = ruleDir();
  const base = mkdtempSync(join(tmpdir(), 'vigil-scan-out-'));
  const nested = join(base, 'reports', 'week-47', 'd.jsonl');
  const made = await quiet(() => [
    'scan',
    'demo/evidence',
    '--rules',
    rules,
    '--format',
    'jsonl',
    '--out',
    nested,
    '--workers',
    '0',
    '--no-summary',
    '--fail-level',
    'critical',
  ]);
  assert.equal(made.result, 0, made.output);
  assert.ok(readFileSync(nested, 'utf8').trim().length > 0);
  const bad = await quiet(() => [
    'scan',
    'demo/evidence',
    '--rules',
    rules,
    '--format',
    'jsonl',
    '--out',
    base,
    '--workers',
    '0',
    '--no-summary',
  ]);
  assert.equal(bad.result, 2);
  assert.match(bad.output, /vigil: EISDIR/);
  assert.doesNotMatch(bad.output, /at .*\.(ts|js):\d+/);
});
