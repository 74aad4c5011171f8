/**
 * `vigil advisories validate | import | inventory | match`: CVE records and CSAF documents checked against their
 * standards and loaded into the store; constituents' software inventories; which of them an advisory affects.
 */
import { readFile, stat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { formatIssue } from '../../core/issue.js';
import { checkDocument, type CheckedDocument } from '../../advisories/intake.js';
import { readCveSource, newerThan } from '../../advisories/cve/source.js';
import { csafToAdvisory } from '../../advisories/csaf/advisory.js';
import { fetchLoader, isProviderMetadata, isRolieFeed, readCsafProvider } from '../../advisories/csaf/provider.js';
import { cveToAdvisory } from '../../advisories/cve/record.js';
import { importInventory } from '../../advisories/inventory/import.js';
import { InventoryIndex } from '../../advisories/matching/matcher.js';
import { openStore, type Store } from '../../store/index.js';
import type { SetExit } from '../exit.js';
import { terminalSafe } from '../scan/format.js';

async function* jsonFiles(path: string): AsyncGenerator<string> {
  const info = await stat(path);
  if (!info.isDirectory()) {
    yield path;
    return;
  }
  const dir = await opendir(path);
  const names: { name: string; dir: boolean }[] = [];
  for await (const e of dir) names.push({ name: e.name, dir: e.isDirectory() });
  names.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of names) {
    if (e.name.startsWith('.')) continue;
    if (e.dir) yield* jsonFiles(join(path, e.name));
    else if (e.name.endsWith('.json')) yield join(path, e.name);
  }
}

async function checkFile(file: string): Promise<CheckedDocument & { readonly document?: unknown }> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    return { kind: 'unknown', valid: false, findings: [{ check: 'json', path: '', message: (e as Error).message }], checked: 'JSON' };
  }
  return { ...checkDocument(document), document };
}

function printChecked(file: string, r: CheckedDocument): void {
  const out = process.stdout;
  out.write(`${terminalSafe(file)}: ${r.valid ? 'valid' : 'INVALID'} (${r.checked})\n`);
  for (const f of r.findings) {
    const where = f.path || '/';
    const schema = f.schemaPath ? ` [${f.schemaPath}]` : '';
    out.write(`  ${f.check} ${terminalSafe(where)}: ${terminalSafe(f.message)}${schema}\n`);
  }
}

