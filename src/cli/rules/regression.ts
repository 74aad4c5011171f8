/**
 * SigmaHQ's regression tests (`regression_data/**\/info.yml`): each names a rule, a sample (.evtx,
 * with its evtx_dump .json twin) and how many times the rule must match it. We run the sample
 * through our EVTX parser, and the JSON twin through the JSON reader, and compare counts.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { Event } from '../../core/event.js';
import type { ReadResult } from '../../core/reader.js';
import type { RuleSet } from '../../detect/sigma/index.js';
import { readEvtxFile } from '../../ingest/evtx/index.js';
import { readEvidenceFile } from '../../ingest/index.js';

export interface RegressionCase {
  readonly info: string;
  readonly ruleId: string;
  readonly title: string;
  readonly sample: string;
  readonly expected: number | undefined;
}

export interface RegressionResult extends RegressionCase {
  readonly source: 'evtx' | 'json';
  readonly matches: number;
  readonly passed: boolean;
  readonly error?: string;
}

async function findInfos(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await findInfos(path, out);
    else if (entry.name === 'info.yml') out.push(path);
  }
  return out.sort();
}

interface InfoYaml {
  rule_metadata?: { id?: string; title?: string }[];
  regression_tests_info?: { type?: string; path?: string; match_count?: number }[];
}

/** Every test case under `dir` (a regression_data folder or any folder below it). */
export async function regressionCases(dir: string): Promise<RegressionCase[]> {
  const cases: RegressionCase[] = [];
  for (const info of await findInfos(dir)) {
    const doc = parse(await readFile(info, 'utf8')) as InfoYaml;
    const rule = doc.rule_metadata?.[0];
    for (const t of doc.regression_tests_info ?? []) {
      if (!rule?.id || !t.path || (t.type && t.type !== 'evtx')) continue;
      // Paths are written from the sigma checkout's root; the sample sits next to info.yml anyway.
      const local = join(dirname(info), t.path.split('/').pop()!);
      cases.push({
        info,
        ruleId: rule.id,
        title: rule.title ?? rule.id,
        sample: local,
        expected: t.match_count,
      });
    }
  }
  return cases;
}

/** The rules folder(s) beside a regression_data folder: `<sigma>/rules*`. */
export async function rulesBeside(regressionDir: string): Promise<string[]> {
  let dir = regressionDir;
  while (!dir.endsWith('regression_data') && dirname(dir) !== dir) dir = dirname(dir);
  const root = dirname(dir);
  return (await readdir(root)).filter((n) => n.startsWith('rules')).map((n) => join(root, n));
}

async function count(ruleSet: RuleSet, ruleId: string, records: AsyncIterable<ReadResult>): Promise<number> {
  let matches = 0;
  for await (const r of records) {
    if (!r.ok) continue;
    const event: Event = r.event;
    if (ruleSet.match(event).some((c) => c.rule.id === ruleId)) matches++;
  }
  return matches;
}

export async function runRegression(
  ruleSet: RuleSet,
  cases: readonly RegressionCase[],
  source: 'evtx' | 'json',
): Promise<RegressionResult[]> {
  const known = new Set(ruleSet.rules.map((r) => r.rule.id));
  const results: RegressionResult[] = [];
  for (const c of cases) {
    const path = source === 'evtx' ? c.sample : c.sample.replace(/\.evtx$/i, '.json');
    if (!known.has(c.ruleId)) {
      results.push({ ...c, source, matches: 0, passed: false, error: 'rule not loaded' });
      continue;
    }
    if (!existsSync(path)) {
      results.push({ ...c, source, matches: 0, passed: false, error: `missing ${path}` });
      continue;
    }
    const records = source === 'evtx' ? readEvtxFile(path) : readEvidenceFile(path);
    const matches = await count(ruleSet, c.ruleId, records);
    const passed = c.expected === undefined ? matches > 0 : matches === c.expected;
    results.push({ ...c, source, matches, passed });
  }
  return results;
}
