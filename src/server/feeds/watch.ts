/**
 * Reports dropped into a folder, and abuse reports arriving as e-mail (a Maildir or a folder of .eml
 * files, read with the same reader as replies to notifications): each file is one run, then marked
 * taken (`.done`; `.failed` with the reason in the run when it could not be read).
 */
import { createReadStream } from 'node:fs';
import { readdir, rename, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { readMailFolder } from '../../notify/maildir.js';
import type { FeedRun, Store } from '../../store/index.js';
import type { FeedConfig, IntakeSettings } from './config.js';
import { intakeBody, parsersOf } from './run.js';

export interface WatchedFolder {
  readonly dir: string;
  /** The configured feed its files belong to; sniffed per file when absent. */
  readonly feed?: string;
}

function feedOf(settings: IntakeSettings, name: string | undefined, fallback: FeedConfig): FeedConfig {
  return (name !== undefined ? settings.feeds.find((f) => f.name === name) : undefined) ?? fallback;
}

export async function takeFolder(store: Store, settings: IntakeSettings, folder: WatchedFolder): Promise<FeedRun[]> {
  const feed = feedOf(settings, folder.feed, { name: folder.feed ?? `folder:${basename(folder.dir)}` });
  const parsers = parsersOf(settings);
  const runs: FeedRun[] = [];
  const names = (await readdir(folder.dir)).filter((n) => !n.startsWith('.') && !n.endsWith('.done') && !n.endsWith('.failed')).sort();
  for (const name of names) {
    const file = join(folder.dir, name);
    const info = await stat(file).catch(() => undefined);
    // A file still being written is taken on the next pass.
    if (!info?.isFile() || Date.now() - info.mtimeMs < 2000) continue;
    try {
      const { run } = await intakeBody(store, settings, feed, { body: createReadStream(file), fileName: name }, parsers);
      runs.push(run);
      await rename(file, `${file}.done`);
    } catch {
      const last = await store.intake.lastRun(feed.name);
      if (last) runs.push(last);
      await rename(file, `${file}.failed`).catch(() => undefined);
    }
  }
  return runs;
}

/** Abuse reports by e-mail: X-ARF attachments, feed attachments, or addresses in the text. */
export async function takeAbuseMail(store: Store, settings: IntakeSettings, dir: string): Promise<FeedRun[]> {
  const runs: FeedRun[] = [];
  const parsers = parsersOf(settings);
  const result = await readMailFolder(dir, async (raw, file) => {
    const { run } = await intakeBody(store, settings, { name: 'abuse-mail', parser: 'email' }, { body: Readable.from([raw]), fileName: basename(file) }, parsers);
    runs.push(run);
  });
  // A message that could not be taken has its failed run recorded by intakeBody; it stays in the folder.
  if (result.failed.length > 0) {
    const last = await store.intake.lastRun('abuse-mail', 'failed');
    if (last) runs.push(last);
  }
  return runs;
}
