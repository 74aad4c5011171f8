/**
 * Evidence in: walk files and folders, open archives (.zip, .gz), sniff each file's format by its
 * content, and read it with the right reader — one ReadResult per record, issues instead of aborts.
 *
 *   for await (const item of walkEvidence(['case-42/'])) {
 *     if (item.file === null) report(item.issue);
 *     else for await (const r of item.records) …   // consume before asking for the next file
 *   }
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';
import type { ReadResult } from '../core/reader.js';
import { readCsv } from './csv/reader.js';
import { readEvtxBytes, readEvtxFile } from './evtx/index.js';
import { jsonLines } from './json-lines.js';
import { jsonValues, type JsonItem } from './json-values.js';
import { readJsonLines } from './jsonl/reader.js';
import { sniffFormat, sniffText, type EvidenceFormat, type JsonLayout } from './sniff.js';
import { readSuricata } from './suricata/reader.js';
import { isGzip, readHead, textPieces, type ByteSource } from './text-stream.js';
import { readW3c } from './w3c/reader.js';
import { readWindowsJson } from './winjson/reader.js';
import { readZeekJson, readZeekTsv } from './zeek/reader.js';

export type { EvidenceFormat } from './sniff.js';
export { sniffFormat } from './sniff.js';

export interface EvidenceFile {
  readonly path: string;
  readonly format: EvidenceFormat;
  readonly size?: number;
}

export interface EvidenceOptions {
  readonly recover?: boolean;
}

export type EvidenceItem =
  | { readonly file: EvidenceFile; readonly records: AsyncGenerator<ReadResult> }
  | { readonly file: null; readonly issue: Issue };

/** Archive limits: an archive bomb is an issue, not an outage. */
const MAX_ENTRY_BYTES = 1024 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024;
const MAX_ENTRIES = 100_000;

interface Opened {
  readonly format: EvidenceFormat;
  readonly layout?: JsonLayout;
}

async function headText(source: ByteSource): Promise<string> {
  // For gzip, inflate just enough of the start to sniff.
  let text = '';
  for await (const piece of textPieces(source)) {
    text += piece;
    if (text.length >= 16384) break;
  }
  return text;
}

async function sniffSource(source: ByteSource): Promise<Opened | 'zip' | null> {
  const head = await readHead(source, 8192);
  const sniffed = sniffFormat(head);
  if (sniffed === 'zip') return 'zip';
  if (sniffed === 'evtx') return { format: 'evtx' };
  if (sniffed === 'gzip' || sniffed !== null) {
    if (sniffed === 'gzip') {
      // A gzip of an .evtx: look at the inflated magic.
      const inflated = await headText(source);
      if (inflated.startsWith('ElfFile')) return { format: 'evtx' };
      const text = sniffText(inflated);
      return text ? { format: text.format, ...(text.layout ? { layout: text.layout } : {}) } : null;
    }
    const text = sniffText(new TextDecoder().decode(head));
    return { format: sniffed, ...(text?.layout ? { layout: text.layout } : {}) };
  }
  return null;
}

function jsonItems(source: ByteSource, layout: JsonLayout | undefined): AsyncGenerator<JsonItem> {
  return layout === 'values' ? jsonValues(source) : jsonLines(source);
}

function readerFor(
  opened: Opened,
  source: ByteSource,
  name: string,
  options: EvidenceOptions,
): AsyncGenerator<ReadResult> {
  switch (opened.format) {
    case 'evtx':
      if ('path' in source)
        return readEvtxFile(source.path, { displayName: name, recover: options.recover ?? false });
      return readEvtxBytes(source.bytes, { displayName: name, recover: options.recover ?? false });
    case 'evtx-json':
    case 'winjson':
    case 'ecs':
      return readWindowsJson(jsonItems(source, opened.layout), name);
    case 'w3c':
      return readW3c(source, name);
    case 'zeek':
      return readZeekTsv(source, name);
    case 'zeek-json':
      return readZeekJson(jsonItems(source, opened.layout), name);
    case 'suricata':
      return readSuricata(jsonItems(source, opened.layout), name);
    case 'jsonl':
      return readJsonLines(jsonItems(source, opened.layout), name);
    case 'csv':
      return readCsv(source, name);
  }
}

async function* gunzipEvtx(
  source: ByteSource,
  name: string,
  options: EvidenceOptions,
): AsyncGenerator<ReadResult> {
  // EVTX needs random access by chunk; a gzipped one is inflated into memory first.
  const bytes =
    'bytes' in source
      ? source.bytes
      : new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(source.path)));
  yield* readEvtxBytes(isGzip(bytes) ? gunzipSync(bytes, { maxOutputLength: MAX_ENTRY_BYTES }) : bytes, {
    displayName: name,
    recover: options.recover ?? false,
  });
}

