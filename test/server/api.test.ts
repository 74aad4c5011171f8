// The team server's API: first start, sessions and CSRF, sign-in limits, tokens, the audit log,
// hostile input on every kind of route, uploads as ingest jobs with live progress, rules and hunts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAdmin } from '../../src/server/bootstrap.js';
import { SqliteStore } from '../../src/store/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';
import { zip } from '../ingest/readers/support.js';
import { addUser, multipart, PASSWORD, signIn, startTestServer, withToken } from './support.js';

const DEMO = join(import.meta.dirname, '../../demo/evidence');

test('first start: a generated one-time admin password, nothing allowed until it is changed; no default credentials', async () => {
  const t = await startTestServer();
  try {
    const refused = await t.server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'admin' },
    });
    assert.equal(refused.statusCode, 401);
    const first = await ensureAdmin(t.store, undefined);
    assert.ok(first?.oneTimePassword && first.oneTimePassword.length >= 20);
    assert.equal(await ensureAdmin(t.store, undefined), undefined, 'only on the first start');
    const admin = await signIn(t.server, 'admin', first.oneTimePassword);
    const blocked = await admin.request('GET', '/api/users');
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json<{ error: string }>().error, 'password-change-required');
    assert.equal(
      (await admin.request('POST', '/api/auth/password', { current: first.oneTimePassword, new: 'short' }))
        .statusCode,
      400,
    );
    assert.equal(
      (await admin.request('POST', '/api/auth/password', { current: first.oneTimePassword, new: PASSWORD }))
        .statusCode,
      204,
    );
    // Changing the password ended every session, this one too.
    assert.equal((await admin.request('GET', '/api/auth/me')).statusCode, 401);
    const again = await signIn(t.server, 'admin', PASSWORD);
    assert.equal((await again.request('GET', '/api/users')).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('an admin password from the environment is not one-time, and must be long enough', async () => {
  const store = new SqliteStore(':memory:');
  await assert.rejects(ensureAdmin(store, 'short'), /at least 12/);
  assert.deepEqual(await ensureAdmin(store, PASSWORD), { username: 'admin' });
  assert.equal((await store.accounts.userByName('admin'))?.mustChangePassword, false);
  await store.close();
});

test('sessions: HttpOnly SameSite cookies; every change needs the CSRF token; logout ends the session', async () => {
  const t = await startTestServer();
  try {
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    const login = await t.server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'ana', password: PASSWORD },
    });
    const session = login.cookies.find((c) => c.name === 'vigil_session')!;
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    const csrf = login.json<{ csrfToken: string }>().csrfToken;
    const cookie = `vigil_session=${session.value}`;
    const rule = { yaml: 'title: t\nlogsource: {product: windows}\ndetection: {s: {a: b}, condition: s}\n' };
    const noToken = await t.server.app.inject({
      method: 'POST',
      url: '/api/rules/validate',
      headers: { cookie },
      payload: rule,
    });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json<{ error: string }>().error, 'csrf');
    const wrong = await t.server.app.inject({
      method: 'POST',
      url: '/api/rules/validate',
      headers: { cookie, 'x-csrf-token': `${csrf}x` },
      payload: rule,
    });
    assert.equal(wrong.statusCode, 403);
    const right = await t.server.app.inject({
      method: 'POST',
      url: '/api/rules/validate',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: rule,
    });
    assert.equal(right.statusCode, 200);
    assert.equal(
      (await t.server.app.inject({ method: 'GET', url: '/api/jobs', headers: { cookie } })).statusCode,
      200,
      'reads need no CSRF token',
    );
    assert.equal(
      (
        await t.server.app.inject({
          method: 'POST',
          url: '/api/auth/logout',
          headers: { cookie, 'x-csrf-token': csrf },
        })
      ).statusCode,
      204,
    );
    assert.equal(
      (await t.server.app.inject({ method: 'GET', url: '/api/jobs', headers: { cookie } })).statusCode,
      401,
    );
  } finally {
    await t.close();
  }
});

