// The constituency over HTTP: organisations and parties put, read and deleted with audit entries,
// import (JSON and CSV, dry run, bad rows reported by line while the rest loads), export round trips,
// lookup with reasons, and strict bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCUMENT } from '../enrich/constituency-fixture.js';
import { addUser, signIn, startTestServer, type Client, type TestServer } from './support.js';

async function withCoordinator(body: (c: Client, t: TestServer) => Promise<void>): Promise<void> {
  const t = await startTestServer();
  try {
    await addUser(t.store, 'coord', 'coordinator', 'AMBER');
    await body(await signIn(t.server, 'coord'), t);
  } finally {
    await t.close();
  }
}

const json = <T>(r: { body: string }): T => JSON.parse(r.body) as T;

test('import a JSON document, again unchanged, export it back the same', async () => {
  await withCoordinator(async (c, t) => {
    const first = await c.request('POST', '/api/constituency/import', { format: 'json', document: DOCUMENT });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(json<object>(first), {
      dryRun: false,
      organisations: { created: 3, updated: 0, unchanged: 0 },
      parties: { created: 7, updated: 0, unchanged: 0 },
      rejected: 0,
      issues: [],
    });
    const again = json<{ organisations: object; parties: object }>(
      await c.request('POST', '/api/constituency/import', { format: 'json', document: DOCUMENT }),
    );
    assert.deepEqual(again.organisations, { created: 0, updated: 0, unchanged: 3 });
    const exported = await c.request('GET', '/api/constituency/export');
    assert.match(exported.headers['content-type'] as string, /^application\/json/);
    const document = json<{ organisations: { id: string }[]; parties: unknown[] }>(exported);
    assert.deepEqual(
      document.organisations.map((o) => o.id),
      ['acme', 'acme-lab', 'city'],
    );
    // The exported document imports as unchanged: a round trip.
    const round = json<{ organisations: object; parties: object }>(
      await c.request('POST', '/api/constituency/import', { format: 'json', document }),
    );
    assert.deepEqual(round, {
      dryRun: false,
      organisations: { created: 0, updated: 0, unchanged: 3 },
      parties: { created: 0, updated: 0, unchanged: 7 },
      rejected: 0,
      issues: [],
    });
    // One audit entry per record created, none for the unchanged imports.
    const audit = await t.store.audit.list({ limit: 100 });
    assert.equal(audit.filter((a) => a.action === 'organisation.imported').length, 3);
    assert.equal(audit.filter((a) => a.action === 'party.imported').length, 7);
  });
});

test('CSV import: a broken row is reported with its line, the rest loads; CSV export imports unchanged', async () => {
  await withCoordinator(async (c) => {
    const csv = [
      'id,name,networks,domains,contact_email',
      'acme,ACME,198.51.100.0/24,acme.example,soc@acme.example',
      'broken,Broken,198.51.100.0/99,,soc@broken.example',
      'city,City,192.0.2.0/24,city.example,',
    ].join('\n');
    const r = await c.request('POST', '/api/constituency/import', {
      format: 'csv',
      records: 'organisations',
      csv,
      file: 'orgs.csv',
    });
    const body = json<{
      organisations: object;
      rejected: number;
      issues: { line: number; path: string; file: string }[];
    }>(r);
    assert.deepEqual(body.organisations, { created: 2, updated: 0, unchanged: 0 });
    assert.equal(body.rejected, 1);
    assert.deepEqual(
      body.issues.map((i) => [i.file, i.line, i.path]),
      [['orgs.csv', 3, 'networks']],
    );
    const exported = await c.request('GET', '/api/constituency/export?format=csv&records=organisations');
    assert.match(exported.headers['content-type'] as string, /^text\/csv/);
    assert.ok(exported.body.startsWith('id,name,sectors,country,networks'));
    const round = json<{ organisations: object }>(
      await c.request('POST', '/api/constituency/import', {
        format: 'csv',
        records: 'organisations',
        csv: exported.body,
      }),
    );
    assert.deepEqual(round.organisations, { created: 0, updated: 0, unchanged: 2 });
    assert.equal((await c.request('GET', '/api/constituency/export?format=csv')).statusCode, 400);
  });
});

test('a dry run reports what would change and changes nothing', async () => {
  await withCoordinator(async (c, t) => {
    const r = json<{ dryRun: boolean; parties: object }>(
      await c.request('POST', '/api/constituency/import', {
        format: 'json',
        document: DOCUMENT,
        dryRun: true,
      }),
    );
    assert.equal(r.dryRun, true);
    assert.deepEqual(r.parties, { created: 7, updated: 0, unchanged: 0 });
    assert.deepEqual(await t.store.constituency.listParties(), []);
    assert.equal((await t.store.audit.list()).filter((a) => a.action.endsWith('.imported')).length, 0);
  });
});

