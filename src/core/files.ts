/** File writing the caches share. */
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes the file whole under another name, then renames it: a reader (another thread or process of
 * the same scan) never sees half a file. Throws as writeFileSync does.
 */
export function writeFileWhole(file: string, data: NodeJS.ArrayBufferView): void {
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}
