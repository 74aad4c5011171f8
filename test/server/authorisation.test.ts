// The authorisation matrix: every role × every route × every TLP level of the incident a route
// touches, each cell asserted against the tables below (written out here, not derived from the code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src/core/roles.js';
import type { Organisation, Party } from '../../src/enrich/constituency/model.js';
import { ROLES } from '../../src/core/roles.js';
import { TLP_LEVELS, type Tlp } from '../../src/core/tlp.js';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { permissionsOf } from '../../src/server/auth/permissions.js';
import { sha256 } from '../../src/server/auth/principal.js';
import { DEFAULT_WEB_DIR } from '../../src/server/web.js';
import {
  addUser,
  multipart,
  PASSWORD,
  sessionClient,
  startTestServer,
  withToken,
  type Client,
  type TestServer,
} from './support.js';

const CLEARANCE: Record<Role, Tlp> = {
  admin: 'RED',
  coordinator: 'AMBER+STRICT',
  analyst: 'AMBER',
  constituent: 'AMBER',
  partner: 'GREEN',
  auditor: 'CLEAR',
};

/** Which incident or case, by its TLP (CLEAR … RED), each role sees (a constituent: its own organisation's). */
const SEES_INCIDENT: Record<Role, readonly (0 | 1)[]> = {
  admin: [1, 1, 1, 1, 1],
  coordinator: [1, 1, 1, 1, 0],
  analyst: [1, 1, 1, 0, 0],
  constituent: [1, 1, 1, 0, 0], // its own organisation's only
  partner: [0, 0, 0, 0, 0], // no incident routes at all
  auditor: [1, 0, 0, 0, 0],
};

/** Which incidents' indicators each role may pull through the sharing route (RED never leaves). */
const SHARES: Record<Role, readonly (0 | 1)[]> = {
  admin: [1, 1, 1, 1, 0],
  coordinator: [1, 1, 1, 1, 0],
  analyst: [0, 0, 0, 0, 0],
  constituent: [0, 0, 0, 0, 0],
  partner: [1, 1, 0, 0, 0],
  auditor: [0, 0, 0, 0, 0],
};

/**
 * Which TLP of the weekly report each role reads (CLEAR … RED): staff up to their clearance;
 * constituents and partners only the public one, since the others count every constituent's cases.
 */
const READS_REPORT: Record<Role, readonly (0 | 1)[]> = {
  admin: [1, 1, 1, 1, 1],
  coordinator: [1, 1, 1, 1, 0],
  analyst: [1, 1, 1, 0, 0],
  constituent: [1, 0, 0, 0, 0],
  partner: [1, 0, 0, 0, 0],
  auditor: [1, 0, 0, 0, 0],
};

const ALL: readonly Role[] = ROLES;
const STAFF: readonly Role[] = ['admin', 'coordinator', 'analyst', 'auditor'];
const OPERATORS: readonly Role[] = ['admin', 'coordinator', 'analyst'];

interface Cell {
  readonly allowed: readonly Role[] | 'public';
  /** The status an allowed caller gets. */
  readonly ok: number;
  /** Builds and sends the request; may prepare what it needs first. */
  send(c: Client, t: Fixture): Promise<{ statusCode: number; body: string }>;
  /** For routes about one incident: the TLP of that incident matters. */
  readonly perIncident?:
    'one' | 'list' | 'share' | 'case' | 'cases' | 'report' | 'report-issue' | 'report-issues';
}

interface Fixture {
  readonly server: TestServer;
  readonly incidentByTlp: Record<Tlp, string>;
  readonly caseByTlp: Record<Tlp, string>;
  tlp: Tlp;
  seq: number;
}

const json = (r: { body: string }) => JSON.parse(r.body) as unknown;

async function newJob(t: Fixture, status: 'queued' | 'done'): Promise<string> {
  const job = await t.server.store.jobs.create([join(t.server.dataDir, 'none.log')]);
  if (status === 'done') await t.server.store.jobs.update(job.id, { status: 'done', finishedAt: Date.now() });
  return job.id;
}

const RULE = `title: Matrix rule
id: 0b7a0b7a-0000-4000-8000-000000000001
status: test
logsource: { product: windows, category: process_creation }
detection:
  selection: { Image|endswith: '\\\\whoami.exe' }
  condition: selection
level: low
`;

