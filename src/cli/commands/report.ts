/** `vigil report incident ID`: the incident report from the store, as HTML or Markdown. */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { VigilError } from '../../core/errors.js';
import type { Incident } from '../../investigate/index.js';
import { incidentHtml, incidentMarkdown } from '../../report/incident.js';
import { openStore } from '../../store/index.js';
import type { SetExit } from '../exit.js';

interface ReportOptions {
  db?: string;
  format: 'html' | 'md' | 'json';
  out?: string;
}

export function registerReport(program: Command, setExit: SetExit): void {
  const report = program.command('report').description('reports: incident (weekly arrives with cases)');
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
}
