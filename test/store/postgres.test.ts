// The PostgreSQL store against the same contract as SQLite, each test in a schema of its own on the
// local server (VIGIL_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test). Without a
// server the suite skips loudly; under CI=true a missing server fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { POSTGRES_URL, postgresProblem } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

const URL = POSTGRES_URL;

const problem = await postgresProblem();
if (problem !== null) {
  const message = `PostgreSQL at ${URL} is not reachable (${problem}): the PostgreSQL store contract is NOT tested`;
  if (process.env.CI === 'true') {
    test('PostgreSQL is reachable (required under CI)', () => assert.fail(message));
  } else {
    console.warn(`\n*** SKIPPED: ${message} ***\n`);
    test('postgres store contract', { skip: message }, () => undefined);
  }
} else {
  const schemas: string[] = [];
  storeContract('postgres', async () => {
    const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return PostgresStore.open({ url: URL, schema });
  });

  test('postgres: data survives reconnecting, and migrations run once', async () => {
    const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const first = await PostgresStore.open({ url: URL, schema });
    await first.events.add([
      { timestamp: 5, source: { kind: 'jsonl', file: 'a', line: 1 }, fields: { a: 1 } },
    ]);
    await first.close();
    const second = await PostgresStore.open({ url: URL, schema });
    assert.equal(await second.events.count(), 1);
    assert.equal(await second.schemaVersion(), POSTGRES_MIGRATIONS.at(-1)!.version);
    await second.close();
  });

  test.after(async () => {
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
}