const MATRIX_ORG: Organisation = {
  id: 'acme',
  name: 'ACME',
  sectors: [],
  country: null,
  networks: ['198.51.100.0/24'],
  asns: [],
  domains: ['acme.example'],
  contacts: [{ email: 'soc@acme.example' }],
};
const MATRIX_PARTY: Party = {
  id: 'example-hosting',
  name: 'Example Hosting',
  kind: 'hosting',
  countries: ['NL'],
  asns: [64500],
  networks: ['203.0.113.0/24'],
  domains: [],
  platforms: [],
  contacts: [{ email: 'abuse@hosting.example' }],
  preferredFormat: 'email',
};

const ADVISORY = {
  title: 'Matrix advisory',
  tlp: 'GREEN',
  summary: 'A test.',
  products: [{ vendor: 'Acme', product: 'Widget', versions: ['1.0'] }],
  remediation: 'Update.',
};

/** An own advisory in the state a route needs, written straight into the store (author: `fixture`). */
async function ownAdvisory(t: Fixture, state: 'draft' | 'review'): Promise<string> {
  const { advisories } = t.server.store;
  const a = await advisories.createDraft({ ...ADVISORY, tlp: 'GREEN', cves: [], references: [] }, 'fixture');
  if (state === 'review') await advisories.move(a.id, 'review', { at: Date.now(), actor: 'fixture', action: 'submitted', note: null });
  return a.id;
}

/** An own advisory published to the matrix organisation `acme` (a constituent of acme reads it). */
async function publishedToAcme(t: Fixture): Promise<string> {
  const { advisories } = t.server.store;
  const id = await ownAdvisory(t, 'review');
  await advisories.move(id, 'published', { at: Date.now(), actor: 'reviewer', action: 'published', note: null }, { reviewedBy: 'reviewer', publishedAt: Date.now(), organisationIds: ['acme'] });
  return id;
}

