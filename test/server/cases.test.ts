// Cases through the API: opened from an incident (its TLP, organisation, detections and attacker
// addresses carried over; cross-border derived), classified, worked through the workflow, merged and
// linked, with tasks, a constituent's comments, observables and evidence with its chain of custody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { addUser, multipart, signIn, startTestServer } from './support.js';

async function fixture() {
  const t = await startTestServer();
  const { store } = t;
  // One stored detection names the attacker's address: the case's observable links to it.
  await store.detections.add([
    {
      kind: 'sigma',
      ruleId: 'r-webshell',
      ruleTitle: 'Web shell request',
      level: 'high',
      tags: [],
      timestamp: Date.UTC(2026, 4, 10, 3),
      host: 'EXCH01',
      fields: { 'c-ip': '203.0.113.80', 'cs-uri-stem': '/owa/auth/x.aspx' },
      source: { kind: 'w3c', file: 'u_ex.log', line: 3 },
    },
  ]);
  const d1 = (await store.detections.search({}))[0]!.id;
  await store.incidents.put({
    id: 'INC-A',
    title: 'Exchange server exploited from abroad',
    firstSeen: Date.UTC(2026, 4, 10, 3),
    lastSeen: Date.UTC(2026, 4, 12),
    detectionIds: [d1, 'd2'],
    analysis: {
      id: 'INC-A',
      title: 'Exchange server exploited from abroad',
      first_seen: '2026-05-10T03:00:00.000Z',
      last_seen: '2026-05-12T00:00:00.000Z',
      hosts: [{ name: 'EXCH01' }, { name: 'WS-014' }],
      infrastructure: [
        { ip: '203.0.113.80', country: 'US', asn: 64500 },
        { ip: '2001:DB8::7', country: 'NL', asn: 64501 },
      ],
      detections: { count: 2, ids: [d1, 'd2'] },
    },
  });
  await store.handling.set({ incidentId: 'INC-A', tlp: 'GREEN', organisation: 'ACME' });
  await addUser(store, 'coord', 'coordinator', 'AMBER+STRICT');
  await addUser(store, 'acme', 'constituent', 'AMBER', 'ACME');
  await addUser(store, 'other', 'constituent', 'AMBER', 'Other Ltd');
  await addUser(store, 'audit', 'auditor', 'AMBER');
  return { t, d1, coord: await signIn(t.server, 'coord') };
}

test('a case from an incident carries its TLP, organisation, detections and attacker addresses; cross-border is derived', async () => {
  const { t, d1, coord } = await fixture();
  try {
    const r = await coord.request('POST', '/api/cases', {
      from: { incident: 'INC-A' },
      rsitClass: 'intrusions',
      rsitType: 'system-compromise',
      severity: 'high',
    });
    assert.equal(r.statusCode, 201, r.body);
    const c = r.json<{
      id: string;
      ticket: string;
      title: string;
      tlp: string;
      organisations: string[];
      detectionIds: string[];
      observables: { type: string; value: string; detectionIds: string[] }[];
      crossBorder: boolean;
      foreignCountries: string[];
      status: string;
      allowedTransitions: string[];
      description: string;
    }>();
    assert.equal(c.ticket, 'VIGIL#1');
    assert.equal(c.title, 'Exchange server exploited from abroad');
    assert.equal(c.tlp, 'GREEN');
    assert.deepEqual(c.organisations, ['ACME']);
    assert.deepEqual(c.detectionIds, [d1, 'd2']);
    assert.deepEqual(
      c.observables.map((o) => `${o.type}:${o.value}:${o.detectionIds.join('+')}`),
      [`ipv4:203.0.113.80:${d1}`, 'ipv6:2001:db8::7:'],
    );
    assert.equal(c.crossBorder, true);
    assert.deepEqual(c.foreignCountries, ['NL', 'US']);
    assert.equal(c.status, 'new');
    assert.deepEqual(c.allowedTransitions, ['triage', 'in-progress', 'rejected', 'duplicate']);
    assert.match(c.description, /2 hosts \(EXCH01, WS-014\)/);
    const second = await coord.request('POST', '/api/cases', {
      title: 'Phishing site',
      rsitClass: 'fraud',
      rsitType: 'phishing',
      organisations: ['ACME'],
    });
    assert.equal(second.json<{ ticket: string; crossBorder: boolean }>().ticket, 'VIGIL#2');
    assert.equal(second.json<{ crossBorder: boolean }>().crossBorder, false);
    assert.equal(
      (await coord.request('POST', '/api/cases', { title: 'x', rsitClass: 'intrusions', rsitType: 'spam' }))
        .statusCode,
      400,
    );
    assert.equal(
      (await coord.request('POST', '/api/cases', { rsitClass: 'fraud' })).statusCode,
      400,
      'by hand needs a title',
    );
    assert.equal((await coord.request('POST', '/api/cases', { from: { incident: 'nope' } })).statusCode, 404);
    const fromDetection = (await coord.request('POST', '/api/cases', { from: { detection: d1 } })).json<{
      title: string;
      detectionIds: string[];
      observables: { type: string; value: string; detectionIds: string[] }[];
    }>();
    assert.equal(fromDetection.title, 'Web shell request on EXCH01');
    assert.deepEqual(fromDetection.detectionIds, [d1]);
    assert.deepEqual(
      fromDetection.observables.map((o) => [o.type, o.value, o.detectionIds]),
      [['ipv4', '203.0.113.80', [d1]]],
    );
  } finally {
    await t.close();
  }
});