test('sign-in is rate-limited per account and address; failures are audited', async () => {
  const t = await startTestServer();
  try {
    await addUser(t.store, 'limited', 'analyst', 'AMBER');
    const attempt = (password: string) =>
      t.server.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'limited', password },
      });
    for (let i = 0; i < 5; i++) assert.equal((await attempt('wrong password!')).statusCode, 401);
    const blocked = await attempt(PASSWORD);
    assert.equal(blocked.statusCode, 429, 'even the right password waits');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    const failed = (await t.store.audit.list()).filter((e) => e.action === 'auth.login-failed');
    assert.equal(failed.length, 5);
  } finally {
    await t.close();
  }
});

test('API tokens: shown once, hashed at rest, scoped to at most the role, revocable', async () => {
  const t = await startTestServer();
  try {
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    const ana = await signIn(t.server, 'ana');
    assert.equal(
      (await ana.request('POST', '/api/tokens', { name: 'x', scopes: ['users:manage'] })).statusCode,
      400,
    );
    const created = await ana.request('POST', '/api/tokens', {
      name: 'hunting script',
      scopes: ['events:read'],
    });
    assert.equal(created.statusCode, 201);
    const { token, info } = created.json<{ token: string; info: { id: string } }>();
    assert.match(token, /^vgl_/);
    const stored = await t.store.accounts.getToken(info.id);
    assert.notEqual(stored?.tokenHash, token);
    assert.ok(!(await ana.request('GET', '/api/tokens')).body.includes(token));
    const script = withToken(t.server, 'ana', token);
    assert.equal((await script.request('GET', '/api/events')).statusCode, 200);
    assert.equal((await script.request('GET', '/api/incidents')).statusCode, 403, 'not in its scope');
    assert.equal(
      (await script.request('POST', '/api/tokens', { name: 'more' })).statusCode,
      403,
      'tokens do not mint tokens',
    );
    assert.equal((await ana.request('DELETE', `/api/tokens/${info.id}`)).statusCode, 200);
    assert.equal((await script.request('GET', '/api/events')).statusCode, 401);
    assert.equal(
      (await withToken(t.server, 'x', 'vgl_forged').request('GET', '/api/events')).statusCode,
      401,
    );
  } finally {
    await t.close();
  }
});

test('every change is audited with who, what, before and after; no route changes the log', async () => {
  const t = await startTestServer();
  try {
    await addUser(t.store, 'root', 'admin', 'RED');
    const admin = await signIn(t.server, 'root');
    const created = await admin.request('POST', '/api/users', {
      username: 'con',
      password: PASSWORD,
      role: 'constituent',
      organisation: 'ACME',
    });
    assert.equal(created.statusCode, 201);
    const id = created.json<{ id: string }>().id;
    await admin.request('PATCH', `/api/users/${id}`, { tlpClearance: 'AMBER' });
    const log = (await admin.request('GET', '/api/audit')).json<
      {
        actor: string;
        action: string;
        before: { tlpClearance?: string } | null;
        after: { tlpClearance?: string } | null;
      }[]
    >();
    const change = log.find((e) => e.action === 'user.changed');
    assert.equal(change?.actor, 'root');
    assert.equal(change?.before?.tlpClearance, 'GREEN');
    assert.equal(change?.after?.tlpClearance, 'AMBER');
    assert.ok(!JSON.stringify(log).includes('scrypt$'), 'no password hash in the log');
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'])
      assert.equal((await admin.request(method, '/api/audit', {})).statusCode, 404);
    assert.equal(
      (await admin.request('POST', '/api/users', { username: 'c2', password: PASSWORD, role: 'constituent' }))
        .statusCode,
      400,
      'a constituent needs its organisation',
    );
  } finally {
    await t.close();
  }
});