const ROUTES: Record<string, Cell> = {
  'GET /api/health': { allowed: 'public', ok: 200, send: (c) => c.request('GET', '/api/health') },
  'GET /api/openapi.json': { allowed: 'public', ok: 200, send: (c) => c.request('GET', '/api/openapi.json') },
  // The web UI's page and bundles are public (they hold no data); 503 when the UI is not built.
  'GET /': {
    allowed: 'public',
    ok: existsSync(join(DEFAULT_WEB_DIR, 'index.html')) ? 200 : 503,
    send: (c) => c.request('GET', '/'),
  },
  'GET /assets/*': { allowed: 'public', ok: 404, send: (c) => c.request('GET', '/assets/no-such-bundle.js') },
  'POST /api/auth/login': {
    allowed: 'public',
    ok: 200,
    // Partners are machines: their password never opens a session.
    send: (c) => c.request('POST', '/api/auth/login', { username: c.username, password: PASSWORD }),
  },
  'GET /api/auth/me': { allowed: ALL, ok: 200, send: (c) => c.request('GET', '/api/auth/me') },
  'POST /api/auth/logout': { allowed: ALL, ok: 204, send: (c) => c.request('POST', '/api/auth/logout') },
  'POST /api/auth/password': {
    allowed: ALL,
    ok: 204,
    send: (c) => c.request('POST', '/api/auth/password', { current: PASSWORD, new: PASSWORD }),
  },
  'GET /api/users': { allowed: ['admin', 'auditor'], ok: 200, send: (c) => c.request('GET', '/api/users') },
  'POST /api/users': {
    allowed: ['admin'],
    ok: 201,
    send: (c, t) =>
      c.request('POST', '/api/users', { username: `new${t.seq++}`, password: PASSWORD, role: 'analyst' }),
  },
  'PATCH /api/users/:id': {
    allowed: ['admin'],
    ok: 200,
    send: async (c, t) => {
      const u = await addUser(t.server.store, `patched${t.seq++}`, 'analyst', 'GREEN');
      return c.request('PATCH', `/api/users/${u.id}`, { tlpClearance: 'AMBER' });
    },
  },
  'GET /api/tokens': { allowed: ALL, ok: 200, send: (c) => c.request('GET', '/api/tokens') },
  'POST /api/tokens': {
    // Made from a signed-in session only: the partner, using a token, cannot mint more.
    allowed: ['admin', 'coordinator', 'analyst', 'constituent', 'auditor'],
    ok: 201,
    send: (c) => c.request('POST', '/api/tokens', { name: 'script', scopes: [] }),
  },
  'DELETE /api/tokens/:id': {
    allowed: ALL,
    ok: 200,
    send: async (c, t) => {
      const me = json(await c.request('GET', '/api/auth/me')) as { user: { id: string } };
      const token = await t.server.store.accounts.createToken({
        userId: me.user.id,
        name: 'to revoke',
        tokenHash: `hash${t.seq++}`,
        scopes: [],
        expiresAt: null,
      });
      return c.request('DELETE', `/api/tokens/${token.id}`);
    },
  },
  'GET /api/audit': { allowed: ['admin', 'auditor'], ok: 200, send: (c) => c.request('GET', '/api/audit') },
  'POST /api/evidence': {
    allowed: OPERATORS,
    ok: 202,
    send: (c) => {
      const { body, contentType } = multipart([{ name: 'note.log', content: 'not evidence\n' }]);
      return c.request('POST', '/api/evidence', body, { 'content-type': contentType });
    },
  },
  'GET /api/feeds': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/feeds') },
  'GET /api/feeds/runs': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/feeds/runs') },
  'GET /api/feeds/events': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/feeds/events?limit=5') },
  // No feed is configured in the test server: allowed roles learn it is not there.
  'POST /api/feeds/:name/run': { allowed: OPERATORS, ok: 404, send: (c) => c.request('POST', '/api/feeds/nope/run') },
  'POST /api/feeds/upload': {
    allowed: OPERATORS,
    ok: 200,
    send: (c) => {
      const { body, contentType } = multipart([
        { name: 'drop.txt', content: '; Spamhaus DROP List 2015/09/14\n; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\n1.4.0.0/17 ; SBL256893\n' },
      ]);
      return c.request('POST', '/api/feeds/upload', body, { 'content-type': contentType });
    },
  },
  'GET /api/jobs': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/jobs') },
  'GET /api/jobs/:id': {
    allowed: STAFF,
    ok: 200,
    send: async (c, t) => c.request('GET', `/api/jobs/${await newJob(t, 'done')}`),
  },
  'GET /api/jobs/:id/progress': {
    allowed: STAFF,
    ok: 200,
    send: async (c, t) => c.request('GET', `/api/jobs/${await newJob(t, 'done')}/progress`),
  },
  'POST /api/jobs/:id/cancel': {
    allowed: OPERATORS,
    ok: 200,
    send: async (c, t) => c.request('POST', `/api/jobs/${await newJob(t, 'queued')}/cancel`),
  },
  'POST /api/jobs/:id/rerun': {
    allowed: OPERATORS,
    ok: 200,
    send: async (c, t) => c.request('POST', `/api/jobs/${await newJob(t, 'done')}/rerun`),
  },
  'GET /api/events': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/events?host=WS-1') },
  'GET /api/events/:id': {
    allowed: STAFF,
    ok: 200,
    send: async (c, t) => {
      const [e] = await t.server.store.events.search({ limit: 1 });
      return c.request('GET', `/api/events/${e!.id}`);
    },
  },
  'POST /api/hunts': {
    allowed: OPERATORS,
    ok: 200,
    send: (c) => c.request('POST', '/api/hunts', { rule: RULE }),
  },
  'GET /api/hunts/saved': { allowed: OPERATORS, ok: 200, send: (c) => c.request('GET', '/api/hunts/saved') },
  'POST /api/hunts/saved': {
    allowed: OPERATORS,
    ok: 201,
    send: (c) =>
      c.request('POST', '/api/hunts/saved', { name: 'a hunt', rule: RULE, within: { host: 'WS-1' } }),
  },
  'DELETE /api/hunts/saved/:id': {
    allowed: OPERATORS,
    ok: 204,
    send: async (c, t) => {
      const h = await t.server.store.savedHunts.save({
        name: 'to delete',
        rule: RULE,
        within: {},
        createdBy: 'x',
      });
      return c.request('DELETE', `/api/hunts/saved/${h.id}`);
    },
  },
  'GET /api/detections': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/detections?level=low'),
  },
  'GET /api/incidents': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    perIncident: 'list',
    send: (c) => c.request('GET', '/api/incidents'),
  },
  'GET /api/incidents/:id': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    perIncident: 'one',
    send: (c, t) => c.request('GET', `/api/incidents/${t.incidentByTlp[t.tlp]}`),
  },
  'PATCH /api/incidents/:id': {
    allowed: ['admin', 'coordinator'],
    ok: 200,
    perIncident: 'one',
    send: (c, t) => c.request('PATCH', `/api/incidents/${t.incidentByTlp[t.tlp]}`, { organisation: 'acme' }),
  },
  'GET /api/share/indicators': {
    allowed: ['admin', 'coordinator', 'partner'],
    ok: 200,
    perIncident: 'share',
    send: (c) => c.request('GET', '/api/share/indicators'),
  },
  'GET /api/rules': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/rules') },
  'GET /api/rules/:id': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/rules/0b7a0b7a-0000-4000-8000-000000000001'),
  },
  'GET /api/rules/:id/yaml': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/rules/0b7a0b7a-0000-4000-8000-000000000001/yaml'),
  },
  'PATCH /api/rules/:id': {
    allowed: ['admin', 'analyst'],
    ok: 200,
    send: (c) => c.request('PATCH', '/api/rules/0b7a0b7a-0000-4000-8000-000000000001', { enabled: true }),
  },
  'POST /api/rules/validate': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('POST', '/api/rules/validate', { yaml: RULE }),
  },
  'POST /api/rules': {
    allowed: ['admin', 'analyst'],
    ok: 201,
    send: (c) => c.request('POST', '/api/rules', { yaml: RULE.replace('000000000001', '000000000002') }),
  },
  'GET /api/rsit': { allowed: ALL, ok: 200, send: (c) => c.request('GET', '/api/rsit') },
  'GET /api/cases': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    perIncident: 'cases',
    send: (c) => c.request('GET', '/api/cases'),
  },
  'POST /api/cases': {
    allowed: OPERATORS,
    ok: 201,
    send: (c) =>
      c.request('POST', '/api/cases', {
        title: 'by hand',
        rsitClass: 'intrusions',
        rsitType: 'system-compromise',
      }),
  },
  'GET /api/cases/:id': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    perIncident: 'case',
    send: (c, t) => c.request('GET', `/api/cases/${t.caseByTlp[t.tlp]}`),
  },
  'PATCH /api/cases/:id': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: (c, t) => c.request('PATCH', `/api/cases/${t.caseByTlp[t.tlp]}`, { severity: 'high' }),
  },
  'POST /api/cases/:id/transition': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    // new → triage → new is not a move, so each cell toggles between triage and in-progress.
    send: async (c, t) => {
      const id = t.caseByTlp[t.tlp];
      const current = await t.server.store.cases.get(id);
      return c.request('POST', `/api/cases/${id}/transition`, {
        to:
          current?.status === 'triage'
            ? 'in-progress'
            : current?.status === 'in-progress'
              ? 'waiting'
              : current?.status === 'waiting'
                ? 'in-progress'
                : 'triage',
      });
    },
  },
  'POST /api/cases/:id/merge': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: async (c, t) => {
      const source = await t.server.store.cases.create({
        title: 'to merge',
        description: '',
        rsitClass: null,
        rsitType: null,
        tlp: 'CLEAR',
        pap: 'CLEAR',
        severity: 'low',
        priority: 'low',
        organisations: ['acme'],
        assignee: null,
        dueAt: null,
        incidentId: null,
        detectionIds: [],
        createdBy: 'fixture',
      });
      return c.request('POST', `/api/cases/${source.id}/merge`, { into: t.caseByTlp[t.tlp] });
    },
  },
  'POST /api/cases/:id/links': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: (c, t) =>
      c.request('POST', `/api/cases/${t.caseByTlp[t.tlp]}/links`, {
        case: t.caseByTlp.CLEAR === t.caseByTlp[t.tlp] ? t.caseByTlp.GREEN : t.caseByTlp.CLEAR,
      }),
  },
  'POST /api/cases/:id/tasks': {
    allowed: OPERATORS,
    ok: 201,
    perIncident: 'case',
    send: (c, t) => c.request('POST', `/api/cases/${t.caseByTlp[t.tlp]}/tasks`, { title: 'call the hoster' }),
  },
  'PATCH /api/cases/:id/tasks/:taskId': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: async (c, t) => {
      const id = t.caseByTlp[t.tlp];
      const task = await t.server.store.cases.addTask({ caseId: id, title: 'x', owner: null, dueAt: null });
      return c.request('PATCH', `/api/cases/${id}/tasks/${task.id}`, { done: true });
    },
  },
  'POST /api/cases/:id/comments': {
    allowed: [...OPERATORS, 'constituent'],
    ok: 201,
    perIncident: 'case',
    send: (c, t) =>
      c.request('POST', `/api/cases/${t.caseByTlp[t.tlp]}/comments`, { text: 'we have cleaned the host' }),
  },
  'POST /api/cases/:id/observables': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: (c, t) =>
      c.request('POST', `/api/cases/${t.caseByTlp[t.tlp]}/observables`, {
        type: 'ipv4',
        value: '203.0.113.9',
      }),
  },
  'POST /api/cases/:id/evidence': {
    allowed: OPERATORS,
    ok: 201,
    perIncident: 'case',
    send: (c, t) => {
      const { body, contentType } = multipart([{ name: 'mail.eml', content: 'Subject: x\r\n\r\nbody' }]);
      return c.request('POST', `/api/cases/${t.caseByTlp[t.tlp]}/evidence`, body, {
        'content-type': contentType,
      });
    },
  },
  'GET /api/cases/:id/evidence/:evidenceId': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    perIncident: 'case',
    send: async (c, t) => {
      const id = t.caseByTlp[t.tlp];
      const e = await t.server.store.cases.addEvidence(
        { caseId: id, name: 'x.txt', sha256: '0'.repeat(64), size: 1, path: join(t.server.dataDir, 'x.txt') },
        { at: 1, actor: 'fixture', action: 'added', note: null },
      );
      return c.request('GET', `/api/cases/${id}/evidence/${e.id}`);
    },
  },
  'GET /api/cases/:id/notifications': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    perIncident: 'case',
    send: (c, t) => c.request('GET', `/api/cases/${t.caseByTlp[t.tlp]}/notifications`),
  },
  'POST /api/cases/:id/notifications': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    // No SMTP server in this fixture: the notification is recorded as failed, which is still a 200.
    send: (c, t) =>
      c.request('POST', `/api/cases/${t.caseByTlp[t.tlp]}/notifications`, {
        reason: 'x',
        recipients: [{ email: 'a@b.example', partyKind: 'constituent' }],
      }),
  },
  'POST /api/notifications/:id/status': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: async (c, t) => {
      const n = await t.server.store.notifications.create({
        caseId: t.caseByTlp[t.tlp],
        recipient: 'a@b.example',
        recipientName: null,
        partyKind: 'cert',
        language: 'en',
        subject: 's',
        templateId: 'default-en',
      });
      return c.request('POST', `/api/notifications/${n.id}/status`, { status: 'acted' });
    },
  },
  'POST /api/inbox': {
    allowed: OPERATORS,
    ok: 200,
    send: (c) =>
      c.request('POST', '/api/inbox', 'From: a@b.example\r\nSubject: Re: [VIGIL#1]\r\n\r\nthanks\r\n', {
        'content-type': 'message/rfc822',
      }),
  },
  'POST /api/notifications/reminders': {
    allowed: OPERATORS,
    ok: 200,
    send: (c) => c.request('POST', '/api/notifications/reminders'),
  },
  'GET /api/templates': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/templates'),
  },
  'PUT /api/templates/:id': {
    allowed: ['admin', 'coordinator'],
    ok: 200,
    send: (c) =>
      c.request('PUT', '/api/templates/t-en', {
        rsitType: null,
        language: 'en',
        subject: '{{title}}',
        text: '{{summary}}',
      }),
  },
  'GET /api/figures': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/figures?week=2026-W47'),
  },
  'GET /api/reports/weekly': {
    allowed: [...STAFF, 'constituent', 'partner'],
    ok: 200,
    perIncident: 'report',
    send: (c, t) => c.request('GET', `/api/reports/weekly?week=2026-W19&tlp=${encodeURIComponent(t.tlp)}`),
  },
  'GET /api/reports/weekly/issues': {
    allowed: [...STAFF, 'constituent', 'partner'],
    ok: 200,
    perIncident: 'report-issues',
    send: (c) => c.request('GET', '/api/reports/weekly/issues'),
  },
  'GET /api/reports/weekly/issues/:id': {
    allowed: [...STAFF, 'constituent', 'partner'],
    ok: 200,
    perIncident: 'report-issue',
    send: (c, t) => c.request('GET', `/api/reports/weekly/issues/2026-W19-${encodeURIComponent(t.tlp)}`),
  },
  'GET /api/organisations': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/organisations') },
  'GET /api/organisations/:id': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/organisations/acme'),
  },
  'PUT /api/organisations/:id': {
    allowed: ['admin', 'coordinator'],
    ok: 200,
    send: (c, t) =>
      c.request('PUT', `/api/organisations/put${t.seq++}`, { name: 'Put Org', networks: ['192.0.2.0/24'] }),
  },
  'DELETE /api/organisations/:id': {
    allowed: ['admin', 'coordinator'],
    ok: 204,
    send: async (c, t) => {
      const id = `gone${t.seq++}`;
      await t.server.store.constituency.putOrganisation({ ...MATRIX_ORG, id });
      return c.request('DELETE', `/api/organisations/${id}`);
    },
  },
  'GET /api/parties': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/parties?kind=hosting') },
  'GET /api/parties/:id': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/parties/example-hosting'),
  },
  'PUT /api/parties/:id': {
    allowed: ['admin', 'coordinator'],
    ok: 200,
    send: (c, t) =>
      c.request('PUT', `/api/parties/put${t.seq++}`, {
        name: 'Put Party',
        kind: 'registrar',
        domains: ['example'],
        contacts: [{ email: 'abuse@registrar.example' }],
      }),
  },
  'DELETE /api/parties/:id': {
    allowed: ['admin', 'coordinator'],
    ok: 204,
    send: async (c, t) => {
      const id = `gone${t.seq++}`;
      await t.server.store.constituency.putParty({ ...MATRIX_PARTY, id });
      return c.request('DELETE', `/api/parties/${id}`);
    },
  },
  'POST /api/constituency/import': {
    allowed: ['admin', 'coordinator'],
    ok: 200,
    send: (c, t) =>
      c.request('POST', '/api/constituency/import', {
        format: 'csv',
        records: 'organisations',
        csv: `id,name,networks\nimported${t.seq++},Imported,198.51.100.0/25\n`,
      }),
  },
  'GET /api/constituency/export': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/constituency/export?format=csv&records=parties'),
  },
  // A constituent: the published advisories sent to its organisation, its matches and inventory (scope.ts;
  // what it may not see is tested in test/server/advisories-constituent.test.ts).
  'GET /api/advisories': { allowed: [...STAFF, 'constituent'], ok: 200, send: (c) => c.request('GET', '/api/advisories') },
  'POST /api/advisories': {
    allowed: OPERATORS,
    ok: 201,
    send: (c) => c.request('POST', '/api/advisories', ADVISORY),
  },
  'GET /api/advisories/:id': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    send: async (c, t) => c.request('GET', `/api/advisories/${await publishedToAcme(t)}?format=csaf`),
  },
  'PUT /api/advisories/:id': {
    allowed: OPERATORS,
    ok: 200,
    send: async (c, t) => c.request('PUT', `/api/advisories/${await ownAdvisory(t, 'draft')}`, ADVISORY),
  },
  'POST /api/advisories/:id/submit': {
    allowed: OPERATORS,
    ok: 200,
    send: async (c, t) => c.request('POST', `/api/advisories/${await ownAdvisory(t, 'draft')}/submit`, {}),
  },
  'POST /api/advisories/:id/return': {
    allowed: OPERATORS,
    ok: 200,
    send: async (c, t) => c.request('POST', `/api/advisories/${await ownAdvisory(t, 'review')}/return`, { note: 'again' }),
  },
  'POST /api/advisories/:id/publish': {
    allowed: ['admin', 'coordinator'],
    ok: 200,
    send: async (c, t) => c.request('POST', `/api/advisories/${await ownAdvisory(t, 'review')}/publish`),
  },
  'POST /api/advisories/import': {
    allowed: OPERATORS,
    ok: 200,
    send: (c, t) =>
      c.request('POST', '/api/advisories/import', {
        document: {
          dataType: 'CVE_RECORD',
          dataVersion: '5.1',
          cveMetadata: { cveId: `CVE-2099-${String(1000 + t.seq++)}`, state: 'PUBLISHED' },
          containers: { cna: { affected: [{ vendor: 'Acme', product: 'Widget', defaultStatus: 'affected' }] } },
        },
      }),
  },
  'GET /api/advisories/records': { allowed: STAFF, ok: 200, send: (c) => c.request('GET', '/api/advisories/records?kind=cve') },
  'GET /api/advisories/matches': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    send: (c) => c.request('GET', '/api/advisories/matches?organisation=acme'),
  },
  'GET /api/constituency/organisations/:id/software': {
    allowed: [...STAFF, 'constituent'],
    ok: 200,
    send: (c) => c.request('GET', '/api/constituency/organisations/acme/software'),
  },
  'POST /api/constituency/organisations/:id/software': {
    allowed: OPERATORS,
    ok: 200,
    send: (c) =>
      c.request('POST', '/api/constituency/organisations/acme/software', { entries: [{ vendor: 'Acme', product: 'Widget', version: '1.0' }] }),
  },
  'GET /api/lookup': {
    allowed: STAFF,
    ok: 200,
    send: (c) => c.request('GET', '/api/lookup?target=hxxp://203.0.113.9/x'),
  },
  'GET /api/cases/:id/audit': {
    allowed: STAFF,
    ok: 200,
    perIncident: 'case',
    send: (c, t) => c.request('GET', `/api/cases/${t.caseByTlp[t.tlp]}/audit`),
  },
  'GET /api/cases/:id/parties': {
    allowed: OPERATORS,
    ok: 200,
    perIncident: 'case',
    send: (c, t) => c.request('GET', `/api/cases/${t.caseByTlp[t.tlp]}/parties`),
  },
};

