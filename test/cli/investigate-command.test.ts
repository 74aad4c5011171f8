// `vigil scan --incidents --report --db` and `vigil report incident` as a user runs them, over
// generated scenario A in worker threads (facts gathered per worker and merged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIO_A, scenarioA } from '../fixtures/scenarios.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

const RULES = [
  'process_creation/proc_creation_win_webshell_susp_process_spawned_from_webserver.yml',
  'process_creation/proc_creation_win_powershell_mailboxexport_share.yml',
  'process_creation/proc_creation_win_rundll32_process_dump_via_comsvcs.yml',
  'builtin/system/service_control_manager/win_system_service_install_sysinternals_psexec.yml',
  'file/file_event/file_event_win_webshell_creation_detect.yml',
];

function vigil(args: string[]): { status: number; output: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/run-cli.ts', ...args], {
    encoding: 'utf8',
  });
  return { status: child.status ?? -1, output: child.stdout + child.stderr };
}

test('scan --incidents --report --db, then report incident from the store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-investigate-'));
  const evidence = join(dir, 'evidence');
  scenarioA(evidence);
  const rules = join(dir, 'rules');
  spawnSync('mkdir', ['-p', rules]);
  for (const rule of RULES) {
    const found = spawnSync(
      'find',
      [join(SHARED_DATA, 'sigma', 'rules', 'windows'), '-name', rule.split('/').pop()!],
      { encoding: 'utf8' },
    ).stdout.trim();
    assert.ok(found, rule);
    copyFileSync(found.split('\n')[0]!, join(rules, rule.split('/').pop()!));
  }
  const json = join(dir, 'incidents.json');
  const html = join(dir, 'report.html');
  const db = join(dir, 'vigil.db');
  const scan = vigil([
    'scan',
    evidence,
    '--rules',
    rules,
    '--workers',
    '2',
    '--format',
    'jsonl',
    '--out',
    join(dir, 'd.jsonl'),
    '--incidents',
    json,
    '--report',
    html,
    '--db',
    db,
    '--fail-level',
    'critical',
  ]);
  assert.equal(scan.status, 1, scan.output); // the mailbox export rule is critical
  const document = JSON.parse(readFileSync(json, 'utf8')) as {
    format: string;
    version: number;
    incidents: { id: string; hosts: unknown[]; bytes_out_total: number; cross_border: boolean }[];
  };
  assert.equal(document.format, 'vigil-incidents');
  assert.equal(document.incidents.length, 1);
  const incident = document.incidents[0]!;
  assert.equal(incident.hosts.length, 1 + SCENARIO_A.workstations);
  assert.equal(incident.bytes_out_total, 4_700_000_000);
  assert.ok(readFileSync(html, 'utf8').includes('4.7 GB'));
  const report = vigil(['report', 'incident', incident.id, '--db', db, '--format', 'md']);
  assert.equal(report.status, 0, report.output);
  assert.ok(report.output.includes('## Hosts in scope'));
  assert.ok(report.output.includes('WS-101'));
  assert.equal(vigil(['report', 'incident', 'inc-nope', '--db', db]).status, 2);
});