test('hostile input: malformed JSON, oversized bodies, unknown fields, wrong types, traversal names — 4xx, never a 500 or a stack', async () => {
  const t = await startTestServer({ maxUploadBytes: 1024 });
  try {
    await addUser(t.store, 'root', 'admin', 'RED');
    const admin = await signIn(t.server, 'root');
    const json = { 'content-type': 'application/json' };
    const cases: [string, string, unknown, Record<string, string>?][] = [
      ['POST', '/api/users', '{"username": "x",', json],
      ['POST', '/api/users', '[]', json],
      ['POST', '/api/users', '"a string"', json],
      ['POST', '/api/users', { username: 'x', password: PASSWORD, role: 'analyst', isAdmin: true }],
      ['POST', '/api/users', { username: 'x', password: PASSWORD, role: 'god' }],
      ['POST', '/api/users', { username: '../../etc', password: PASSWORD, role: 'analyst' }],
      ['POST', '/api/users', { username: 'x', password: 12345678901234, role: 'analyst' }],
      ['POST', '/api/users', { username: 'x\u0000y', password: PASSWORD, role: 'analyst' }],
      ['PATCH', '/api/users/nobody', { disabled: 'yes' }],
      ['PATCH', '/api/rules/x', { enabled: 'true' }],
      ['POST', '/api/hunts', { rule: 42 }],
      ['POST', '/api/hunts', { rule: 'x', within: { from: 'not a time' } }],
      ['POST', '/api/rules', { yaml: 'title: [unclosed' }],
      ['POST', '/api/rules', { yaml: 'x'.repeat(2 * 1024 * 1024) }],
      ['GET', '/api/events?limit=abc', undefined],
      ['GET', '/api/events?limit=99999999', undefined],
      ['GET', '/api/events?from=yesterday', undefined],
      ['GET', '/api/events?after=garbage', undefined],
      ['GET', `/api/events?host=${'A'.repeat(5000)}`, undefined],
      ['GET', '/api/events?unknown=1', undefined],
      ['GET', '/api/jobs/%00', undefined],
      ['GET', '/api/incidents/..%2F..%2Fetc%2Fpasswd', undefined],
      ['POST', '/api/evidence', { not: 'multipart' }],
      [
        'POST',
        '/api/auth/login',
        'username=admin&password=x',
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
    ];
    for (const [method, url, payload, headers] of cases) {
      const r = await admin.request(method, url, payload, headers);
      const where = `${method} ${url.slice(0, 60)} ${JSON.stringify(payload)?.slice(0, 60)}`;
      assert.ok(
        r.statusCode >= 400 && r.statusCode < 500,
        `${where}: ${r.statusCode} ${r.body.slice(0, 200)}`,
      );
      const body = r.json<{ error?: string; message?: string; stack?: unknown }>();
      assert.equal(typeof body.message, 'string', where);
      assert.equal(body.stack, undefined, where);
      assert.ok(!/at .*\.(ts|js):\d+/.test(r.body), `${where}: no stack trace`);
    }
    // An upload over the limit is refused whole and leaves nothing behind.
    const big = multipart([{ name: 'big.log', content: 'x'.repeat(4096) }]);
    const r = await admin.request('POST', '/api/evidence', big.body, { 'content-type': big.contentType });
    assert.equal(r.statusCode, 413);
    assert.deepEqual(await t.store.jobs.list(), []);
    assert.deepEqual(readdirSync(join(t.dataDir, 'evidence')), []);
    // Names that try to leave the job folder land inside it, as plain names.
    const evil = multipart([
      { name: '../../../../tmp/evil.log', content: 'x' },
      { name: '..\\..\\win.ini', content: 'y' },
      { name: '.hidden', content: 'z' },
    ]);
    const job = (
      await admin.request('POST', '/api/evidence', evil.body, { 'content-type': evil.contentType })
    ).json<{ paths: string[] }>();
    assert.equal(job.paths.length, 3);
    for (const p of job.paths) {
      assert.ok(p.startsWith(join(t.dataDir, 'evidence')), p);
      assert.ok(
        !p
          .slice(join(t.dataDir, 'evidence').length + 1)
          .split('/')[1]
          ?.startsWith('.'),
        p,
      );
    }
    assert.deepEqual(
      job.paths.map((p) => p.split('/').pop()),
      ['000-evil.log', '001-win.ini', '002-hidden'],
    );
  } finally {
    await t.close();
  }
});

test('the OpenAPI document describes every route with a summary and its schemas', async () => {
  const t = await startTestServer();
  try {
    const doc = (await t.server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, Record<string, { summary?: string; responses?: object }>>;
    }>();
    assert.match(doc.openapi, /^3\./);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        op,
      })),
    );
    // The web UI's page and bundles (GET /, /assets/*) are not part of the API.
    const expected = t.server.routes
      .filter((r) => r !== 'GET /api/openapi.json' && r.split(' ')[1]!.startsWith('/api/'))
      .sort();
    assert.deepEqual(documented.map((d) => d.route).sort(), expected);
    for (const { route, op } of documented) {
      assert.ok(op.summary, `${route} has a summary`);
      assert.ok(op.responses, `${route} has responses`);
    }
    assert.ok(
      doc.paths['/api/users']?.post &&
        JSON.stringify(doc.paths['/api/users'].post).includes('"additionalProperties":false'),
    );
  } finally {
    await t.close();
  }
});

