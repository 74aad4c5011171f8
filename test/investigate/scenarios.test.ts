// The two intrusions of the brief, generated with far more benign noise than attack, scanned with the
// SigmaHQ rules, and reconstructed: scope, entry, spread, infrastructure with countries, data out,
// the update-push link and the attacker's UTC offset — and no incident from the noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectionEngine } from '../../src/detect/engine.js';
import { compileRuleSet, loadDefaultMapping, loadRules, type RuleSet } from '../../src/detect/sigma/index.js';
import { geoDatabase } from '../../src/enrich/geo.js';
import { walkEvidence } from '../../src/ingest/index.js';
import { buildIncidents, FactCollector, type Incident } from '../../src/investigate/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';
import { SCENARIO_A, SCENARIO_B, scenarioA, scenarioB } from '../fixtures/scenarios.js';

let rules: Promise<RuleSet> | undefined;
const ruleSet = (): Promise<RuleSet> =>
  (rules ??= loadRules([
    join(SHARED_DATA, 'sigma', 'rules', 'windows'),
    join(SHARED_DATA, 'sigma', 'rules', 'web'),
  ]).then((load) => compileRuleSet(load, loadDefaultMapping()).ruleSet));

async function investigate(write: (dir: string) => void): Promise<Incident[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scenario-'));
  write(dir);
  const engine = new DetectionEngine({ ruleSet: await ruleSet() });
  const facts = new FactCollector();
  for await (const item of walkEvidence([dir])) {
    assert.ok(item.file, 'every generated file is readable');
    for await (const r of item.records) {
      assert.ok(r.ok, r.ok ? '' : r.issue.message);
      facts.observe(r.event, engine.process(r.event));
    }
  }
  return buildIncidents(facts, { geo: geoDatabase() });
}

test('scenario A: Exchange exploited from abroad, 32 workstations taken over, 4.7 GB out to five servers', async () => {
  const s = SCENARIO_A;
  const incidents = await investigate((dir) => scenarioA(dir));
  assert.equal(incidents.length, 1, incidents.map((i) => i.title).join('\n'));
  const incident = incidents[0]!;
  assert.equal(incident.entry.host, s.exchange);
  assert.equal(incident.entry.from_ip, s.exploitIp);
  assert.equal(incident.hosts.length, 1 + s.workstations);
  const ws = incident.hosts.filter((h) => h.name.startsWith('WS-'));
  assert.equal(ws.length, s.workstations);
  assert.ok(
    ws.every(
      (h) =>
        h.how_reached.includes('4624 type 3') &&
        h.how_reached.includes('PSEXESVC') &&
        h.how_reached.includes(s.exchange),
    ),
  );
  assert.equal(incident.spread.length, s.workstations);
  // Infrastructure: the exploiting address and the five exfiltration servers, with their countries.
  const infra = Object.fromEntries(incident.infrastructure.map((i) => [i.ip, i]));
  assert.deepEqual(infra[s.exploitIp]?.roles, ['exploitation']);
  assert.equal(infra[s.exploitIp]?.country, 'US');
  for (const { ip, bytes } of s.exfil) {
    assert.ok(infra[ip]?.roles.includes('exfiltration'), ip);
    assert.equal(infra[ip]?.bytes_out, bytes, ip);
  }
  assert.deepEqual(
    s.exfil.map(({ ip }) => infra[ip]!.country),
    ['DE', 'HU', 'BG', 'US', 'RU'],
  );
  assert.equal(incident.infrastructure.length, 6, 'no benign address (cloud, backup target) counted');
  assert.equal(incident.bytes_out_total, 4_700_000_000);
  assert.equal(incident.cross_border, true);
  assert.equal(incident.activity.best_utc_offset, s.utcOffset);
  assert.ok(incident.activity.fit >= 0.9, `fit ${incident.activity.fit}`);
  // The techniques carry ATT&CK names, and the timeline runs in time order.
  assert.ok(incident.techniques.some((t) => t.id === 'T1003.001' && t.name === 'LSASS Memory'));
  assert.ok(incident.timeline.some((t) => t.rule.includes('Mailbox Export')));
  assert.ok(incident.timeline.every((t, i) => i === 0 || t.time >= incident.timeline[i - 1]!.time));
  assert.ok(incident.links.some((l) => l.startsWith('WS-1') && l.includes('from EXCH01')));
});

test('scenario B: web application exploited, trojan pushed by the updater to 275 clients, beacons and exfiltration', async () => {
  const s = SCENARIO_B;
  const incidents = await investigate((dir) => scenarioB(dir));
  assert.equal(incidents.length, 1, incidents.map((i) => i.title).join('\n'));
  const incident = incidents[0]!;
  assert.equal(incident.entry.host, s.server);
  assert.equal(incident.entry.from_ip, s.exploitIp);
  const clients = incident.hosts.filter((h) => h.name.startsWith('CL-'));
  assert.equal(clients.length, s.clients);
  assert.ok(
    clients.every(
      (h) =>
        h.how_reached.includes('update push') &&
        h.how_reached.includes('DocAgent.exe') &&
        h.how_reached.includes(s.server),
    ),
  );
  const infra = Object.fromEntries(incident.infrastructure.map((i) => [i.ip, i]));
  assert.deepEqual(infra[s.exploitIp]?.roles, ['exploitation']);
  assert.equal(infra[s.exploitIp]?.country, 'RU');
  assert.deepEqual(infra[s.c2Ip]?.roles, ['command-and-control']);
  assert.equal(infra[s.c2Ip]?.country, 'DE');
  assert.deepEqual(infra[s.exfilIp]?.roles, ['exfiltration']);
  assert.equal(infra[s.exfilIp]?.bytes_out, s.exfilClients * s.exfilBytesEach);
  assert.equal(incident.infrastructure.length, 3);
  assert.equal(incident.activity.best_utc_offset, s.utcOffset);
  assert.ok(incident.links.some((l) => l.includes('update push')));
});

test('benign noise alone creates no incident', async () => {
  // Both generators with the attack left out: thousands of benign events, no incident.
  for (const write of [scenarioA, scenarioB]) {
    const incidents = await investigate((dir) => write(dir, { attack: false }));
    assert.deepEqual(
      incidents.map((i) => i.title),
      [],
    );
  }
});