async function fixture(): Promise<{
  t: Fixture;
  clientFor: (role: Role) => Promise<Client>;
  close: () => Promise<void>;
}> {
  const server = await startTestServer();
  const rules = join(server.dataDir, 'pack');
  mkdirSync(rules);
  writeFileSync(join(rules, 'matrix.yml'), RULE);
  writeFileSync(join(server.dataDir, 'x.txt'), 'x');
  // The catalog was built with no pack; give it this one.
  (server.server.context.rules as { packPaths: readonly string[] }).packPaths = [rules];
  const store = server.store;
  await store.events.add([
    {
      timestamp: Date.UTC(2026, 4, 10),
      source: { kind: 'winjson', file: 'x.json', line: 1 },
      fields: {
        Computer: 'WS-1',
        EventID: 1,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Image: 'C:\\Windows\\System32\\whoami.exe',
      },
    },
  ]);
  const incidentByTlp = {} as Record<Tlp, string>;
  for (const [i, tlp] of TLP_LEVELS.entries()) {
    const id = `INC-${i}`;
    incidentByTlp[tlp] = id;
    await store.incidents.put({
      id,
      title: `incident at ${tlp}`,
      firstSeen: Date.UTC(2026, 4, 10),
      lastSeen: Date.UTC(2026, 4, 11),
      detectionIds: [],
      analysis: {
        id,
        infrastructure: [
          { ip: `198.51.100.${i + 1}`, country: 'US', asn: 64500, roles: ['command-and-control'] },
        ],
      },
    });
    await store.handling.set({ incidentId: id, tlp, organisation: 'acme' });
  }
  const caseByTlp = {} as Record<Tlp, string>;
  for (const tlp of TLP_LEVELS) {
    const c = await store.cases.create({
      title: `case at ${tlp}`,
      description: '',
      rsitClass: null,
      rsitType: null,
      tlp,
      pap: 'AMBER',
      severity: 'medium',
      priority: 'normal',
      organisations: ['acme'],
      assignee: null,
      dueAt: null,
      incidentId: null,
      detectionIds: [],
      createdBy: 'fixture',
    });
    caseByTlp[tlp] = c.id;
  }
  // Another organisation's incident at CLEAR: staff see it, the acme constituent never does.
  await store.incidents.put({
    id: 'INC-other',
    title: 'other org',
    firstSeen: 1,
    lastSeen: 2,
    detectionIds: [],
    analysis: {},
  });
  await store.handling.set({ incidentId: 'INC-other', tlp: 'CLEAR', organisation: 'other' });
  await store.constituency.putOrganisation(MATRIX_ORG);
  await store.constituency.putParty(MATRIX_PARTY);
  // One archived weekly report issue per TLP.
  for (const tlp of TLP_LEVELS)
    await store.weeklyReports.put({
      week: '2026-W19',
      tlp,
      generatedAt: 1,
      report: { week: '2026-W19', tlp },
    });

  let n = 0;
  // Sessions and tokens are written straight into the store: a scrypt per cell would take minutes.
  const hash = await hashPassword(PASSWORD);
  const clientFor = async (role: Role): Promise<Client> => {
    const username = `${role}${n++}`;
    const user = await store.accounts.createUser({
      username,
      role,
      organisation: role === 'constituent' ? 'acme' : null,
      tlpClearance: CLEARANCE[role],
      passwordHash: hash,
    });
    const secret = `secret-${n}`;
    if (role === 'partner') {
      await store.accounts.createToken({
        userId: user.id,
        name: 'partner',
        tokenHash: sha256(`vgl_${secret}`),
        scopes: permissionsOf('partner'),
        expiresAt: null,
      });
      return withToken(server.server, username, `vgl_${secret}`);
    }
    await store.accounts.createSession({
      tokenHash: sha256(secret),
      userId: user.id,
      csrf: `csrf-${n}`,
      createdAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
    });
    return sessionClient(server.server, username, secret, `csrf-${n}`);
  };
  return {
    t: { server, incidentByTlp, caseByTlp, tlp: 'CLEAR', seq: 0 },
    clientFor,
    close: () => server.close(),
  };
}

