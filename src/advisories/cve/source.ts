/**
 * CVE records from where cvelistV5 puts them: one record file, a folder tree (`cves/<year>/<Nxxx>/CVE-….json`),
 * or a zip of that tree (the CVE Program's release zips hold the tree, or a `cves.zip` holding it: one level of
 * nesting is opened). Incremental: with `isNewer`, a record is yielded only when its cveMetadata.dateUpdated is
 * newer than what the caller already has, so a re-run over a fresh checkout reads everything but loads only
 * what changed.
 */
import { opendir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import yauzl from 'yauzl';
import { issue, type Issue } from '../../core/issue.js';
import { cveSummary, type CveSummary } from './record.js';

export interface CveFile {
  readonly file: string;
  readonly record: unknown;
  readonly summary: CveSummary;
}

export type CveSourceItem = CveFile | { readonly file: string; readonly issue: Issue } | { readonly file: string; readonly skipped: CveSummary };

export interface CveSourceOptions {
  /** Called with each record's id and dateUpdated; false skips the record (already loaded, not newer). */
  readonly isNewer?: (id: string, dateUpdated: string | undefined) => boolean;
}

const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 2_000_000;
const RECORD_NAME = /^CVE-\d{4}-\d{4,19}\.json$/;

function parse(bytes: Uint8Array, file: string, options: CveSourceOptions): CveSourceItem {
  let record: unknown;
  try {
    record = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return { file, issue: issue('cve.json', `not JSON: ${e instanceof Error ? e.message : String(e)}`, { file }) };
  }
  const summary = cveSummary(record);
  if (!summary) return { file, issue: issue('cve.record', 'no cveMetadata.cveId: not a CVE JSON 5 record', { file, path: '/cveMetadata/cveId' }) };
  if (options.isNewer && !options.isNewer(summary.id, summary.dateUpdated)) return { file, skipped: summary };
  return { file, record, summary };
}

async function* walk(dir: string): AsyncGenerator<string> {
  const handle = await opendir(dir);
  const entries: { name: string; isDir: boolean }[] = [];
  for await (const e of handle) entries.push({ name: e.name, isDir: e.isDirectory() });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDir) yield* walk(path);
    else if (RECORD_NAME.test(e.name)) yield path;
  }
}

function openZip(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (entry.uncompressedSize > limit) {
      reject(new Error(`entry is ${entry.uncompressedSize} bytes, over the ${limit} limit`));
      return;
    }
    zip.openReadStream(entry, (err, stream) => {
      if (err) {
        reject(err);
        return;
      }
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(parts)));
    });
  });
}

async function* zipRecords(buffer: Buffer, name: string, options: CveSourceOptions, nested: boolean): AsyncGenerator<CveSourceItem> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(buffer);
  } catch (e) {
    yield { file: name, issue: issue('cve.zip', e instanceof Error ? e.message : String(e), { file: name }) };
    return;
  }
  let count = 0;
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(undefined));
        zip.once('error', reject);
        zip.readEntry();
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (!entry) break;
      if (++count > MAX_ZIP_ENTRIES) {
        yield { file: name, issue: issue('cve.zip.entries', `more than ${MAX_ZIP_ENTRIES} entries; the rest skipped`, { file: name }) };
        break;
      }
      const inner = `${name}!${entry.fileName}`;
      const base = basename(entry.fileName);
      try {
        if (!nested && base.toLowerCase().endsWith('.zip')) {
          yield* zipRecords(await readEntry(zip, entry, 4 * 1024 * 1024 * 1024), inner, options, true);
        } else if (RECORD_NAME.test(base)) {
          yield parse(await readEntry(zip, entry, MAX_RECORD_BYTES), inner, options);
        }
      } catch (e) {
        yield { file: inner, issue: issue('cve.zip.entry', e instanceof Error ? e.message : String(e), { file: inner }) };
      }
    }
  } finally {
    zip.close();
  }
}

/** Every CVE record under `path` (a record, a folder tree or a zip), in path order. */
export async function* readCveSource(path: string, options: CveSourceOptions = {}): AsyncGenerator<CveSourceItem> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    yield { file: path, issue: issue('cve.path', e instanceof Error ? e.message : String(e), { file: path }) };
    return;
  }
  if (info.isDirectory()) {
    for await (const file of walk(path)) {
      const s = await stat(file);
      if (s.size > MAX_RECORD_BYTES) yield { file, issue: issue('cve.size', `record is ${s.size} bytes, over the limit`, { file }) };
      else yield parse(await readFile(file), file, options);
    }
  } else if (path.toLowerCase().endsWith('.zip')) {
    yield* zipRecords(await readFile(path), path, options, false);
  } else if (info.size > MAX_RECORD_BYTES) {
    yield { file: path, issue: issue('cve.size', `record is ${info.size} bytes, over the limit`, { file: path }) };
  } else {
    yield parse(await readFile(path), path, options);
  }
}

/** isNewer over a map of what is loaded: a record is newer when it has no entry or a later dateUpdated. */
export function newerThan(known: ReadonlyMap<string, string | undefined>): NonNullable<CveSourceOptions['isNewer']> {
  return (id, dateUpdated) => {
    if (!known.has(id)) return true;
    const had = known.get(id);
    if (dateUpdated === undefined || had === undefined) return dateUpdated !== had;
    return Date.parse(dateUpdated) > Date.parse(had);
  };
}
