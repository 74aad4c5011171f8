// Coordination mail on a real SMTP exchange on loopback: Vigil sends through nodemailer to an SMTP
// server (smtp-server) that stands in for the recipients' relay, and mailparser reads back what
// arrived; replies and a bounce come back to Vigil's own SMTP listener; reminders and escalation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { openTestPostgres, POSTGRES_URL, postgresProblem } from '../helpers/postgres.js';
import { addUser, signIn, startTestServer } from './support.js';
import { relay } from '../helpers/smtp-relay.js';

async function waitFor<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined) return got;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const HOUR = 3_600_000;

const pgProblem = await postgresProblem();
if (pgProblem !== null && process.env.CI === 'true')
  test('PostgreSQL is reachable (required under CI)', () =>
    assert.fail(`PostgreSQL at ${POSTGRES_URL}: ${pgProblem}`));
if (pgProblem !== null && process.env.CI !== 'true')
  console.warn(
    `\n*** SKIPPED: PostgreSQL at ${POSTGRES_URL} is not reachable (${pgProblem}): notifications on PostgreSQL are NOT tested ***\n`,
  );

for (const engine of pgProblem === null ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const))
  test(`${engine}: notifications on a real SMTP exchange: content, TLP, attachments, replies threaded back, a bounce, a reminder, escalation`, async () => {
    const out = await relay();
    const pgStore = engine === 'postgres' ? await openTestPostgres() : undefined;
    const t = await startTestServer({
      ...(pgStore ? { store: pgStore.store, storeUrl: pgStore.storeUrl } : {}),
      smtp: { host: '127.0.0.1', port: out.port, from: 'cert@vigil.example', fromName: 'Example CERT' },
      team: { name: 'Example CERT', email: 'cert@vigil.example', domain: 'vigil.example' },
      smtpListen: { host: '127.0.0.1', port: 0 },
      reminders: { remindAfterMs: 2 * HOUR, escalateAfterMs: 3 * HOUR },
    });
    try {
      await addUser(t.store, 'coord', 'coordinator', 'AMBER+STRICT');
      const coord = await signIn(t.server, 'coord');
      const c = (
        await coord.request('POST', '/api/cases', {
          title: 'Web shell <script>alert(1)</script> on EXCH01',
          description: 'A web shell was written by w3wp.exe and ran whoami.',
          rsitClass: 'intrusions',
          rsitType: 'system-compromise',
          tlp: 'AMBER',
          organisations: ['ACME'],
        })
      ).json<{ id: string; ticket: string }>();
      await coord.request('POST', `/api/cases/${c.id}/observables`, { type: 'ipv4', value: '203.0.113.80' });
      await coord.request('POST', `/api/cases/${c.id}/observables`, {
        type: 'domain',
        value: 'evil.example',
      });

      const sent = await coord.request('POST', `/api/cases/${c.id}/notifications`, {
        reason: 'The attacker used your network; please take the server down.',
        recipients: [
          { email: 'abuse@hoster.example', name: 'Example Hosting', partyKind: 'hosting', format: 'x-arf' },
          { email: 'security@acme.example', name: 'ACME security', partyKind: 'constituent' },
          {
            email: 'cert@foreign-cert.example',
            name: 'Foreign CERT',
            partyKind: 'cert',
            tlpClearance: 'AMBER',
            format: 'x-arf',
          },
        ],
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const results = sent.json<{ recipient: string; ok: boolean; reason?: string }[]>();
      assert.deepEqual(
        results.map((r) => [r.recipient, r.ok]),
        [
          ['abuse@hoster.example', false],
          ['security@acme.example', true],
          ['cert@foreign-cert.example', true],
        ],
      );
      assert.match(
        results[0]!.reason!,
        /TLP:AMBER, above what abuse@hoster\.example is cleared for \(TLP:GREEN\)/,
      );
      await waitFor(() => (out.received.length >= 2 ? true : undefined));
      assert.equal(out.received.length, 2, 'nothing went to the recipient not cleared for AMBER');
      const toCert = out.received.find((r) => r.to.includes('cert@foreign-cert.example'))!.mail;
      assert.equal(
        toCert.subject,
        `[${c.ticket}] [TLP:AMBER] Compromised system: Web shell <script>alert(1)</script> on EXCH01`,
      );
      assert.match(toCert.text ?? '', /^TLP:AMBER/);
      assert.match(toCert.text ?? '', /ipv4: 203\.0\.113\.80/);
      assert.ok(toCert.html && !toCert.html.includes('<script>'), 'the title is escaped in HTML');
      assert.ok(toCert.html.includes('&#60;script&#62;'));
      const csv = toCert.attachments.find((a) => a.filename === 'observables.csv')!.content.toString();
      assert.equal(csv, 'type,value\r\nipv4,203.0.113.80\r\ndomain,evil.example\r\n');
      const xarf = JSON.parse(
        toCert.attachments.find((a) => a.filename === 'x-arf.json')!.content.toString(),
      ) as { xarf_version: string; source_identifier: string; category: string; type: string }[];
      assert.deepEqual(
        xarf.map((x) => [x.xarf_version, x.source_identifier, x.category, x.type]),
        [
          ['4.2.0', '203.0.113.80', 'infrastructure', 'compromised_server'],
          ['4.2.0', 'evil.example', 'infrastructure', 'compromised_server'],
        ],
      );
      const toAcme = out.received.find((r) => r.to.includes('security@acme.example'))!.mail;
      assert.equal(
        toAcme.attachments.map((a) => a.filename).join(),
        'observables.csv',
        'no X-ARF for a constituent by e-mail',
      );

      // A reply to the CERT's message comes back to Vigil's SMTP listener.
      const mailer = nodemailer.createTransport({
        host: '127.0.0.1',
        port: t.server.mailPort!,
        secure: false,
        ignoreTLS: true,
      });
      await mailer.sendMail({
        from: 'cert@foreign-cert.example',
        to: 'cert@vigil.example',
        subject: `Re: ${toCert.subject}`,
        text: 'We have informed the provider; the server is down.',
        inReplyTo: toCert.messageId,
        references: [toCert.messageId!],
      });
      const notifications = async () =>
        (await coord.request('GET', `/api/cases/${c.id}/notifications`)).json<
          { id: string; recipient: string; status: string; history: { status: string }[] }[]
        >();
      let certStatus = '';
      for (let i = 0; i < 100 && certStatus !== 'acknowledged'; i++) {
        certStatus = (await notifications()).find((n) => n.recipient === 'cert@foreign-cert.example')!.status;
        if (certStatus !== 'acknowledged') await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(certStatus, 'acknowledged');
      const detail = (await coord.request('GET', `/api/cases/${c.id}`)).json<{
        comments: { author: string; text: string }[];
      }>();
      assert.ok(
        detail.comments.some(
          (x) => x.author === 'cert@foreign-cert.example' && x.text.includes('the server is down'),
        ),
      );

      // The constituent's address bounces: a delivery-status report naming the original message.
      await mailer.sendMail({
        from: 'MAILER-DAEMON@mx.acme.example',
        to: 'cert@vigil.example',
        subject: 'Undelivered Mail Returned to Sender',
        text: `This is the mail system. Your message could not be delivered.\n\nMessage-ID: ${toAcme.messageId}\nSubject: ${toAcme.subject}\n`,
      });
      let acmeStatus = '';
      for (let i = 0; i < 100 && acmeStatus !== 'bounced'; i++) {
        acmeStatus = (await notifications()).find((n) => n.recipient === 'security@acme.example')!.status;
        if (acmeStatus !== 'bounced') await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(acmeStatus, 'bounced');

      // A second notification nobody answers: a reminder in its thread, then no-answer and a task.
      await coord.request('POST', `/api/cases/${c.id}/notifications`, {
        reason: 'Registrar of evil.example',
        recipients: [{ email: 'abuse@registrar.example', partyKind: 'registrar', tlpClearance: 'AMBER' }],
      });
      await waitFor(() => (out.received.length >= 3 ? true : undefined));
      const first = out.received[2]!.mail;
      const quiet = (await notifications()).find((n) => n.recipient === 'abuse@registrar.example')!;
      assert.deepEqual(await t.server.context.notifier.remind(Date.now() + HOUR), {
        reminded: [],
        escalated: [],
      });
      const reminded = await t.server.context.notifier.remind(Date.now() + 2 * HOUR + 1);
      assert.deepEqual(reminded, { reminded: [quiet.id], escalated: [] });
      await waitFor(() => (out.received.length >= 4 ? true : undefined));
      const reminder = out.received[3]!.mail;
      assert.equal(reminder.subject, `Reminder: ${first.subject}`);
      assert.equal(reminder.inReplyTo, first.messageId);
      const escalated = await t.server.context.notifier.remind(Date.now() + 5 * HOUR + 2);
      assert.deepEqual(escalated, { reminded: [], escalated: [quiet.id] });
      const after = (await notifications()).find((n) => n.id === quiet.id)!;
      assert.deepEqual(
        after.history.map((h) => h.status),
        ['queued', 'sent', 'sent', 'no-answer'],
      );
      const tasks = (await coord.request('GET', `/api/cases/${c.id}`)).json<{ tasks: { title: string }[] }>()
        .tasks;
      assert.ok(
        tasks.some((x) => x.title === 'Escalate: no answer from abuse@registrar.example (registrar)'),
      );
      mailer.close();
      // And the case is carried to its end: worked, resolved with the parties' answers, closed.
      for (const to of ['in-progress', 'resolved', 'closed'])
        assert.equal(
          (await coord.request('POST', `/api/cases/${c.id}/transition`, { to })).statusCode,
          200,
          to,
        );
      const closed = (await coord.request('GET', `/api/cases/${c.id}`)).json<{
        status: string;
        resolvedAt: number | null;
      }>();
      assert.equal(closed.status, 'closed');
      assert.ok(closed.resolvedAt !== null);
    } finally {
      await t.close();
      await out.close();
      await pgStore?.drop();
    }
  });

test('replies by upload are matched by the ticket tag; unmatched mail is refused; templates are edited and checked', async () => {
  const t = await startTestServer();
  try {
    await addUser(t.store, 'coord', 'coordinator', 'AMBER+STRICT');
    const coord = await signIn(t.server, 'coord');
    const c = (
      await coord.request('POST', '/api/cases', { title: 'Phishing', organisations: ['ACME'] })
    ).json<{ id: string; ticket: string }>();
    const eml = `From: Someone <someone@acme.example>\r\nTo: cert@vigil.example\r\nSubject: About [${c.ticket}]\r\nMessage-ID: <x1@acme.example>\r\n\r\nThe page is gone.\r\n`;
    const ok = await coord.request('POST', '/api/inbox', eml, { 'content-type': 'message/rfc822' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json<{ caseId: string }>().caseId, c.id);
    const none = await coord.request(
      'POST',
      '/api/inbox',
      'From: x@y.example\r\nSubject: hello\r\n\r\nhi\r\n',
      { 'content-type': 'message/rfc822' },
    );
    assert.equal(none.statusCode, 422);
    // Without an SMTP server, a notification is recorded as failed, not lost.
    const failed = await coord.request('POST', `/api/cases/${c.id}/notifications`, {
      reason: 'x',
      recipients: [{ email: 'a@b.example', partyKind: 'constituent' }],
    });
    assert.equal(failed.json<{ ok: boolean; reason: string }[]>()[0]?.reason, 'no SMTP server configured');
    const bad = await coord.request('PUT', '/api/templates/phishing-en', {
      rsitType: 'phishing',
      language: 'en',
      subject: '{{titel}}',
      text: 'x',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ message: string }>().message, /\{\{titel\}\}/);
    const good = await coord.request('PUT', '/api/templates/phishing-en', {
      rsitType: 'phishing',
      language: 'en',
      subject: 'Phishing site: {{title}}',
      text: 'Please take down: {{observables}}',
    });
    assert.equal(good.statusCode, 200);
    const ids = (await coord.request('GET', '/api/templates')).json<{ id: string }[]>().map((x) => x.id);
    assert.ok(ids.includes('phishing-en') && ids.includes('default-en'));
  } finally {
    await t.close();
  }
});

test('replies from a Maildir and from a folder of .eml files: taken onto the case and moved aside; others stay', async () => {
  for (const layout of ['maildir', 'eml'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mail-'));
    const inbox = layout === 'maildir' ? join(dir, 'new') : dir;
    if (layout === 'maildir') mkdirSync(inbox);
    const t = await startTestServer({ mailDir: dir });
    try {
      await addUser(t.store, 'coord', 'coordinator', 'AMBER+STRICT');
      const coord = await signIn(t.server, 'coord');
      const c = (
        await coord.request('POST', '/api/cases', { title: 'Phishing', organisations: ['ACME'] })
      ).json<{ id: string; ticket: string }>();
      const name = layout === 'maildir' ? '1700000000.M1P1.host' : 'reply.eml';
      writeFileSync(
        join(inbox, name),
        `From: soc@acme.example\r\nSubject: Re: [${c.ticket}] taken down\r\n\r\nDone.\r\n`,
      );
      writeFileSync(
        join(inbox, layout === 'maildir' ? '1700000001.M2P1.host' : 'other.eml'),
        'From: x@y.example\r\nSubject: hello\r\n\r\nnot about a case\r\n',
      );
      await t.server.readMailFolder();
      const comments = (await coord.request('GET', `/api/cases/${c.id}`)).json<{
        comments: { author: string; text: string }[];
      }>().comments;
      assert.deepEqual(
        comments.map((x) => x.author),
        ['soc@acme.example'],
        layout,
      );
      if (layout === 'maildir') {
        assert.deepEqual(readdirSync(join(dir, 'cur')).sort(), [
          '1700000000.M1P1.host:2,S',
          '1700000001.M2P1.host:2,S',
        ]);
        assert.deepEqual(readdirSync(inbox), []);
      } else assert.deepEqual(readdirSync(dir).sort(), ['other.eml.done', 'reply.eml.done']);
      const unmatched = (await t.store.audit.list()).filter((e) => e.action === 'mail.unmatched');
      assert.equal(unmatched.length, 1, 'unmatched mail is on record');
    } finally {
      await t.close();
    }
  }
});
