// The contract every store implementation passes (SQLite now, PostgreSQL with the team server):
// idempotent writes, pivots, paging, hunts' full scans, jobs and incidents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection } from '../../src/core/detection.js';
import type { Event, EventFields } from '../../src/core/event.js';
import type { Organisation, Party } from '../../src/enrich/constituency/model.js';
import type { Store } from '../../src/store/index.js';
import type { SqlDb } from '../../src/store/sql.js';

let line = 0;
function zeekConn(minute: number, orig: string, resp: string, bytes: number): Event {
  const fields: EventFields = {
    ts: 0,
    'id.orig_h': orig,
    'id.resp_h': resp,
    'id.resp_p': 443,
    orig_bytes: bytes,
  };
  return {
    timestamp: Date.UTC(2026, 4, 10, 3, minute),
    source: { kind: 'zeek', file: 'conn.log', line: ++line, logType: 'conn' },
    fields,
  };
}
function logon(minute: number, host: string, user: string, ip: string): Event {
  const fields: EventFields = {
    EventID: 4624,
    Channel: 'Security',
    Computer: host,
    TargetUserName: user,
    IpAddress: ip,
    LogonType: 3,
  };
  return {
    timestamp: Date.UTC(2026, 4, 10, 2, minute),
    source: { kind: 'evtx', file: 'sec.evtx', recordId: 100 + minute },
    fields,
  };
}