test('put, read, replace and delete an organisation, each change audited with before and after', async () => {
  await withCoordinator(async (c, t) => {
    const put = await c.request('PUT', '/api/organisations/acme', {
      name: 'ACME',
      networks: ['198.51.100.7/24'],
      asns: ['AS64501'],
      domains: ['ACME.example.'],
      contacts: [{ email: 'soc@acme.example', language: 'en' }],
    });
    assert.equal(put.statusCode, 200, put.body);
    const stored = json<{
      organisation: { networks: string[]; domains: string[]; asns: number[] };
      warnings: string[];
    }>(put);
    assert.deepEqual(stored.organisation.networks, ['198.51.100.0/24']);
    assert.deepEqual(stored.organisation.domains, ['acme.example']);
    assert.deepEqual(stored.organisation.asns, [64501]);
    assert.match(stored.warnings[0]!, /host bits set: taken as 198\.51\.100\.0\/24/);
    assert.equal(json<{ name: string }>(await c.request('GET', '/api/organisations/acme')).name, 'ACME');
    await c.request('PUT', '/api/organisations/acme', { name: 'ACME Water', networks: ['198.51.100.0/24'] });
    assert.equal((await c.request('DELETE', '/api/organisations/acme')).statusCode, 204);
    assert.equal((await c.request('DELETE', '/api/organisations/acme')).statusCode, 404);
    assert.equal((await c.request('GET', '/api/organisations/acme')).statusCode, 404);
    const audit = (await t.store.audit.list()).filter((a) => a.target === 'organisation:acme').reverse();
    assert.deepEqual(
      audit.map((a) => [
        a.action,
        (a.before as { name?: string } | null)?.name ?? null,
        (a.after as { name?: string } | null)?.name ?? null,
        a.actor,
      ]),
      [
        ['organisation.put', null, 'ACME', 'coord'],
        ['organisation.put', 'ACME', 'ACME Water', 'coord'],
        ['organisation.deleted', 'ACME Water', null, 'coord'],
      ],
    );
  });
});

test('bad records and bodies are refused with what is wrong', async () => {
  await withCoordinator(async (c) => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/api/organisations/acme', { name: 'A', networks: ['198.51.100.0/33'] }, 'record-invalid'],
      ['PUT', '/api/organisations/acme', { id: 'other', name: 'A' }, 'id-mismatch'],
      ['PUT', '/api/organisations/acme', { name: 'A', colour: 'blue' }, 'invalid-request'],
      ['PUT', '/api/organisations/a%20b', { name: 'A' }, 'record-invalid'],
      ['PUT', '/api/organisations/acme', { name: '=cmd|calc' }, 'record-invalid'],
      ['PUT', '/api/parties/p', { name: 'P', kind: 'hosting', contacts: [] }, 'record-invalid'],
      [
        'PUT',
        '/api/parties/p',
        { name: 'P', kind: 'constituent', contacts: [{ email: 'a@b.example' }] },
        'invalid-request',
      ],
      [
        'PUT',
        '/api/parties/p',
        { name: 'P', kind: 'hosting', contacts: [{ email: 'a@b.example\r\nBcc: x@y.example' }] },
        'record-invalid',
      ],
      ['POST', '/api/constituency/import', { format: 'csv', document: {} }, 'import-invalid'],
      ['POST', '/api/constituency/import', { format: 'xml' }, 'invalid-request'],
    ];
    for (const [method, url, body, code] of cases) {
      const r = await c.request(method, url, body);
      assert.equal(r.statusCode, 400, `${method} ${url} ${JSON.stringify(body)}: ${r.body}`);
      assert.equal(json<{ error: string }>(r).error, code, r.body);
    }
    const bad = json<{ message: string }>(
      await c.request('PUT', '/api/organisations/acme', { name: 'A', networks: ['198.51.100.0/33'] }),
    );
    assert.match(bad.message, /organisation "acme": "198\.51\.100\.0\/33" is not an IP network/);
  });
});

test('lookup: owners and parties with why; an invalid target is a 400', async () => {
  await withCoordinator(async (c) => {
    await c.request('POST', '/api/constituency/import', { format: 'json', document: DOCUMENT });
    const owned = json<{ subject: string; owners: { organisation: { id: string }; reasons: string[] }[] }>(
      await c.request('GET', `/api/lookup?target=${encodeURIComponent('https://www.lab.acme.example/x')}`),
    );
    assert.equal(owned.subject, 'www.lab.acme.example');
    assert.deepEqual(
      owned.owners.map((o) => [o.organisation.id, o.reasons]),
      [['acme-lab', ["www.lab.acme.example is under ACME Lab's domain lab.acme.example"]]],
    );
    const google = json<{
      asn: number;
      country: string;
      parties: { party: { id: string }; reasons: string[] }[];
    }>(await c.request('GET', '/api/lookup?target=8.8.8.8'));
    assert.equal(google.asn, 15169);
    assert.equal(google.country, 'US');
    assert.deepEqual(
      google.parties.map((p) => p.party.id),
      ['google-test'],
    );
    const ip = json<{ owners: { reasons: string[] }[] }>(
      await c.request('GET', '/api/lookup?target=198.51.100.200'),
    );
    assert.deepEqual(ip.owners[0]?.reasons, ["198.51.100.200 is in ACME Lab's 198.51.100.128/25"]);
    const invalid = await c.request('GET', `/api/lookup?target=${encodeURIComponent('http://exa mple/')}`);
    assert.equal(invalid.statusCode, 400);
    assert.equal(json<{ error: string }>(invalid).error, 'target-invalid');
    assert.equal((await c.request('GET', '/api/lookup')).statusCode, 400);
  });
});

test('parties: listed by kind', async () => {
  await withCoordinator(async (c) => {
    await c.request('POST', '/api/constituency/import', { format: 'json', document: DOCUMENT });
    const certs = json<{ id: string }[]>(await c.request('GET', '/api/parties?kind=cert'));
    assert.deepEqual(
      certs.map((p) => p.id),
      ['cert-nl', 'cert-ru'],
    );
    assert.equal((await c.request('GET', '/api/parties?kind=constituent')).statusCode, 400);
  });
});
