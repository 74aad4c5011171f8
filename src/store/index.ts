/** Opening a store: the embedded SQLite file by default (PostgreSQL joins with the team server). */
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';
import { SqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

export type * from './types.js';
export { SqliteStore } from './sqlite/index.js';

/** `sqlite:PATH`, a plain path, or nothing for `<dataDir>/vigil.db`. */
export function openStore(url: string | undefined, dataDir = 'vigil-data'): Store {
  if (url === undefined || url === '') return new SqliteStore(join(dataDir, 'vigil.db'));
  if (url.startsWith('sqlite:')) return new SqliteStore(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:/.test(url))
    throw new VigilError(
      'store.postgres.unavailable',
      'PostgreSQL stores arrive with the team server (vigil serve)',
    );
  return new SqliteStore(url);
}
