/** `vigil rules check | list | test | update`: rule sets, SigmaHQ regression tests and rule packs. */
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { VigilError } from '../../core/errors.js';
import { formatIssue } from '../../core/issue.js';
import { compileRuleSet, loadDefaultMapping, loadRules } from '../../detect/sigma/index.js';
import type { SetExit } from '../exit.js';
import { defaultRulePaths, installedRulesDir } from '../rules-dir.js';
import { regressionCases, rulesBeside, runRegression } from '../rules/regression.js';
import { terminalSafe } from '../scan/format.js';

export function registerRules(program: Command, setExit: SetExit): void {
  const rules = program.command('rules').description('Sigma rule sets');

  rules
    .command('check')
    .description('load and compile rules; print every problem with file:line and YAML path')
    .argument('[paths...]', 'rule files or folders (default: the configured rules)')
    .option('--warnings', 'also print warnings', false)
    .action(async (paths: string[], options: { warnings: boolean }) => {
      const load = await loadRules(paths.length > 0 ? paths : defaultRulePaths());
      const { ruleSet, problems } = compileRuleSet(load, loadDefaultMapping());
      const all = [...load.problems, ...problems];
      const errors = all.filter((p) => p.severity === 'error');
      for (const p of all)
        if (options.warnings || p.severity === 'error')
          process.stdout.write(`${terminalSafe(formatIssue(p))}\n`);
      process.stdout.write(
        `${ruleSet.rules.length} rules compiled, ${load.correlations.length} correlations, ${load.filters.length} filters; ` +
          `${load.refused.length} refused; ${errors.length} errors, ${all.length - errors.length} warnings\n`,
      );
      setExit(errors.length > 0 ? 1 : 0);
    });

  rules
    .command('list')
    .description('list rules: id, level, title, log source')
    .argument('[paths...]', 'rule files or folders (default: the configured rules)')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'jsonl']).default('table'))
    .action(async (paths: string[], options: { format: 'table' | 'jsonl' }) => {
      const load = await loadRules(paths.length > 0 ? paths : defaultRulePaths());
      for (const r of load.rules) {
        const ls = [r.logsource.product, r.logsource.category, r.logsource.service].filter(Boolean).join('/');
        process.stdout.write(
          options.format === 'jsonl'
            ? `${JSON.stringify({ id: r.id, level: r.level, title: r.title, logsource: r.logsource, file: r.file })}\n`
            : `${r.id}  ${r.level.padEnd(13)} ${terminalSafe(r.title)}  [${ls}]\n`,
        );
      }
    });

  rules
    .command('test')
    .description(
      "run SigmaHQ's regression tests (regression_data/**/info.yml) over the .evtx samples and their .json twins",
    )
    .argument('<dir>', 'a regression_data folder (or one below it)')
    .option('-r, --rules <dir...>', 'rule folders (default: the rules* folders beside regression_data)')
    .addOption(
      new Option('--source <source>', 'which sample to read')
        .choices(['evtx', 'json', 'both'])
        .default('both'),
    )
    .action(async (dir: string, options: { rules?: string[]; source: 'evtx' | 'json' | 'both' }) => {
      const load = await loadRules(options.rules ?? (await rulesBeside(dir)));
      const { ruleSet } = compileRuleSet(load, loadDefaultMapping());
      const cases = await regressionCases(dir);
      let passed = 0;
      let failed = 0;
      for (const source of options.source === 'both' ? (['evtx', 'json'] as const) : [options.source]) {
        for (const r of await runRegression(ruleSet, cases, source)) {
          if (r.passed) passed++;
          else {
            failed++;
            process.stdout.write(
              `FAIL ${source} ${r.ruleId} ${terminalSafe(r.title)}: ${r.error ?? `${r.matches} matches, expected ${r.expected ?? 'at least 1'}`}\n`,
            );
          }
        }
      }
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      setExit(failed > 0 ? 1 : 0);
    });

  rules
    .command('update')
    .description('install a rule pack (a SigmaHQ checkout or release folder) as the default rules')
    .requiredOption('--from <path>', 'folder holding rules*/ (a SigmaHQ checkout or an unpacked release)')
    .action(async (options: { from: string }) => {
      if (/^https?:/i.test(options.from)) {
        throw new VigilError(
          'rules.update.url',
          'downloading rule packs is not available here; unpack the release and pass its folder',
        );
      }
      const info = await stat(options.from).catch(() => undefined);
      if (!info?.isDirectory()) throw new VigilError('rules.update.path', `${options.from} is not a folder`);
      const load = await loadRules([options.from]);
      if (load.rules.length === 0)
        throw new VigilError('rules.update.empty', `no Sigma rules under ${options.from}`);
      const target = installedRulesDir();
      const staging = `${target}.new`;
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await cp(options.from, join(staging, 'pack'), {
        recursive: true,
        filter: (src) => !src.includes('regression_data'),
      });
      await rm(target, { recursive: true, force: true });
      await cp(staging, target, { recursive: true });
      await rm(staging, { recursive: true, force: true });
      process.stdout.write(
        `installed ${load.rules.length} rules into ${target} (${load.refused.length} refused)\n`,
      );
    });
}
