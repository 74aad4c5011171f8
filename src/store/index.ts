/** Opening a store: the embedded SQLite file by default, or PostgreSQL for a team server. */
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';
import { PostgresStore } from './postgres/index.js';
import { SqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

export type * from './types.js';
export { DEFAULT_INCIDENT_TLP } from './incident-handling.js';
export { weeklyIssueId } from './weekly-reports.js';
export { SqliteStore } from './sqlite/index.js';
export { PostgresStore } from './postgres/index.js';

/**
 * `postgres://…` (tables in schema `vigil`, or `?schema=NAME`), `sqlite:PATH`, a plain path, or
 * nothing for `<dataDir>/vigil.db`.
 */
export async function openStore(url: string | undefined, dataDir = 'vigil-data'): Promise<Store> {
  if (url === undefined || url === '') return new SqliteStore(join(dataDir, 'vigil.db'));
  if (url.startsWith('sqlite:')) return new SqliteStore(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? 'vigil';
    parsed.searchParams.delete('schema');
    try {
      return await PostgresStore.open({ url: parsed.toString(), schema });
    } catch (error) {
      throw new VigilError(
        'store.postgres.unreachable',
        `cannot open ${parsed.host}${parsed.pathname}: ${(error as Error).message}`,
      );
    }
  }
  return new SqliteStore(url);
}