export function storeContract(name: string, open: () => Promise<Store>): void {
  const withStore = (title: string, body: (store: Store) => Promise<void>): void => {
    void test(`${name}: ${title}`, async () => {
      const store = await open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };

  withStore('migrations bring a new store to the latest schema', async (store) => {
    assert.ok((await store.schemaVersion()) >= 1);
  });

  withStore('saved hunts: saved with their pivot, listed newest first, deleted once', async (store) => {
    const first = await store.savedHunts.save({
      name: 'PsExec on the DC',
      rule: 'title: x\n',
      within: { host: 'DC-01', from: '2026-05-10T00:00:00Z' },
      createdBy: 'ana',
    });
    await new Promise((r) => setTimeout(r, 2));
    const second = await store.savedHunts.save({
      name: '<script>alert(1)</script>',
      rule: 'title: y\n',
      within: {},
      createdBy: 'bob',
    });
    assert.deepEqual(await store.savedHunts.get(first.id), first);
    assert.deepEqual(
      (await store.savedHunts.list()).map((h) => [h.name, h.within]),
      [
        ['<script>alert(1)</script>', {}],
        ['PsExec on the DC', { host: 'DC-01', from: '2026-05-10T00:00:00Z' }],
      ],
    );
    assert.equal(await store.savedHunts.delete(second.id), true);
    assert.equal(await store.savedHunts.delete(second.id), false);
    assert.equal(await store.savedHunts.get(second.id), undefined);
    assert.equal((await store.savedHunts.list()).length, 1);
  });

  withStore('the audit log by target: one case’s entries, newest first', async (store) => {
    for (const [action, target] of [
      ['case.opened', 'case:1'],
      ['case.opened', 'case:2'],
      ['case.commented', 'case:1'],
    ] as const)
      await store.audit.append({ actor: 'ana', action, target, before: null, after: { n: 1 }, ip: null });
    assert.deepEqual(
      (await store.audit.forTarget('case:1')).map((e) => e.action),
      ['case.commented', 'case.opened'],
    );
    assert.deepEqual(await store.audit.forTarget('case:3'), []);
  });

  withStore('ingesting the same events twice stores them once', async (store) => {
    const events = [
      logon(1, 'WS-014', 'svc-backup', '10.0.1.5'),
      zeekConn(2, '10.0.1.5', '203.0.113.80', 1_850_000_000),
    ];
    assert.equal(await store.events.add(events), 2);
    // The same content read from another copy of the file is the same event.
    const copy = events.map((e) => ({ ...e, source: { ...e.source, file: 'copy/' + e.source.file } }));
    assert.equal(await store.events.add(copy), 0);
    assert.equal(await store.events.count(), 2);
  });

  withStore(
    'pivots: host, user, either end of a connection, field = value, free text, time range',
    async (store) => {
      await store.events.add([
        logon(1, 'WS-014.corp.example', 'svc-backup', '10.0.1.5'),
        logon(2, 'WS-015.corp.example', 'alice', '10.0.4.7'),
        zeekConn(3, '10.0.1.5', '203.0.113.80', 1_850_000_000),
        zeekConn(4, '10.0.4.7', '198.51.100.10', 2_100),
      ]);
      const ids = async (q: Parameters<Store['events']['search']>[0]) =>
        (await store.events.search(q)).map((e) => e.event.timestamp);
      assert.equal((await ids({ host: 'ws-014.corp.example' })).length, 1);
      // The short name an analyst types finds the full one; a prefix of another name does not.
      assert.equal((await ids({ host: 'WS-014' })).length, 1);
      assert.equal((await ids({ host: 'WS-01' })).length, 0);
      assert.equal((await ids({ host: 'WS_014' })).length, 0);
      // The bare name and the names under it come back as one timeline, in time order, within the limit.
      const later = { ...logon(0, 'ws-014', 'bob', '10.9.9.9'), timestamp: Date.UTC(2026, 4, 10, 4) };
      await store.events.add([logon(0, 'WS-014', 'bob', '10.9.9.9'), later]);
      const bare = [Date.UTC(2026, 4, 10, 2, 0), Date.UTC(2026, 4, 10, 2, 1), Date.UTC(2026, 4, 10, 4)];
      assert.deepEqual(await ids({ host: 'WS-014' }), bare);
      assert.deepEqual(await ids({ host: 'WS-014', limit: 2 }), bare.slice(0, 2));
      assert.equal((await ids({ user: 'ALICE' })).length, 1);
      assert.equal((await ids({ ip: '10.0.1.5' })).length, 2);
      assert.equal((await ids({ ip: '203.0.113.80' })).length, 1);
      assert.equal((await ids({ field: { name: 'id.resp_h', value: '198.51.100.10' } })).length, 1);
      assert.equal((await ids({ field: { name: 'TargetUserName', value: 'Svc-Backup' } })).length, 1);
      assert.equal((await ids({ text: 'SVC-back' })).length, 1);
      assert.deepEqual(await ids({ from: Date.UTC(2026, 4, 10, 2, 2), to: Date.UTC(2026, 4, 10, 3, 3) }), [
        Date.UTC(2026, 4, 10, 2, 2),
        Date.UTC(2026, 4, 10, 3, 3),
      ]);
      const stored = (await store.events.search({ ip: '203.0.113.80' }))[0]!;
      assert.equal(stored.event.source.logType, 'conn');
      assert.equal(stored.event.fields.orig_bytes, 1_850_000_000);
      assert.deepEqual(await store.events.get(stored.id), stored);
    },
  );

  withStore(
    'hostile strings are data: quotes, SQL and JSON-path characters in names and values',
    async (store) => {
      const evil = `x'); DROP TABLE events; --"\\$.a[0]`;
      const fields: EventFields = { [evil]: evil, CommandLine: evil };
      await store.events.add([
        { timestamp: 1, source: { kind: 'jsonl', file: 'evil.jsonl', line: 1 }, fields },
      ]);
      assert.equal((await store.events.search({ field: { name: evil, value: evil } })).length, 1);
      assert.equal((await store.events.search({ text: evil })).length, 1);
      assert.equal(await store.events.count(), 1);
    },
  );

  withStore('scan pages through every matching event in time order', async (store) => {
    const many = Array.from({ length: 2_345 }, (_, i) =>
      zeekConn(i % 50, `10.0.${i % 7}.${i % 200}`, '192.0.2.45', i),
    );
    await store.events.add(many);
    const seen: number[] = [];
    for await (const e of store.events.scan({ ip: '192.0.2.45' }, 500)) seen.push(e.event.timestamp);
    assert.equal(seen.length, await store.events.count());
    assert.ok(seen.every((t, i) => i === 0 || t >= seen[i - 1]!));
  });

  withStore('detections: idempotent, filtered by level, host and rule', async (store) => {
    const d: Detection = {
      kind: 'sigma',
      ruleId: 'a642964e-bead-4bed-8910-1bb4d63e3b4d',
      ruleTitle: 'HackTool - Mimikatz Execution',
      level: 'high',
      tags: ['attack.t1003.001'],
      timestamp: Date.UTC(2026, 4, 10, 2, 20),
      host: 'EXCH01',
      fields: { CommandLine: 'm.exe sekurlsa::logonpasswords' },
      source: { kind: 'evtx', file: 'sysmon.evtx', recordId: 7 },
    };
    const low: Detection = {
      ...d,
      ruleId: 'r-low',
      level: 'low',
      host: 'WS-1',
      source: { ...d.source, recordId: 8 },
    };
    assert.equal(await store.detections.add([d, low]), 2);
    assert.equal(await store.detections.add([d]), 0);
    assert.equal((await store.detections.search({ minLevel: 'high' })).length, 1);
    assert.equal((await store.detections.search({ host: 'exch01' })).length, 1);
    const [found] = await store.detections.search({ ruleId: d.ruleId });
    assert.deepEqual(found!.detection, d);
  });

  withStore('ingest jobs keep status, counts and issue samples', async (store) => {
    const job = await store.jobs.create(['case-42/']);
    assert.equal(job.status, 'queued');
    await store.jobs.update(job.id, {
      status: 'done',
      records: 10,
      issues: 1,
      issueSamples: [
        { code: 'jsonl.parse', message: 'bad line', severity: 'error', file: 'a.jsonl', line: 3 },
      ],
      finishedAt: 5,
    });
    const again = await store.jobs.get(job.id);
    assert.equal(again?.status, 'done');
    assert.equal(again?.issueSamples[0]?.line, 3);
    assert.equal((await store.jobs.list()).length, 1);
  });

  withStore('incidents are replaced whole by id, with their detections', async (store) => {
    const incident = {
      id: 'inc-1',
      title: 'Exchange exploited',
      firstSeen: 1,
      lastSeen: 2,
      detectionIds: ['d1', 'd2'],
      analysis: { hosts: 2 },
    };
    await store.incidents.put(incident);
    await store.incidents.put({ ...incident, detectionIds: ['d2', 'd3'], analysis: { hosts: 3 } });
    const got = await store.incidents.get('inc-1');
    assert.deepEqual(got?.detectionIds, ['d2', 'd3']);
    assert.deepEqual(got?.analysis, { hosts: 3 });
    assert.equal((await store.incidents.list()).length, 1);
    assert.deepEqual(await store.incidents.summaries(), [
      { id: 'inc-1', title: 'Exchange exploited', firstSeen: 1, lastSeen: 2, detectionCount: 2 },
    ]);
  });

  withStore('accounts: users, sessions and tokens; hostile names are data', async (store) => {
    const name = `o'brien"; DROP TABLE users; --`;
    const user = await store.accounts.createUser({
      username: name,
      role: 'constituent',
      organisation: 'ACME « Ltd » \\ 50%_',
      tlpClearance: 'GREEN',
      passwordHash: 'scrypt$x',
    });
    assert.equal((await store.accounts.userByName(name))?.id, user.id);
    assert.equal(user.mustChangePassword, false);
    const changed = await store.accounts.updateUser(user.id, { disabled: true, tlpClearance: 'AMBER' });
    assert.equal(changed?.disabled, true);
    assert.equal(changed?.tlpClearance, 'AMBER');
    assert.equal(changed?.organisation, 'ACME « Ltd » \\ 50%_');
    await store.accounts.createSession({
      tokenHash: 'h1',
      userId: user.id,
      csrf: 'c',
      createdAt: 1,
      expiresAt: 2,
    });
    assert.equal((await store.accounts.getSession('h1'))?.userId, user.id);
    await store.accounts.deleteSessionsOf(user.id);
    assert.equal(await store.accounts.getSession('h1'), undefined);
    const token = await store.accounts.createToken({
      userId: user.id,
      name: 't',
      tokenHash: 'th',
      scopes: ['events:read'],
      expiresAt: null,
    });
    assert.deepEqual((await store.accounts.tokenByHash('th'))?.scopes, ['events:read']);
    assert.notEqual((await store.accounts.revokeToken(token.id))?.revokedAt, null);
    assert.equal((await store.accounts.listTokens(user.id)).length, 1);
    assert.equal(await store.accounts.countUsers(), 1);
  });

  withStore('the audit log is append-only, newest first', async (store) => {
    for (let i = 0; i < 3; i++)
      await store.audit.append({
        actor: 'admin',
        action: `a${i}`,
        target: 't',
        before: { n: i },
        after: null,
        ip: null,
      });
    const entries = await store.audit.list();
    assert.deepEqual(
      entries.map((e) => e.action),
      ['a2', 'a1', 'a0'],
    );
    assert.deepEqual(entries[0]?.before, { n: 2 });
    assert.deepEqual(
      (await store.audit.list({ before: entries[0].seq, limit: 1 })).map((e) => e.action),
      ['a1'],
    );
    // Not even the store's own connection may rewrite history.
    const { sql } = store as unknown as { sql: SqlDb };
    {
      await assert.rejects(sql.run("UPDATE audit_log SET actor = 'mallory'"), /append-only/);
      await assert.rejects(sql.run('DELETE FROM audit_log'), /append-only/);
      assert.equal((await store.audit.list()).length, 3);
    }
  });

  withStore(
    'rule switches and incident labels are kept beside, not inside, what scans write',
    async (store) => {
      await store.ruleSettings.set({ ruleId: 'r1', enabled: false, changedBy: 'analyst' });
      await store.ruleSettings.set({ ruleId: 'r1', enabled: true, changedBy: 'admin' });
      assert.deepEqual(
        (await store.ruleSettings.list()).map((r) => [r.ruleId, r.enabled, r.changedBy]),
        [['r1', true, 'admin']],
      );
      await store.incidents.put({
        id: 'inc-9',
        title: 'x',
        firstSeen: 1,
        lastSeen: 2,
        detectionIds: [],
        analysis: {},
      });
      await store.handling.set({ incidentId: 'inc-9', tlp: 'GREEN', organisation: 'acme' });
      await store.incidents.put({
        id: 'inc-9',
        title: 'rescanned',
        firstSeen: 1,
        lastSeen: 3,
        detectionIds: [],
        analysis: {},
      });
      assert.deepEqual(await store.handling.get('inc-9').then((h) => [h?.tlp, h?.organisation]), [
        'GREEN',
        'acme',
      ]);
    },
  );

  withStore(
    'cases: ticket numbers, changes, tasks, comments, observables merged once, evidence custody, links',
    async (store) => {
      const base = {
        description: 'd',
        rsitClass: 'intrusions',
        rsitType: 'system-compromise',
        tlp: 'AMBER' as const,
        pap: 'GREEN' as const,
        severity: 'high' as const,
        priority: 'urgent' as const,
        organisations: ["O'Brien & Sons", 'ACME'],
        assignee: null,
        dueAt: null,
        incidentId: 'inc-1',
        detectionIds: ['d1'],
        createdBy: 'coord',
      };
      const a = await store.cases.create({ ...base, title: 'first' });
      const b = await store.cases.create({ ...base, title: 'second' });
      assert.deepEqual([a.number, b.number, a.status], [1, 2, 'new']);
      assert.equal((await store.cases.byNumber(2))?.id, b.id);
      const changed = await store.cases.update(a.id, {
        status: 'triage',
        assignee: 'ana',
        organisations: ['ACME'],
      });
      assert.deepEqual(
        [changed?.status, changed?.assignee, changed?.organisations],
        ['triage', 'ana', ['ACME']],
      );
      assert.deepEqual(
        (await store.cases.list({ organisation: "O'Brien & Sons" })).map((c) => c.id),
        [b.id],
      );
      assert.deepEqual(
        (await store.cases.list({ status: 'triage' })).map((c) => c.id),
        [a.id],
      );
      const task = await store.cases.addTask({ caseId: a.id, title: 't', owner: 'ana', dueAt: 5 });
      assert.equal((await store.cases.updateTask(a.id, task.id, { done: true }))?.done, true);
      assert.equal(await store.cases.updateTask(b.id, task.id, { done: true }), undefined);
      await store.cases.addComment({ caseId: a.id, author: 'acme', text: 'cleaned' });
      assert.equal((await store.cases.comments(a.id))[0]?.text, 'cleaned');
      await store.cases.addObservable({
        caseId: a.id,
        type: 'ipv4',
        value: '203.0.113.8',
        detectionIds: ['d1'],
      });
      await store.cases.addObservable({
        caseId: a.id,
        type: 'ipv4',
        value: '203.0.113.8',
        detectionIds: ['d2', 'd1'],
      });
      assert.deepEqual(
        (await store.cases.observables(a.id)).map((o) => o.detectionIds),
        [['d1', 'd2']],
      );
      const e = await store.cases.addEvidence(
        { caseId: a.id, name: 'mail.eml', sha256: 'ab'.repeat(32), size: 10, path: '/x' },
        { at: 1, actor: 'coord', action: 'added', note: null },
      );
      await store.cases.addCustody(e.id, { at: 2, actor: 'ana', action: 'downloaded', note: null });
      assert.deepEqual(
        (await store.cases.evidence(a.id))[0]?.custody.map((c) => c.actor),
        ['coord', 'ana'],
      );
      await store.cases.link(b.id, a.id);
      await store.cases.link(a.id, b.id);
      assert.deepEqual(await store.cases.links(a.id), [b.id]);
      assert.deepEqual(await store.cases.links(b.id), [a.id]);
    },
  );

  withStore(
    'constituency: organisations and parties upserted by id, listed by id, deleted',
    async (store) => {
      const hostile = 'O\'Brien "; DROP TABLE organisations; --';
      const acme: Organisation = {
        id: 'acme',
        name: hostile,
        sectors: ['water'],
        country: null,
        networks: ['198.51.100.0/24', '2001:db8:ace::/48'],
        asns: [64501],
        domains: ['acme.example', 'xn--bcher-kva.example'],
        contacts: [{ email: 'soc@acme.example', name: 'SOC ünï', language: 'de' }],
      };
      const city: Organisation = { ...acme, id: 'city', name: 'City', contacts: [] };
      const host: Party = {
        id: 'example-hosting',
        name: 'Example Hosting',
        kind: 'hosting',
        countries: ['NL'],
        asns: [64500],
        networks: ['203.0.113.0/24'],
        domains: [],
        platforms: [],
        contacts: [{ email: 'abuse@hosting.example' }],
        preferredFormat: 'x-arf',
      };
      const cert: Party = { ...host, id: 'cert-ru', name: 'CERT (test)', kind: 'cert', countries: ['RU'] };
      assert.equal(await store.constituency.putOrganisation(city), undefined);
      assert.equal(await store.constituency.putOrganisation(acme), undefined);
      assert.deepEqual(await store.constituency.getOrganisation('acme'), acme);
      const renamed = { ...acme, name: 'ACME Water' };
      assert.deepEqual(await store.constituency.putOrganisation(renamed), acme);
      assert.deepEqual(
        (await store.constituency.listOrganisations()).map((o) => [o.id, o.name]),
        [
          ['acme', 'ACME Water'],
          ['city', 'City'],
        ],
      );
      assert.deepEqual(await store.constituency.deleteOrganisation('city'), city);
      assert.equal(await store.constituency.deleteOrganisation('city'), undefined);
      assert.equal(await store.constituency.getOrganisation('city'), undefined);

      await store.constituency.putParty(host);
      await store.constituency.putParty(cert);
      assert.deepEqual(await store.constituency.getParty('example-hosting'), host);
      assert.deepEqual(
        (await store.constituency.listParties()).map((p) => p.id),
        ['cert-ru', 'example-hosting'],
      );
      assert.deepEqual(await store.constituency.listParties('cert'), [cert]);
      assert.deepEqual(await store.constituency.putParty({ ...cert, kind: 'hosting' }), cert);
      assert.deepEqual(await store.constituency.listParties('cert'), []);
      assert.deepEqual(await store.constituency.deleteParty('cert-ru'), { ...cert, kind: 'hosting' });
      assert.deepEqual(
        (await store.constituency.listParties()).map((p) => p.id),
        ['example-hosting'],
      );
    },
  );

  withStore('weekly report issues: one per week and TLP, kept once, listed newest first', async (store) => {
    const report = { kind: 'vigil.weekly-report', week: '2026-W47', summary: 'ü <b>' };
    assert.equal(
      await store.weeklyReports.put({ week: '2026-W47', tlp: 'GREEN', generatedAt: 1, report }),
      true,
    );
    // The schedule after a restart: the same week and TLP again changes nothing.
    assert.equal(
      await store.weeklyReports.put({
        week: '2026-W47',
        tlp: 'GREEN',
        generatedAt: 2,
        report: { other: true },
      }),
      false,
    );
    await store.weeklyReports.put({ week: '2026-W47', tlp: 'CLEAR', generatedAt: 3, report });
    await store.weeklyReports.put({ week: '2026-W46', tlp: 'CLEAR', generatedAt: 4, report });
    assert.deepEqual(await store.weeklyReports.get('2026-W47-GREEN'), {
      id: '2026-W47-GREEN',
      week: '2026-W47',
      tlp: 'GREEN',
      generatedAt: 1,
      report,
    });
    assert.equal(await store.weeklyReports.get('2026-W47-RED'), undefined);
    assert.deepEqual(
      (await store.weeklyReports.list()).map((i) => i.id),
      ['2026-W47-CLEAR', '2026-W47-GREEN', '2026-W46-CLEAR'],
    );
    assert.deepEqual(
      (await store.weeklyReports.list({ tlps: ['CLEAR'] })).map((i) => i.id),
      ['2026-W47-CLEAR', '2026-W46-CLEAR'],
    );
    assert.deepEqual(await store.weeklyReports.list({ tlps: [] }), []);
    assert.deepEqual(
      (await store.weeklyReports.list({ limit: 1 })).map((i) => i.generatedAt),
      [3],
    );
  });
}
