// The team server on PostgreSQL: sign-in, an upload ingested by the worker thread into the same
// PostgreSQL schema, incidents labelled and scoped, the audit log — as on SQLite. Skips loudly without
// a server (VIGIL_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test); fails under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/store/index.js';
import { POSTGRES_URL, postgresProblem } from '../helpers/postgres.js';
import { addUser, multipart, signIn, startTestServer } from './support.js';

const URL = POSTGRES_URL;
const DEMO = join(import.meta.dirname, '../../demo/evidence');

const problem = await postgresProblem();
if (problem !== null && process.env.CI === 'true') {
  test('PostgreSQL is reachable (required under CI)', () => assert.fail(`PostgreSQL at ${URL}: ${problem}`));
} else if (problem !== null) {
  console.warn(
    `\n*** SKIPPED: PostgreSQL at ${URL} is not reachable (${problem}): the server on PostgreSQL is NOT tested ***\n`,
  );
  test('team server on PostgreSQL', { skip: problem }, () => undefined);
} else {
  test('team server on PostgreSQL: upload → worker ingest → incidents, scoping and audit in one schema', async () => {
    const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
    const storeUrl = `${URL}?schema=${schema}`;
    const store = await PostgresStore.open({ url: URL, schema });
    const rule = join(import.meta.dirname, '../fixtures/rules/psexec-service.yml');
    const t = await startTestServer({ store, storeUrl, runJobs: true, rulePaths: [] });
    try {
      await t.server.context.rules.upload(readFileSync(rule, 'utf8'));
      await addUser(store, 'ana', 'analyst', 'AMBER');
      await addUser(store, 'boss', 'coordinator', 'AMBER+STRICT');
      await addUser(store, 'con', 'constituent', 'GREEN', 'ACME');
      const ana = await signIn(t.server, 'ana');
      const { body, contentType } = multipart([
        { name: 'windows-events.jsonl', content: readFileSync(join(DEMO, 'windows-events.jsonl')) },
      ]);
      const job = (await ana.request('POST', '/api/evidence', body, { 'content-type': contentType })).json<{
        id: string;
      }>();
      await new Promise((r) => setTimeout(r, 100));
      await t.server.context.jobs.whenIdle();
      const done = await store.jobs.get(job.id);
      assert.equal(done?.status, 'done');
      assert.ok((done?.detections ?? 0) > 0);
      assert.equal(await store.events.count(), done?.records);
      await store.incidents.put({
        id: 'INC-PG',
        title: 'pg',
        firstSeen: 1,
        lastSeen: 2,
        detectionIds: [],
        analysis: {},
      });
      const boss = await signIn(t.server, 'boss');
      assert.equal(
        (await boss.request('PATCH', '/api/incidents/INC-PG', { tlp: 'GREEN', organisation: 'ACME' }))
          .statusCode,
        200,
      );
      const con = await signIn(t.server, 'con');
      assert.deepEqual(
        (await con.request('GET', '/api/incidents')).json<{ id: string }[]>().map((i) => i.id),
        ['INC-PG'],
      );
      assert.equal((await con.request('GET', '/api/events')).statusCode, 403);
      // A case from the incident, moved and commented, its figures, and a reply matched by its ticket.
      const opened = await boss.request('POST', '/api/cases', {
        from: { incident: 'INC-PG' },
        rsitClass: 'intrusions',
      });
      assert.equal(opened.statusCode, 201, opened.body);
      const kase = opened.json<{ id: string; ticket: string; organisations: string[] }>();
      assert.deepEqual(kase.organisations, ['ACME']);
      assert.equal(
        (await boss.request('POST', `/api/cases/${kase.id}/transition`, { to: 'in-progress' })).statusCode,
        200,
      );
      assert.equal(
        (await con.request('POST', `/api/cases/${kase.id}/comments`, { text: 'on it' })).statusCode,
        201,
      );
      const reply = `From: soc@acme.example\r\nSubject: Re: [${kase.ticket}]\r\n\r\ncleaned\r\n`;
      assert.equal(
        (await boss.request('POST', '/api/inbox', reply, { 'content-type': 'message/rfc822' })).statusCode,
        200,
      );
      const detail = (await boss.request('GET', `/api/cases/${kase.id}`)).json<{
        comments: { author: string }[];
      }>();
      assert.deepEqual(
        detail.comments.map((c) => c.author),
        ['con', 'soc@acme.example'],
      );
      const now = Date.now();
      const figures = (
        await boss.request(
          'GET',
          `/api/figures?from=${new Date(now - 60_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}`,
        )
      ).json<{ opened: { ids: string[] } }>();
      assert.deepEqual(figures.opened.ids, [kase.id]);
      const actions = (await store.audit.list()).map((e) => e.action);
      assert.ok(actions.includes('evidence.uploaded') && actions.includes('incident.labelled'));
    } finally {
      await t.close();
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
}
