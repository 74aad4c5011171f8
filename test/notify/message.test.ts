// Composing a notification: templates by type and language, TLP refusal, escaping, CSV safety.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, type NotificationInput } from '../../src/notify/message.js';
import {
  chooseTemplate,
  DEFAULT_TEMPLATES,
  render,
  unknownPlaceholders,
} from '../../src/notify/templates.js';
import { dueAction } from '../../src/notify/tracking.js';

const input: NotificationInput = {
  ticket: 'VIGIL#7',
  tlp: 'GREEN',
  title: 'Title\r\nBcc: victim@example.com',
  summary: 'summary',
  rsitType: 'system-compromise',
  reason: 'reason',
  observables: [{ type: 'ipv4', value: '198.51.100.1' }],
  team: { name: 'CERT', email: 'cert@example.org', domain: 'example.org' },
  recipient: {
    email: 'a@example.net',
    name: null,
    language: 'zh-CN',
    tlpClearance: 'AMBER',
    format: 'email',
    partyKind: 'constituent',
  },
};

test('templates: exact type and language first, then any type, then English', () => {
  assert.equal(chooseTemplate(DEFAULT_TEMPLATES, 'system-compromise', 'en').id, 'system-compromise-en');
  assert.equal(chooseTemplate(DEFAULT_TEMPLATES, 'system-compromise', 'zh-CN').id, 'default-zh');
  assert.equal(chooseTemplate(DEFAULT_TEMPLATES, 'spam', 'fr').id, 'default-en');
  assert.equal(render('{{title}} {{unknown}}', { title: 'x' } as never), 'x {{unknown}}');
  assert.deepEqual(unknownPlaceholders({ subject: '{{ticket}}', text: '{{tilte}} {{team}}' }), ['tilte']);
});

test('compose: a one-line subject (no header injection), TLP marking first, refused above the clearance', () => {
  const ok = compose(input, DEFAULT_TEMPLATES);
  assert.ok(ok.ok);
  assert.equal(ok.message.subject, '[VIGIL#7] [TLP:GREEN] Title Bcc: victim@example.com');
  assert.match(ok.message.text, /^TLP:GREEN\n/);
  assert.equal(ok.message.templateId, 'default-zh');
  const refused = compose({ ...input, tlp: 'RED' }, DEFAULT_TEMPLATES);
  assert.deepEqual(refused, {
    ok: false,
    reason: 'the case is TLP:RED, above what a@example.net is cleared for (TLP:AMBER)',
  });
});

test('tracking: a reminder after the wait, escalation after the second, nothing for answered ones', () => {
  const policy = { remindAfterMs: 10, escalateAfterMs: 20 };
  assert.equal(dueAction({ status: 'sent', sentAt: 0, remindedAt: null }, 9, policy), null);
  assert.equal(dueAction({ status: 'sent', sentAt: 0, remindedAt: null }, 10, policy), 'remind');
  assert.equal(dueAction({ status: 'delivered', sentAt: 0, remindedAt: 10 }, 29, policy), null);
  assert.equal(dueAction({ status: 'sent', sentAt: 0, remindedAt: 10 }, 30, policy), 'escalate');
  assert.equal(dueAction({ status: 'acknowledged', sentAt: 0, remindedAt: null }, 100, policy), null);
});

test('notification CSV: quoted where needed, and never a spreadsheet formula', async () => {
  const { csvField } = await import('../../src/notify/message.js');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('-2'), "'-2");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
});