test('upload → ingest job in a worker: progress as server-sent events, events stored once, detections and incidents', async () => {
  const rules = join(SHARED_DATA, 'sigma', 'rules');
  const t = await startTestServer({ runJobs: true, rulePaths: [join(rules, 'windows'), join(rules, 'web')] });
  try {
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    const ana = await signIn(t.server, 'ana');
    const files = readdirSync(DEMO).map((name) => ({ name, content: readFileSync(join(DEMO, name)) }));
    const { body, contentType } = multipart(files);
    const upload = await ana.request('POST', '/api/evidence', body, { 'content-type': contentType });
    assert.equal(upload.statusCode, 202);
    const job = upload.json<{ id: string; status: string }>();
    // The progress stream ends by itself when the job does; its last event is the finished job.
    const stream = await ana.request('GET', `/api/jobs/${job.id}/progress`);
    assert.equal(stream.headers['content-type'], 'text/event-stream');
    const events = stream.body
      .split('\n\n')
      .filter(Boolean)
      .map(
        (e) => JSON.parse(e.split('data: ')[1]!) as { status: string; records: number; detections: number },
      );
    const last = events.at(-1)!;
    assert.equal(last.status, 'done', stream.body.slice(-400));
    assert.ok(events.length >= 2);
    const stored = await t.store.events.count();
    assert.equal(stored, last.records, 'every record stored');
    assert.ok(last.detections > 0);
    const incidents = (await ana.request('GET', '/api/incidents')).json<{ id: string; tlp: string }[]>();
    assert.ok(incidents.length >= 1);
    assert.equal(incidents[0]?.tlp, 'AMBER');
    // The same evidence again, as a rerun: nothing is stored twice.
    assert.equal((await ana.request('POST', `/api/jobs/${job.id}/rerun`)).statusCode, 200);
    await new Promise((r) => setTimeout(r, 100));
    await t.server.context.jobs.whenIdle();
    assert.equal((await t.store.jobs.get(job.id))?.status, 'done');
    assert.equal(await t.store.events.count(), stored);
    // Hunt over what was stored, and pivot on a host it names.
    const hunt = await ana.request('POST', '/api/hunts', {
      rule: "title: cmd\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s: {Image|endswith: '\\cmd.exe'}\n  condition: s\nlevel: high\n",
    });
    assert.equal(hunt.statusCode, 200);
    assert.ok(hunt.json<{ detections: unknown[] }>().detections.length > 0);
  } finally {
    await t.close();
  }
});

test('rules: a switched-off rule stays out of the next ingest; an uploaded rule is used; a broken one is refused with its line', async () => {
  const t = await startTestServer({ runJobs: true });
  try {
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    const ana = await signIn(t.server, 'ana');
    const yaml = `title: PsExec service on a workstation
id: 5f1c7c7e-1111-4111-8111-000000000001
logsource: {product: windows, service: system}
detection:
  s: {EventID: 7045, ServiceName: PSEXESVC}
  condition: s
level: high
`;
    const broken = await ana.request('POST', '/api/rules', {
      yaml: 'title: x\ndetection:\n  condition: nothing\n',
    });
    assert.equal(broken.statusCode, 400);
    const up = await ana.request('POST', '/api/rules', { yaml });
    assert.equal(up.statusCode, 201);
    const listed = (await ana.request('GET', '/api/rules?q=psexec')).json<{
      total: number;
      rules: { id: string; uploaded: boolean; enabled: boolean }[];
    }>();
    assert.equal(listed.total, 1);
    assert.deepEqual([listed.rules[0]?.uploaded, listed.rules[0]?.enabled], [true, true]);
    const ingest = async (): Promise<number> => {
      const { body, contentType } = multipart([
        { name: 'windows-events.jsonl', content: readFileSync(join(DEMO, 'windows-events.jsonl')) },
      ]);
      const job = (await ana.request('POST', '/api/evidence', body, { 'content-type': contentType })).json<{
        id: string;
      }>();
      await new Promise((r) => setTimeout(r, 50));
      await t.server.context.jobs.whenIdle();
      return (await t.store.jobs.get(job.id))!.detections;
    };
    assert.ok((await ingest()) > 0);
    assert.equal(
      (await ana.request('PATCH', '/api/rules/5f1c7c7e-1111-4111-8111-000000000001', { enabled: false }))
        .statusCode,
      200,
    );
    assert.equal(await ingest(), 0);
  } finally {
    await t.close();
  }
});

