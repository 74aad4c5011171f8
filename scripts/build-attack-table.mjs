#!/usr/bin/env node
// Builds src/investigate/attack.json — technique and tactic IDs and names (facts) — from MITRE's
// enterprise ATT&CK STIX bundle: node scripts/build-attack-table.mjs [../shared/data/attack/enterprise-attack.json]
import { readFileSync, writeFileSync } from 'node:fs';

const input = process.argv[2] ?? new URL('../../shared/data/attack/enterprise-attack.json', import.meta.url).pathname;
const bundle = JSON.parse(readFileSync(input, 'utf8'));
const live = (o) => !o.revoked && !o.x_mitre_deprecated;
const mitreId = (o) => o.external_references?.find((r) => r.source_name === 'mitre-attack')?.external_id;

const tactics = {};
const order = [];
for (const o of bundle.objects.filter((o) => o.type === 'x-mitre-tactic' && live(o))) {
  tactics[o.x_mitre_shortname] = { id: mitreId(o), name: o.name };
}
// Kill-chain order as the matrix lists it.
const matrix = bundle.objects.find((o) => o.type === 'x-mitre-matrix');
for (const ref of matrix?.tactic_refs ?? []) {
  const t = bundle.objects.find((o) => o.id === ref);
  if (t) order.push(t.x_mitre_shortname);
}
const techniques = {};
for (const o of bundle.objects.filter((o) => o.type === 'attack-pattern' && live(o))) {
  const id = mitreId(o);
  if (!id) continue;
  techniques[id] = { name: o.name, tactics: (o.kill_chain_phases ?? []).filter((p) => p.kill_chain_name === 'mitre-attack').map((p) => p.phase_name) };
}
const out = new URL('../src/investigate/attack.json', import.meta.url).pathname;
writeFileSync(out, JSON.stringify({ source: 'MITRE ATT&CK Enterprise (STIX bundle)', tacticOrder: order, tactics, techniques }) + '\n');
console.log(`wrote ${Object.keys(techniques).length} techniques, ${order.length} tactics to ${out}`);
