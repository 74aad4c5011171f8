/**
 * Replies from a mailbox folder: a Maildir (new mail in `new/`, moved to `cur/` once taken) or a
 * plain folder of `.eml` files (renamed to `.eml.done`). A message that cannot be taken stays where
 * it is, with the reason, and the rest are still read.
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FolderResult {
  readonly taken: string[];
  readonly failed: { readonly file: string; readonly reason: string }[];
}

const MAX_MESSAGE = 25 * 1024 * 1024;

export async function readMailFolder(
  dir: string,
  onMessage: (raw: Buffer, file: string) => Promise<void>,
): Promise<FolderResult> {
  const result: FolderResult = { taken: [], failed: [] };
  const isMaildir = await stat(join(dir, 'new')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const from = isMaildir ? join(dir, 'new') : dir;
  if (isMaildir) await mkdir(join(dir, 'cur'), { recursive: true });
  const names = (await readdir(from))
    .filter((n) => !n.startsWith('.') && (isMaildir || n.toLowerCase().endsWith('.eml')))
    .sort();
  for (const name of names) {
    const file = join(from, name);
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      if (info.size > MAX_MESSAGE) throw new Error(`larger than ${MAX_MESSAGE} bytes`);
      await onMessage(await readFile(file), file);
      // Maildir's "seen" flag on the way to cur/; a plain folder keeps the file, renamed.
      await rename(file, isMaildir ? join(dir, 'cur', `${name}:2,S`) : `${file}.done`);
      result.taken.push(file);
    } catch (error) {
      result.failed.push({ file, reason: (error as Error).message });
    }
  }
  return result;
}
