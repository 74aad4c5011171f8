/** Where rules come from when `--rules` is not given: VIGIL_RULES, then the installed pack, then a SigmaHQ checkout beside us. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VigilError } from '../core/errors.js';

export const DEFAULT_DATA_DIR = 'vigil-data';

export function installedRulesDir(dataDir = process.env.VIGIL_DATA ?? DEFAULT_DATA_DIR): string {
  return resolve(dataDir, 'rules');
}

export function defaultRulePaths(): string[] {
  const fromEnv = process.env.VIGIL_RULES;
  if (fromEnv) return fromEnv.split(':').filter(Boolean);
  const installed = installedRulesDir();
  if (existsSync(installed)) return [installed];
  const sibling = resolve('..', 'shared', 'data', 'sigma');
  if (existsSync(join(sibling, 'rules'))) {
    return ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-dfir']
      .map((d) => join(sibling, d))
      .filter((d) => existsSync(d));
  }
  throw new VigilError(
    'rules.none',
    'no rules: pass --rules DIR, set VIGIL_RULES, or install a pack with `vigil rules update --from PATH`',
  );
}

/** Where parsed rule sets are cached (VIGIL_RULE_CACHE=off turns it off). */
export function ruleCacheDir(dataDir = process.env.VIGIL_DATA ?? DEFAULT_DATA_DIR): string | undefined {
  return process.env.VIGIL_RULE_CACHE === 'off' ? undefined : resolve(dataDir, 'cache');
}