test('the workflow through the API: allowed moves, refused ones with the allowed list, reasons, reopening — each audited', async () => {
  const { t, coord } = await fixture();
  try {
    const id = (
      await coord.request('POST', '/api/cases', { title: 'Defaced site', organisations: ['ACME'] })
    ).json<{ id: string }>().id;
    const move = (to: string, reason?: string) =>
      coord.request('POST', `/api/cases/${id}/transition`, reason ? { to, reason } : { to });
    assert.equal((await move('triage')).statusCode, 200);
    const refused = await move('closed');
    assert.equal(refused.statusCode, 409);
    assert.match(
      refused.json<{ message: string }>().message,
      /allowed: in-progress, waiting, rejected, duplicate/,
    );
    assert.equal((await move('in-progress')).statusCode, 200);
    assert.equal((await move('waiting')).statusCode, 200);
    assert.equal((await move('resolved')).statusCode, 200);
    assert.equal((await move('closed')).statusCode, 200);
    const now = new Date();
    const figures = (
      await coord.request(
        'GET',
        `/api/figures?from=${new Date(now.getTime() - 3_600_000).toISOString()}&to=${new Date(now.getTime() + 3_600_000).toISOString()}`,
      )
    ).json<{ opened: { ids: string[] }; resolved: { ids: string[] }; medianHoursToResolution: number }>();
    assert.deepEqual([figures.opened.ids, figures.resolved.ids], [[id], [id]]);
    assert.ok(figures.medianHoursToResolution >= 0);
    assert.equal((await coord.request('GET', '/api/figures?week=2026-W99')).statusCode, 400);
    assert.equal(
      (await move('in-progress', 'the site was defaced again')).json<{ status: string }>().status,
      'in-progress',
    );
    assert.equal((await move('rejected')).statusCode, 409, 'rejecting needs a reason');
    assert.equal(
      (await move('rejected', 'not our constituency')).json<{ statusReason: string }>().statusReason,
      'not our constituency',
    );
    const moves = (await t.store.audit.list()).filter((e) => e.action === 'case.transition');
    assert.deepEqual(moves.map((e) => (e.after as { status: string }).status).reverse(), [
      'triage',
      'in-progress',
      'waiting',
      'resolved',
      'closed',
      'in-progress',
      'rejected',
    ]);
  } finally {
    await t.close();
  }
});

