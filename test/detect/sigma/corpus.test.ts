// The whole SigmaHQ corpus: every rule loads or is refused for a stated reason; SigmaHQ's own
// regression tests pass through our EVTX parser and JSON reader; and the compiled, indexed engine
// agrees with the reference evaluator on every corpus event (differential test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Event } from '../../../src/core/event.js';
import { regressionCases, runRegression } from '../../../src/cli/rules/regression.js';
import {
  checkCompile,
  compileRuleSet,
  createPrefilterArena,
  PrefilterArena,
  loadDefaultMapping,
  loadRules,
  referenceMatch,
  type RuleLoad,
} from '../../../src/detect/sigma/index.js';
import { walkEvidence } from '../../../src/ingest/index.js';
import { SHARED_DATA } from '../../helpers/shared-data.js';

const SIGMA = join(SHARED_DATA, 'sigma');
const RULE_DIRS = [
  'rules',
  'rules-emerging-threats',
  'rules-threat-hunting',
  'rules-compliance',
  'rules-dfir',
  'rules-placeholder',
].map((d) => join(SIGMA, d));
const mapping = loadDefaultMapping();

let loaded: Promise<RuleLoad> | undefined;
const corpus = (): Promise<RuleLoad> => (loaded ??= loadRules(RULE_DIRS));

test('all 3,780 SigmaHQ rules load and compile, or are refused for a reason the specification gives', async () => {
  const load = await corpus();
  const { ruleSet } = compileRuleSet(load, mapping);
  assert.equal(load.rules.length + load.refused.length, 3780);
  assert.equal(ruleSet.rules.length, 3752);
  const reasons = load.refused.map((r) => r.reason.split(':')[0]);
  const byReason = Object.fromEntries(
    [...new Set(reasons)].map((r) => [r, reasons.filter((x) => x === r).length]),
  );
  // Placeholders without configured values (spec: such a rule is refused), and three
  // Invoke-Obfuscation regexes with nested quantifiers that could hang a scan.
  assert.deepEqual(byReason, { 'sigma.placeholder.unset': 25, 'sigma.regex.refused': 3 });
});

/**
 * These info.yml files expect 1 match where 2 or 3 events of their sample satisfy the rule as
 * written (each listed event contains the selected value); we count every matching event.
 */
const COUNT_DISAGREEMENTS = [
  'file_event_win_anydesk_artefact',
  'file_event_win_cred_dump_tools_dropped_files',
  'registry_set_change_security_zones',
  'registry_set_disable_administrative_share',
];

test("SigmaHQ's regression tests pass over the .evtx samples (our parser) and the .json twins", async () => {
  const load = await corpus();
  const { ruleSet } = compileRuleSet(load, mapping);
  const cases = await regressionCases(join(SIGMA, 'regression_data'));
  assert.equal(cases.length, 202);
  for (const source of ['evtx', 'json'] as const) {
    const results = await runRegression(ruleSet, cases, source);
    const failed = results.filter((r) => !r.passed).map((r) => r.info.split('/').at(-2));
    assert.deepEqual(failed.sort(), COUNT_DISAGREEMENTS, source);
  }
});

/**
 * The events the differential test compares on. Every regression event is kept (each was chosen to
 * fire a rule); the other corpora are sampled with a fixed stride, because the reference evaluator
 * looks at all 2,400 Windows rules per event (~10 ms). `VIGIL_DIFFERENTIAL=full` compares on all.
 */
async function corpusEvents(): Promise<{ all: number; sample: Event[] }> {
  const full = process.env.VIGIL_DIFFERENTIAL === 'full';
  const sample: Event[] = [];
  let all = 0;
  const sources = [
    { path: join(SIGMA, 'regression_data'), stride: 1 },
    { path: join(SHARED_DATA, 'otrf-security-datasets', 'atomic', 'windows'), stride: 97 },
    { path: join(SHARED_DATA, 'evtx-attack-samples'), stride: 13 },
  ];
  for (const { path, stride } of sources) {
    for await (const item of walkEvidence([path])) {
      if (item.file === null) continue;
      // The regression .evtx files are the .json twins again (tested equal elsewhere).
      if (stride === 1 && item.file.format === 'evtx') continue;
      for await (const r of item.records) {
        if (!r.ok) continue;
        if (full || all % stride === 0) sample.push(r.event);
        all++;
      }
    }
  }
  return { all, sample };
}