/** Records of one file of any supported format (not an archive). */
export async function* readEvidenceFile(
  path: string,
  options: EvidenceOptions = {},
): AsyncGenerator<ReadResult> {
  for await (const item of walkEvidence([path], options)) {
    if (item.file === null) yield { ok: false, issue: item.issue };
    else yield* item.records;
  }
}

async function* openSource(
  source: ByteSource,
  name: string,
  size: number | undefined,
  options: EvidenceOptions,
  depth: number,
): AsyncGenerator<EvidenceItem> {
  let opened: Opened | 'zip' | null;
  try {
    opened = await sniffSource(source);
  } catch (error) {
    yield { file: null, issue: issue('ingest.file.unreadable', (error as Error).message, { file: name }) };
    return;
  }
  if (opened === 'zip') {
    if (depth > 1) {
      yield {
        file: null,
        issue: issue('ingest.zip.nested', 'archive nested more than one level deep skipped', { file: name }),
      };
      return;
    }
    yield* zipEntries(source, name, options, depth + 1);
    return;
  }
  if (opened === null) {
    yield {
      file: null,
      issue: issue(
        'ingest.format.unknown',
        'not a format Vigil reads (EVTX, Windows JSON, W3C, Zeek, Suricata, JSON lines, CSV); skipped',
        { file: name },
        'warning',
      ),
    };
    return;
  }
  const head = await readHead(source, 2);
  const records =
    opened.format === 'evtx' && isGzip(head)
      ? gunzipEvtx(source, name, options)
      : readerFor(opened, source, name, options);
  yield { file: { path: name, format: opened.format, ...(size !== undefined ? { size } : {}) }, records };
}

async function* zipEntries(
  source: ByteSource,
  name: string,
  options: EvidenceOptions,
  depth: number,
): AsyncGenerator<EvidenceItem> {
  const buffer =
    'bytes' in source
      ? Buffer.from(source.bytes)
      : await import('node:fs/promises').then((fs) => fs.readFile(source.path));
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (err, z) =>
      err ? reject(err) : resolve(z),
    ),
  ).catch((error: unknown) => error as Error);
  if (zip instanceof Error) {
    yield { file: null, issue: issue('ingest.zip.invalid', zip.message, { file: name }) };
    return;
  }
  let total = 0;
  let count = 0;
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', resolve);
    zip.readEntry();
  });
  for (const entry of entries) {
    if (entry.fileName.endsWith('/')) continue;
    const inner = `${name}!${entry.fileName}`;
    if (++count > MAX_ENTRIES) {
      yield {
        file: null,
        issue: issue('ingest.zip.entries', `more than ${MAX_ENTRIES} entries; the rest skipped`, {
          file: name,
        }),
      };
      break;
    }
    total += entry.uncompressedSize;
    if (entry.uncompressedSize > MAX_ENTRY_BYTES || total > MAX_ARCHIVE_BYTES) {
      yield {
        file: null,
        issue: issue(
          'ingest.zip.too-large',
          `entry of ${entry.uncompressedSize} bytes exceeds the archive limits`,
          { file: inner },
        ),
      };
      continue;
    }
    const bytes = await new Promise<Buffer | Error>((resolve) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return resolve(err);
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('end', () => resolve(Buffer.concat(parts)));
        stream.on('error', (e) => resolve(e));
      });
    });
    if (bytes instanceof Error) {
      yield { file: null, issue: issue('ingest.zip.entry', bytes.message, { file: inner }) };
      continue;
    }
    yield* openSource(
      { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) },
      inner,
      bytes.length,
      options,
      depth,
    );
  }
  zip.close();
}

/** Every file under the paths, sniffed; per file its records. Unknown or unreadable files come as an issue. */
export async function* walkEvidence(
  paths: readonly string[],
  options: EvidenceOptions = {},
): AsyncGenerator<EvidenceItem> {
  const seen = new Set<string>();
  async function* visit(path: string, depth: number): AsyncGenerator<EvidenceItem> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      yield { file: null, issue: issue('ingest.path.unreadable', (error as Error).message, { file: path }) };
      return;
    }
    const key = `${info.dev}:${info.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (info.isDirectory()) {
      if (depth > 64) return;
      let names: string[];
      try {
        names = (await readdir(path)).sort();
      } catch (error) {
        yield {
          file: null,
          issue: issue('ingest.path.unreadable', (error as Error).message, { file: path }),
        };
        return;
      }
      for (const name of names) yield* visit(join(path, name), depth + 1);
      return;
    }
    if (!info.isFile()) return;
    if (info.size === 0) return;
    yield* openSource({ path }, path, info.size, options, 0);
  }
  for (const path of paths) yield* visit(path, 0);
}