test('tasks, observables kept once, merge and links', async () => {
  const { t, d1, coord } = await fixture();
  try {
    const a = (await coord.request('POST', '/api/cases', { from: { incident: 'INC-A' } })).json<{
      id: string;
    }>().id;
    const b = (
      await coord.request('POST', '/api/cases', {
        title: 'Same attacker, second report',
        organisations: ['Beta'],
      })
    ).json<{ id: string }>().id;
    const task = (
      await coord.request('POST', `/api/cases/${a}/tasks`, {
        title: 'Ask the hoster to take down 203.0.113.80',
        owner: 'coord',
        dueAt: Date.UTC(2026, 4, 14),
      })
    ).json<{ id: string }>();
    assert.equal(
      (await coord.request('PATCH', `/api/cases/${a}/tasks/${task.id}`, { done: true })).json<{
        done: boolean;
      }>().done,
      true,
    );
    assert.equal(
      (await coord.request('PATCH', `/api/cases/${b}/tasks/${task.id}`, { done: true })).statusCode,
      404,
      'a task of another case',
    );
    await coord.request('POST', `/api/cases/${b}/observables`, {
      type: 'ipv4',
      value: '203.0.113.80',
      detectionIds: ['d9'],
    });
    await coord.request('POST', `/api/cases/${b}/observables`, { type: 'domain', value: 'Evil.Example.' });
    assert.equal(
      (await coord.request('POST', `/api/cases/${b}/observables`, { type: 'ipv4', value: 'not-an-ip' }))
        .statusCode,
      400,
    );
    const merged = await coord.request('POST', `/api/cases/${b}/merge`, { into: a });
    assert.equal(merged.statusCode, 200, merged.body);
    const target = merged.json<{
      organisations: string[];
      observables: { type: string; value: string; detectionIds: string[] }[];
      links: string[];
    }>();
    assert.deepEqual(target.organisations, ['ACME', 'Beta']);
    assert.deepEqual(
      target.observables.map((o) => `${o.type}:${o.value}:${o.detectionIds.join('+')}`),
      [`ipv4:203.0.113.80:${d1}+d9`, 'ipv6:2001:db8::7:', 'domain:evil.example:'],
    );
    assert.deepEqual(target.links, [b]);
    const source = (await coord.request('GET', `/api/cases/${b}`)).json<{
      status: string;
      statusReason: string;
      mergedInto: string;
    }>();
    assert.deepEqual(
      [source.status, source.statusReason, source.mergedInto],
      ['duplicate', 'merged into VIGIL#1', a],
    );
    assert.equal((await coord.request('POST', `/api/cases/${b}/merge`, { into: a })).statusCode, 409);
    assert.equal((await coord.request('POST', `/api/cases/${a}/merge`, { into: a })).statusCode, 409);
  } finally {
    await t.close();
  }
});

test('a constituent sees and comments on its own cases only; an auditor reads but cannot comment', async () => {
  const { t, coord } = await fixture();
  try {
    const own = (
      await coord.request('POST', '/api/cases', {
        title: 'ACME host infected',
        organisations: ['ACME'],
        tlp: 'AMBER',
      })
    ).json<{ id: string }>().id;
    const theirs = (
      await coord.request('POST', '/api/cases', {
        title: 'Other Ltd host infected',
        organisations: ['Other Ltd'],
        tlp: 'GREEN',
      })
    ).json<{ id: string }>().id;
    const red = await coord.request('POST', '/api/cases', {
      title: 'ACME, RED',
      organisations: ['ACME'],
      tlp: 'RED',
    });
    assert.equal(red.statusCode, 201);
    const acme = await signIn(t.server, 'acme');
    assert.deepEqual(
      (await acme.request('GET', '/api/cases')).json<{ id: string }[]>().map((c) => c.id),
      [own],
    );
    assert.equal((await acme.request('GET', `/api/cases/${theirs}`)).statusCode, 404);
    assert.equal(
      (await acme.request('POST', `/api/cases/${own}/comments`, { text: 'Reimaged the host on Tuesday.' }))
        .statusCode,
      201,
    );
    assert.equal(
      (await acme.request('POST', `/api/cases/${theirs}/comments`, { text: 'x' })).statusCode,
      404,
    );
    assert.equal(
      (await acme.request('POST', `/api/cases/${own}/transition`, { to: 'triage' })).statusCode,
      403,
    );
    const comments = (await coord.request('GET', `/api/cases/${own}`)).json<{
      comments: { author: string; text: string }[];
    }>().comments;
    assert.deepEqual(
      comments.map((c) => [c.author, c.text]),
      [['acme', 'Reimaged the host on Tuesday.']],
    );
    const auditor = await signIn(t.server, 'audit');
    assert.equal((await auditor.request('GET', `/api/cases/${own}`)).statusCode, 200);
    assert.equal(
      (await auditor.request('POST', `/api/cases/${own}/comments`, { text: 'x' })).statusCode,
      403,
    );
  } finally {
    await t.close();
  }
});