test('a running ingest job is cancelled at its next batch, keeps what it stored, stores no detections, and can be rerun', async () => {
  const rules = join(SHARED_DATA, 'sigma', 'rules');
  const t = await startTestServer({ runJobs: true, rulePaths: [join(rules, 'windows')] });
  try {
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    const ana = await signIn(t.server, 'ana');
    const samples = join(SHARED_DATA, 'evtx-attack-samples');
    const files = readdirSync(samples, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.evtx'))
      .map((d) => join(d.parentPath, d.name))
      .sort()
      .slice(0, 80);
    const { body, contentType } = multipart(
      files.map((f, i) => ({ name: `${i}.evtx`, content: readFileSync(f) })),
    );
    const job = (await ana.request('POST', '/api/evidence', body, { 'content-type': contentType })).json<{
      id: string;
    }>();
    let status = '';
    for (let i = 0; i < 500 && status !== 'running'; i++) {
      status = (await t.store.jobs.get(job.id))!.status;
      if (status !== 'running') await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 'running');
    const cancel = await ana.request('POST', `/api/jobs/${job.id}/cancel`);
    assert.equal(cancel.statusCode, 200);
    await t.server.context.jobs.whenIdle();
    const cancelled = (await t.store.jobs.get(job.id))!;
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(await t.store.detections.count(), 0, 'nothing half-written');
    assert.equal((await ana.request('POST', `/api/jobs/${job.id}/cancel`)).statusCode, 409);
    assert.equal((await ana.request('POST', `/api/jobs/${job.id}/rerun`)).statusCode, 200);
    await new Promise((r) => setTimeout(r, 50));
    await t.server.context.jobs.whenIdle();
    assert.equal((await t.store.jobs.get(job.id))!.status, 'done');
    assert.ok((await t.store.detections.count()) > 0);
  } finally {
    await t.close();
  }
});

test('a .zip upload is ingested as the files inside it', async () => {
  const t = await startTestServer({
    runJobs: true,
    rulePaths: [join(import.meta.dirname, '../fixtures/rules')],
  });
  try {
    await addUser(t.store, 'ana', 'analyst', 'AMBER');
    const ana = await signIn(t.server, 'ana');
    const archive = zip({
      'case-17/windows-events.jsonl': readFileSync(join(DEMO, 'windows-events.jsonl')),
      'case-17/conn.log': readFileSync(join(DEMO, 'conn.log')),
    });
    const { body, contentType } = multipart([{ name: 'evidence.zip', content: archive }]);
    const job = (await ana.request('POST', '/api/evidence', body, { 'content-type': contentType })).json<{
      id: string;
    }>();
    await new Promise((r) => setTimeout(r, 50));
    await t.server.context.jobs.whenIdle();
    const done = (await t.store.jobs.get(job.id))!;
    assert.equal(done.status, 'done');
    const lines = (name: string) =>
      readFileSync(join(DEMO, name), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
    assert.equal(done.records, lines('windows-events.jsonl') + lines('conn.log'));
    assert.ok(done.detections > 0, 'the PsExec rule fired on the zipped Windows events');
    const zeek = (await ana.request('GET', '/api/events?ip=203.0.113.80')).json<{
      events: { source: { file: string } }[];
    }>();
    assert.ok(zeek.events.some((e) => e.source.file.endsWith('evidence.zip!case-17/conn.log')));
  } finally {
    await t.close();
  }
});
