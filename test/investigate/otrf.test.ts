// A real recorded intrusion: OTRF's ProxyLogon SSRF → RCE dataset (Exchange MXS01), scanned with
// the SigmaHQ Windows rules, is one incident naming the web shell and the commands it ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DetectionEngine } from '../../src/detect/engine.js';
import { compileRuleSet, loadDefaultMapping, loadRules } from '../../src/detect/sigma/index.js';
import { geoDatabase } from '../../src/enrich/geo.js';
import { walkEvidence } from '../../src/ingest/index.js';
import { buildIncidents, FactCollector } from '../../src/investigate/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

test('OTRF ProxyLogon: one incident on MXS01 with the web shell the OAB export wrote and its commands', async () => {
  const load = await loadRules([join(SHARED_DATA, 'sigma', 'rules', 'windows')]);
  const engine = new DetectionEngine({ ruleSet: compileRuleSet(load, loadDefaultMapping()).ruleSet });
  const facts = new FactCollector();
  const zip = join(
    SHARED_DATA,
    'otrf-security-datasets',
    'atomic',
    'windows',
    'persistence',
    'host',
    'proxylogon_ssrf_rce_poc.zip',
  );
  for await (const item of walkEvidence([zip])) {
    assert.ok(item.file);
    for await (const r of item.records) if (r.ok) facts.observe(r.event, engine.process(r.event));
  }
  const incidents = buildIncidents(facts, { geo: geoDatabase() });
  assert.equal(incidents.length, 1);
  const incident = incidents[0]!;
  assert.deepEqual(
    incident.hosts.map((h) => h.name),
    ['MXS01'],
  );
  assert.deepEqual(incident.web_shells, [
    {
      host: 'MXS01',
      path: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\ohyeah.aspx',
      time: '2021-03-14T01:40:13.660Z',
      written_by: 'System',
    },
  ]);
  assert.deepEqual(
    incident.web_commands.map((c) => c.command),
    ['cmd /c whoami'],
  );
  assert.ok(incident.techniques.some((t) => t.id === 'T1505.003' && t.name === 'Web Shell'));
  assert.ok(incident.techniques.some((t) => t.id === 'T1190'));
});
