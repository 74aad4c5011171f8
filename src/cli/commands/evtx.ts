/** `vigil evtx dump FILE`: every record of an .evtx as libevtx-style XML or evtx_dump-style JSON lines. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { formatIssue } from '../../core/issue.js';
import { recordToJson, recordToXml, walkEvtx } from '../../ingest/evtx/index.js';
import type { SetExit } from '../exit.js';

export function registerEvtx(program: Command, setExit: SetExit): void {
  const evtx = program.command('evtx').description('our EVTX parser');
  evtx
    .command('dump')
    .description('print every record of an .evtx file (issues on stderr)')
    .argument('<file>', '.evtx file')
    .addOption(new Option('-f, --format <format>', 'output').choices(['xml', 'jsonl']).default('xml'))
    .option('--recover', 'also carve records from chunk slack space', false)
    .action(async (file: string, options: { format: 'xml' | 'jsonl'; recover: boolean }) => {
      let records = 0;
      let errors = 0;
      let warnings = 0;
      const out = process.stdout;
      for await (const item of walkEvtx(file, { recover: options.recover })) {
        if (!item.ok) {
          if (item.issue.severity === 'error') errors++;
          else warnings++;
          process.stderr.write(`${formatIssue(item.issue)}\n`);
          continue;
        }
        records++;
        const text =
          options.format === 'xml'
            ? `${recordToXml(item.record)}\n\n`
            : `${JSON.stringify(recordToJson(item.record))}\n`;
        if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      process.stderr.write(`${file}: ${records} records, ${errors} errors, ${warnings} warnings\n`);
      setExit(records === 0 && errors > 0 ? 2 : errors + warnings > 0 ? 1 : 0);
    });
}