test('differential: the compiled, indexed engine equals the reference evaluator on corpus events', async () => {
  const load = await corpus();
  const { ruleSet } = compileRuleSet(load, mapping);
  const { all, sample } = await corpusEvents();
  assert.ok(all > 15_000, `${all} events`);
  assert.ok(sample.length > 1_500, `${sample.length} sampled`);
  const windowsRules = load.rules.filter((r) => r.logsource.product === 'windows');
  let fastMatches = 0;
  let disagreements = 0;
  const examples: string[] = [];
  for (const event of sample) {
    const fast = new Set(ruleSet.match(event).map((c) => c.rule.id));
    fastMatches += fast.size;
    // The reference looks at every rule, without the index.
    for (const rule of windowsRules) {
      const slow = referenceMatch(rule, event, mapping, load.filters);
      if (slow !== fast.has(rule.id)) {
        disagreements++;
        if (examples.length < 5)
          examples.push(`${rule.id} on ${event.source.file}#${event.source.recordId ?? event.source.line}`);
      }
    }
  }
  assert.deepEqual(examples, []);
  assert.equal(disagreements, 0);
  // The fast path really ran and found things.
  assert.ok(fastMatches > 300, `${fastMatches} matches`);
});

test('prefilters one rule set built and another adopted from the shared arena match like unshared ones', async () => {
  const load = await corpus();
  const buffer = createPrefilterArena(64 * 1024 * 1024);
  const builder = new PrefilterArena(buffer);
  const adopter = new PrefilterArena(buffer);
  const plain = compileRuleSet(load, mapping).ruleSet;
  const building = compileRuleSet(load, mapping, { prefilterArena: builder }).ruleSet;
  const adopting = compileRuleSet(load, mapping, { prefilterArena: adopter }).ruleSet;
  const ids = (rules: readonly { rule: { id: string } }[]) => rules.map((r) => r.rule.id).join(' ');
  let events = 0;
  let hits = 0;
  for await (const item of walkEvidence([join(SHARED_DATA, 'evtx-attack-samples')])) {
    if (item.file === null) continue;
    for await (const r of item.records) {
      if (!r.ok) continue;
      const expected = ids(plain.match(r.event));
      // The builder meets each bucket first, so the adopter only ever reads finished ones.
      assert.equal(ids(building.match(r.event)), expected);
      assert.equal(ids(adopting.match(r.event)), expected);
      events++;
      if (expected !== '') hits++;
    }
  }
  assert.ok(events > 8000 && hits > 1000);
  assert.ok(builder.built > 20, `built ${builder.built}`);
  assert.equal(adopter.built, 0);
  assert.equal(adopter.adopted, builder.built);
});

test('compiled lazily after a compile check, the rule set has the eager problems, rules and matches', async () => {
  const load = await corpus();
  const eager = compileRuleSet(load, mapping);
  const check = checkCompile(load, mapping);
  const lazy = compileRuleSet(load, mapping, { compileCheck: check });
  assert.deepEqual(lazy.problems, eager.problems);
  const ids = (rules: readonly { rule: { id: string } }[]) => rules.map((r) => r.rule.id).join(' ');
  assert.equal(ids(lazy.ruleSet.rules), ids(eager.ruleSet.rules));
  let events = 0;
  let hits = 0;
  for await (const item of walkEvidence([join(SHARED_DATA, 'evtx-attack-samples')])) {
    if (item.file === null) continue;
    for await (const r of item.records) {
      if (!r.ok) continue;
      const expected = ids(eager.ruleSet.match(r.event));
      assert.equal(ids(lazy.ruleSet.match(r.event)), expected);
      events++;
      if (expected !== '') hits++;
    }
  }
  assert.ok(events > 8000 && hits > 1000);
});