async function withStore<T>(db: string | undefined, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export function registerAdvisories(program: Command, setExit: SetExit): void {
  const advisories = program.command('advisories').description('CVE records and CSAF advisories, software inventories, matching');

  advisories
    .command('validate')
    .description('check CVE JSON 5 records and CSAF 2.0 documents (schema and the CSAF mandatory tests); exit 1 when any fails')
    .argument('<files...>', 'JSON files or folders of them')
    .action(async (files: string[]) => {
      let failed = 0;
      let total = 0;
      for (const path of files) {
        let list: string[] = [];
        try {
          for await (const f of jsonFiles(path)) list.push(f);
        } catch (e) {
          process.stdout.write(`${terminalSafe(path)}: INVALID (cannot read: ${terminalSafe((e as Error).message)})\n`);
          failed++;
          total++;
          list = [];
        }
        for (const file of list) {
          total++;
          const r = await checkFile(file);
          printChecked(file, r);
          if (!r.valid) failed++;
        }
      }
      process.stdout.write(`${total - failed} of ${total} valid\n`);
      setExit(failed > 0 ? 1 : 0);
    });

  advisories
    .command('import')
    .description(
      'load CVE records (a record, a cvelistV5 folder tree or zip; only records newer than the stored ones) and CSAF documents ' +
        "(files, or a provider's provider-metadata.json or ROLIE feed: from a local mirror, or fetched with --online) into the store",
    )
    .argument('<paths...>', 'files, folders or zips')
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .option('--online', "fetch the documents a CSAF provider's feeds name (default: find them in the local mirror)", false)
    .action(async (paths: string[], options: { db?: string; online: boolean }) => {
      await withStore(options.db, async (store) => {
        const known = await store.advisories.recordVersions('cve');
        const counts = { loaded: 0, unchanged: 0, invalid: 0, issues: 0 };
        for (const path of paths) {
          const info = await stat(path).catch(() => undefined);
          const isCsafFile = info?.isFile() && path.endsWith('.json') && !/CVE-\d{4}-\d+\.json$/.test(path);
          if (isCsafFile) {
            const r = await checkFile(path);
            if (r.kind === 'unknown' && (isProviderMetadata(r.document) || isRolieFeed(r.document))) {
              for await (const item of readCsafProvider(path, options.online ? fetchLoader : undefined)) {
                if (item.issue) {
                  counts.issues++;
                  process.stdout.write(`${terminalSafe(formatIssue(item.issue))}\n`);
                  continue;
                }
                const checked = checkDocument(item.document);
                if (checked.kind !== 'csaf' || !checked.advisory) {
                  counts.issues++;
                  printChecked(item.source, checked);
                  continue;
                }
                const a = checked.advisory;
                await store.advisories.putRecord({ id: `csaf:${a.id}`, kind: 'csaf', title: a.title, state: a.state, updated: a.updated ?? null, valid: checked.valid }, item.document);
                counts.loaded++;
                if (!checked.valid) {
                  counts.invalid++;
                  printChecked(item.source, checked);
                }
              }
              continue;
            }
            if (r.kind === 'cve' || r.kind === 'csaf') {
              const a = r.kind === 'cve' ? cveToAdvisory(r.document) : csafToAdvisory(r.document);
              await store.advisories.putRecord({ id: `${r.kind}:${a.id}`, kind: r.kind, title: a.title, state: a.state, updated: a.updated ?? null, valid: r.valid }, r.document);
              counts.loaded++;
              if (!r.valid) {
                counts.invalid++;
                printChecked(path, r);
              }
            } else {
              counts.issues++;
              printChecked(path, r);
            }
            continue;
          }
          for await (const item of readCveSource(path, { isNewer: newerThan(known) })) {
            if ('issue' in item) {
              counts.issues++;
              process.stdout.write(`${terminalSafe(formatIssue(item.issue))}\n`);
            } else if ('skipped' in item) counts.unchanged++;
            else {
              const r = checkDocument(item.record);
              const a = r.advisory!;
              await store.advisories.putRecord({ id: `cve:${a.id}`, kind: 'cve', title: a.title, state: a.state, updated: a.updated ?? null, valid: r.valid }, item.record);
              known.set(a.id, a.updated);
              counts.loaded++;
              if (!r.valid) {
                counts.invalid++;
                printChecked(item.file, r);
              }
            }
          }
        }
        process.stdout.write(`${counts.loaded} loaded (${counts.invalid} of them failing a check), ${counts.unchanged} unchanged, ${counts.issues} unreadable\n`);
        setExit(counts.issues > 0 || counts.invalid > 0 ? 1 : 0);
      });
    });

  advisories
    .command('inventory')
    .description("add an organisation's software from CSV, JSON, CycloneDX or SPDX SBOM files")
    .argument('<organisation>', 'the organisation id')
    .argument('<files...>', 'inventory files')
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .action(async (organisation: string, files: string[], options: { db?: string }) => {
      await withStore(options.db, async (store) => {
        let added = 0;
        let issues = 0;
        for (const file of files) {
          const result = await importInventory(await readFile(file), file, organisation);
          for (const i of result.issues) process.stdout.write(`${terminalSafe(formatIssue(i))}\n`);
          issues += result.issues.length;
          added += (await store.advisories.addSoftware(result.items)).length;
        }
        process.stdout.write(`${added} entries added for ${terminalSafe(organisation)}, ${issues} rows refused\n`);
        setExit(issues > 0 ? 1 : 0);
      });
    });

  advisories
    .command('match')
    .description('which stored advisories affect which organisations, from their inventories')
    .option('--db <store>', 'SQLite file or postgres:// URL (default: vigil-data/vigil.db)')
    .option('--organisation <id>', 'only this organisation')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'jsonl']).default('table'))
    .action(async (options: { db?: string; organisation?: string; format: 'table' | 'jsonl' }) => {
      await withStore(options.db, async (store) => {
        const index = new InventoryIndex(await store.advisories.software(options.organisation));
        let n = 0;
        for await (const { id, document } of store.advisories.documents()) {
          const advisory = id.startsWith('cve:') ? cveToAdvisory(document) : csafToAdvisory(document);
          for (const m of index.match(advisory)) {
            n++;
            if (options.format === 'jsonl') process.stdout.write(`${JSON.stringify(m)}\n`);
            else
              process.stdout.write(
                terminalSafe(
                  `${m.organisationId}  ${m.advisoryId}  ${m.product.vendor} ${m.product.product} ${m.product.version || '(no version)'}  ${m.status}  ${m.versions}` +
                    `  CVSS3.1 ${m.cvss31?.base ?? '-'}  CVSS4.0 ${m.cvss40?.base ?? '-'}${m.exploited ? '  EXPLOITED' : ''}`,
                ) + '\n',
              );
          }
        }
        if (options.format === 'table') process.stdout.write(`${n} matches\n`);
      });
    });
}
