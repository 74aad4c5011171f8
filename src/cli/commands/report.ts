/**
 * `vigil report incident ID`: the incident report from the store, as HTML or Markdown.
 * `vigil report weekly [--week 2026-W47] [--tlp CLEAR] [--format html|pdf|md|json] [--out FILE]`: the
 * weekly report from the store's cases, notifications and incidents.
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { VigilError } from '../../core/errors.js';
import type { Incident } from '../../investigate/index.js';
import { incidentHtml, incidentMarkdown } from '../../report/incident.js';
import { openStore } from '../../store/index.js';
import type { SetExit } from '../exit.js';
import { isTlp, TLP_LEVELS } from '../../core/tlp.js';
import {
  lastCompleteWeek,
  renderWeekly,
  WEEKLY_FORMATS,
  weekPeriod,
  type WeeklyFormat,
} from '../../report/weekly/index.js';
import { weeklyReportFromStore } from '../../server/reports/weekly-data.js';

interface ReportOptions {
  db?: string;
  format: 'html' | 'md' | 'json';
  out?: string;
}

export function registerReport(program: Command, setExit: SetExit): void {
  const report = program.command('report').description('reports: incident, weekly');
  report
    .command('incident')
    .description('write the report of a stored incident (see `vigil scan --db`)')
    .argument('<id>', 'incident id (inc-…), or "all"')
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .addOption(new Option('-f, --format <format>', 'output').choices(['html', 'md', 'json']).default('html'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (id: string, options: ReportOptions) => {
      const store = await openStore(options.db);
      try {
        const stored = id === 'all' ? await store.incidents.list() : [await store.incidents.get(id)];
        const incidents = stored.filter((s) => s !== undefined).map((s) => s.analysis as Incident);
        if (incidents.length === 0)
          throw new VigilError('report.incident.unknown', `no incident ${id} in the store`);
        const text =
          options.format === 'html'
            ? incidentHtml(incidents)
            : options.format === 'md'
              ? incidents.map(incidentMarkdown).join('\n---\n\n')
              : JSON.stringify(incidents, null, 2) + '\n';
        if (options.out) await writeFile(options.out, text);
        else process.stdout.write(text);
        setExit(0);
      } finally {
        await store.close();
      }
    });
  report
    .command('weekly')
    .description(
      'write the weekly report of an ISO week: incidents, cross-border, notifications, breaches, advisories',
    )
    .option('--week <week>', 'ISO week, e.g. 2026-W47 (default: the last complete week)')
    .option('--tlp <tlp>', `the report's TLP: nothing above it goes in (${TLP_LEVELS.join(', ')})`, 'CLEAR')
    .addOption(new Option('-f, --format <format>', 'output').choices([...WEEKLY_FORMATS]).default('html'))
    .option(
      '-o, --out <file>',
      'write to a file instead of stdout (PDF needs one unless stdout is redirected)',
    )
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .option('--home-country <code>', "the CERT's country (for cross-border)", 'CN')
    .option('--team <name>', "the team's name, in the report's heading", 'Vigil CERT')
    .action(async (options: WeeklyOptions) => {
      const week = options.week ?? lastCompleteWeek(Date.now());
      const period = weekPeriod(week);
      if ('problem' in period) throw new VigilError('report.weekly.week', `--week: ${period.problem}`);
      const tlp = options.tlp.toUpperCase();
      if (!isTlp(tlp))
        throw new VigilError(
          'report.weekly.tlp',
          `--tlp: "${options.tlp}" is not a TLP (${TLP_LEVELS.join(', ')})`,
        );
      if (options.format === 'pdf' && !options.out && process.stdout.isTTY)
        throw new VigilError('report.weekly.pdf-tty', 'a PDF is not for the terminal: give --out FILE');
      const store = await openStore(options.db);
      try {
        const model = await weeklyReportFromStore(store, {
          week,
          tlp,
          homeCountry: options.homeCountry,
          publisher: options.team,
        });
        const body = await renderWeekly(model, options.format);
        if (options.out) await writeFile(options.out, body);
        else process.stdout.write(body);
        setExit(0);
      } finally {
        await store.close();
      }
    });
}

interface WeeklyOptions {
  week?: string;
  tlp: string;
  format: WeeklyFormat;
  out?: string;
  db?: string;
  homeCountry: string;
  team: string;
}
