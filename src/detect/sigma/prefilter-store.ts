/**
 * Built bucket prefilters kept on disk between scans of one rule set: building a bucket's automata
 * costs more CPU than the rest of a small scan's start-up, and the same buckets (Sysmon 1, Security
 * 4688 …) are met scan after scan. The folder must be named for exactly one compiled rule set (the
 * rule cache's file plus the rules switched off); each record also holds its bucket's key and item
 * count, and anything unreadable or different is built again.
 *
 *   compileRuleSet(load, mapping, { prefilterStore: new PrefilterStore(join(cacheDir, 'prefilters-…')) });
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { writeFileWhole } from '../../core/files.js';
import type { BucketState } from './prefilter.js';

interface StoredBucket {
  readonly key: string;
  readonly items: number;
  readonly state: BucketState;
}

export class PrefilterStore {
  readonly #dir: string;
  /** Buckets read from disk and written to it, for the scan's figures and tests. */
  read = 0;
  written = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  load(key: string, items: number): BucketState | undefined {
    try {
      const stored = deserialize(readFileSync(this.#file(key))) as StoredBucket;
      if (stored.key !== key || stored.items !== items) return undefined;
      this.read++;
      return stored.state;
    } catch {
      return undefined; // not stored yet, or unreadable: built again
    }
  }

  save(key: string, items: number, state: BucketState): void {
    try {
      mkdirSync(this.#dir, { recursive: true });
      const file = this.#file(key);
      writeFileWhole(file, serialize({ key, items, state } satisfies StoredBucket));
      this.written++;
    } catch {
      // A store that cannot be written only costs speed.
    }
  }

  #file(key: string): string {
    return join(this.#dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.v8`);
  }
}
