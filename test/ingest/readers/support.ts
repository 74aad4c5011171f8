// Shared by the reader tests: read everything walkEvidence yields, temp folders, and zip archives
// written and read by hand (deflate from node:zlib) so the counts never depend on the reader's unzip.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Event } from '../../../src/core/event.js';
import type { Issue } from '../../../src/core/issue.js';
import { walkEvidence } from '../../../src/ingest/index.js';

export interface FileRead {
  /** The sniffed format, or 'none' when walkEvidence gave only an issue for the path. */
  readonly format: string;
  readonly events: Event[];
  readonly issues: Issue[];
}

/** Every file under the paths, by the path walkEvidence names it (`a.zip!inner/x.log` inside archives). */
export async function readAll(paths: string | readonly string[]): Promise<Map<string, FileRead>> {
  const out = new Map<string, FileRead>();
  for await (const item of walkEvidence(typeof paths === 'string' ? [paths] : paths)) {
    if (item.file === null) {
      const key = item.issue.file;
      const known = out.get(key);
      if (known) known.issues.push(item.issue);
      else out.set(key, { format: 'none', events: [], issues: [item.issue] });
      continue;
    }
    const read: FileRead = { format: item.file.format, events: [], issues: [] };
    for await (const r of item.records) {
      if (r.ok) read.events.push(r.event);
      else read.issues.push(r.issue);
    }
    out.set(item.file.path, read);
  }
  return out;
}

/** The one file at `path`; fails when walkEvidence named it differently or yielded more. */
export async function readOne(path: string): Promise<FileRead> {
  const all = await readAll(path);
  const read = all.get(path);
  if (!read || all.size !== 1) throw new Error(`expected exactly ${path}, got ${[...all.keys()].join(', ')}`);
  return read;
}

/** A fresh folder under the OS temp dir, removed when the test file ends. */
export function tempDir(prefix = 'vigil-readers-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A .zip of the entries (deflated), in order; names may hold folders (`logs/conn.log`). */
export function zip(entries: Readonly<Record<string, string | Uint8Array>>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The entries of a .zip (stored or deflated), read through its central directory. */
export function unzip(archive: Buffer): Map<string, Buffer> {
  let end = archive.length - 22;
  while (end >= 0 && archive.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('no end of central directory');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = archive.readUInt16LE(at + 10);
    const packedSize = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28);
    const packed = archive.subarray(dataAt, dataAt + packedSize);
    if (!name.endsWith('/')) out.set(name, method === 8 ? inflateRawSync(packed) : Buffer.from(packed));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

/** Non-empty lines that are not `#` comments: Zeek TSV data lines, JSON lines. */
export function dataLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}
