// The local PostgreSQL for tests (VIGIL_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test):
// whether it answers, and a store in a fresh schema of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/index.js';

export const POSTGRES_URL = process.env.VIGIL_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Null when the server answers; otherwise why not. */
export async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function openTestPostgres(): Promise<{
  store: PostgresStore;
  storeUrl: string;
  drop(): Promise<void>;
}> {
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  const store = await PostgresStore.open({ url: POSTGRES_URL, schema });
  return {
    store,
    storeUrl: `${POSTGRES_URL}?schema=${schema}`,
    async drop() {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