test('every registered route has a row in the matrix, and every row a route', async () => {
  const { t, close } = await fixture();
  try {
    assert.deepEqual([...t.server.server.routes].sort(), Object.keys(ROUTES).sort());
  } finally {
    await close();
  }
});

test('authorisation matrix: every role × route × TLP level', async () => {
  const { t, clientFor, close } = await fixture();
  const failures: string[] = [];
  let cells = 0;
  try {
    for (const [route, cell] of Object.entries(ROUTES)) {
      for (const role of ROLES) {
        for (const [level, tlp] of TLP_LEVELS.entries()) {
          t.tlp = tlp;
          cells++;
          // A fresh principal per cell: logout and password changes end sessions.
          const client = await clientFor(role);
          const response = await cell.send(client, t);
          const allowed = cell.allowed === 'public' || cell.allowed.includes(role);
          let expected = allowed ? cell.ok : 403;
          if (route === 'POST /api/auth/login' && role === 'partner') expected = 401;
          if (
            allowed &&
            (cell.perIncident === 'one' || cell.perIncident === 'case') &&
            !SEES_INCIDENT[role][level]
          )
            expected = 404;
          if (allowed && cell.perIncident === 'report' && !READS_REPORT[role][level]) expected = 403;
          if (allowed && cell.perIncident === 'report-issue' && !READS_REPORT[role][level]) expected = 404;
          const where = `${route} as ${role} (${CLEARANCE[role]}) on a ${tlp} incident`;
          if (response.statusCode !== expected) {
            failures.push(
              `${where}: ${response.statusCode}, expected ${expected} — ${response.body.slice(0, 120)}`,
            );
            continue;
          }
          if (allowed && cell.perIncident === 'list') {
            const ids = (json(response) as { id: string }[]).map((i) => i.id);
            const seen = ids.includes(t.incidentByTlp[tlp]);
            if (seen !== Boolean(SEES_INCIDENT[role][level])) failures.push(`${where}: listed ${seen}`);
            if (ids.includes('INC-other') !== (role !== 'constituent'))
              failures.push(
                `${where}: the other organisation's incident listed ${ids.includes('INC-other')}`,
              );
          }
          if (allowed && cell.perIncident === 'cases') {
            const ids = (json(response) as { id: string }[]).map((i) => i.id);
            if (ids.includes(t.caseByTlp[tlp]) !== Boolean(SEES_INCIDENT[role][level]))
              failures.push(`${where}: case listed ${ids.includes(t.caseByTlp[tlp])}`);
          }
          if (allowed && cell.perIncident === 'report-issues') {
            const ids = (json(response) as { id: string }[]).map((i) => i.id);
            const listed = ids.includes(`2026-W19-${tlp}`);
            if (listed !== Boolean(READS_REPORT[role][level]))
              failures.push(`${where}: issue listed ${listed}`);
          }
          if (allowed && cell.perIncident === 'share') {
            const ips = (json(response) as { ip: string }[]).map((i) => i.ip);
            const shared = ips.includes(`198.51.100.${level + 1}`);
            if (shared !== Boolean(SHARES[role][level])) failures.push(`${where}: shared ${shared}`);
          }
        }
      }
    }
  } finally {
    await close();
  }
  assert.equal(cells, Object.keys(ROUTES).length * ROLES.length * TLP_LEVELS.length);
  assert.deepEqual(failures, []);
});