test('evidence: SHA-256 computed as it is stored, a chain of custody entry for each download', async () => {
  const { t, coord } = await fixture();
  try {
    const id = (
      await coord.request('POST', '/api/cases', { title: 'Phishing mail', organisations: ['ACME'] })
    ).json<{ id: string }>().id;
    const content = Buffer.from(
      'Received: from evil.example\r\nSubject: invoice\r\n\r\n<a href="http://evil.example/x">pay</a>\r\n',
    );
    const { body, contentType } = multipart([{ name: '../../invoice.eml', content }]);
    const added = await coord.request('POST', `/api/cases/${id}/evidence`, body, {
      'content-type': contentType,
    });
    assert.equal(added.statusCode, 201, added.body);
    const e = added.json<{ id: string; name: string; sha256: string; size: number; path?: string }>();
    assert.equal(e.sha256, createHash('sha256').update(content).digest('hex'));
    assert.equal(e.size, content.length);
    assert.equal(e.name, 'invoice.eml');
    assert.equal(e.path, undefined, 'where it is kept is not shown');
    const download = await coord.request('GET', `/api/cases/${id}/evidence/${e.id}`);
    assert.equal(download.statusCode, 200);
    assert.deepEqual(download.rawPayload, content);
    assert.equal(download.headers['x-sha256'], e.sha256);
    const custody = (await coord.request('GET', `/api/cases/${id}`)).json<{
      evidence: { custody: { actor: string; action: string }[] }[];
    }>().evidence[0]!.custody;
    assert.deepEqual(
      custody.map((c) => `${c.actor}:${c.action}`),
      ['coord:added', 'coord:downloaded'],
    );
  } finally {
    await t.close();
  }
});

test('who must act: the victim organisation, the hoster of attacker infrastructure, the foreign CERT — with reasons', async () => {
  const { t, coord } = await fixture();
  try {
    const contact = (email: string) => ({ email, language: 'en' });
    await t.store.constituency.putOrganisation({
      id: 'ACME',
      name: 'ACME Water',
      sectors: ['water'],
      country: null,
      networks: ['198.51.100.0/24'],
      asns: [],
      domains: ['acme.example'],
      contacts: [contact('soc@acme.example')],
    });
    await t.store.constituency.putParty({
      id: 'example-hosting',
      name: 'Example Hosting',
      kind: 'hosting',
      countries: ['US'],
      asns: [64500],
      networks: [],
      domains: [],
      platforms: [],
      contacts: [contact('abuse@hoster.example')],
      preferredFormat: 'x-arf',
    });
    await t.store.constituency.putParty({
      id: 'cert-nl',
      name: 'CERT-NL',
      kind: 'cert',
      countries: ['NL'],
      asns: [],
      networks: [],
      domains: [],
      platforms: [],
      contacts: [contact('cert@cert-nl.example')],
      preferredFormat: 'email',
    });
    const c = (await coord.request('POST', '/api/cases', { from: { incident: 'INC-A' } })).json<{
      id: string;
    }>();
    const r = await coord.request('GET', `/api/cases/${c.id}/parties`);
    assert.equal(r.statusCode, 200, r.body);
    const proposal = r.json<{
      parties: { id: string; action: string; reasons: string[] }[];
      crossBorder: { crossBorder: boolean; foreign: string[] };
    }>();
    const actions = proposal.parties.map((p) => `${p.id}:${p.action}`);
    assert.ok(actions.includes('ACME:clean-up'), actions.join());
    assert.ok(actions.includes('example-hosting:take-down'), actions.join());
    assert.ok(actions.includes('cert-nl:inform'), actions.join());
    assert.ok(proposal.parties.every((p) => p.reasons.length > 0));
    assert.equal(proposal.crossBorder.crossBorder, true);
    const acme = await signIn(t.server, 'acme');
    assert.equal((await acme.request('GET', `/api/cases/${c.id}/parties`)).statusCode, 403);
  } finally {
    await t.close();
  }
});
