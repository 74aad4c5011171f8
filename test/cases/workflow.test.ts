// The case workflow table, observable normalisation, RSIT and cross-border derivation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseObservable, type ObservableType } from '../../src/cases/observables.js';
import { isRsit, rsit } from '../../src/cases/rsit.js';
import { CASE_STATES, checkTransition, type CaseState } from '../../src/cases/workflow.js';

test('workflow: the allowed moves, every other pair refused, and reasons where they are required', () => {
  const allowed: Record<CaseState, CaseState[]> = {
    new: ['triage', 'in-progress', 'rejected', 'duplicate'],
    triage: ['in-progress', 'waiting', 'rejected', 'duplicate'],
    'in-progress': ['waiting', 'resolved', 'rejected', 'duplicate'],
    waiting: ['in-progress', 'resolved'],
    resolved: ['closed', 'in-progress'],
    closed: ['in-progress'],
    rejected: ['triage'],
    duplicate: ['triage'],
  };
  for (const from of CASE_STATES)
    for (const to of CASE_STATES) {
      const result = checkTransition(from, to, 'because');
      assert.equal(result.ok, allowed[from].includes(to), `${from} → ${to}`);
    }
  assert.deepEqual(checkTransition('new', 'rejected', undefined), {
    ok: false,
    code: 'reason-required',
    message: 'a case marked rejected needs a reason',
  });
  assert.equal(checkTransition('triage', 'duplicate', '  ').ok, false);
  assert.equal(checkTransition('closed', 'resolved', 'x').ok, false);
});

test('observables: one canonical form per value, and a reason for what is not one', () => {
  const cases: [ObservableType, string, string | null][] = [
    ['ipv4', ' 203.0.113.7 ', '203.0.113.7'],
    ['ipv4', '203.0.113.300', null],
    ['ipv6', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['ipv6', '203.0.113.7', null],
    ['domain', 'Mail.Example.COM.', 'mail.example.com'],
    ['domain', 'not a domain', null],
    ['domain', '<script>.example', null],
    ['url', 'HTTP://Example.com/a b?x=1', 'http://example.com/a%20b?x=1'],
    ['url', 'javascript:alert(1)', null],
    ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd8070', null],
    [
      'sha256',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    ['email', 'Abuse@Example.NET', 'abuse@example.net'],
    ['email', 'abuse@', null],
    ['account', 'CORP\\svc-backup', 'CORP\\svc-backup'],
    ['account', '', null],
  ];
  for (const [type, raw, expected] of cases) {
    const got = normaliseObservable(type, raw);
    if (expected === null) assert.ok('problem' in got, `${type} ${raw}`);
    else assert.deepEqual(got, { value: expected }, `${type} ${raw}`);
  }
});

test('RSIT: ENISA classes and types, the class alone accepted, unknown pairs refused', () => {
  assert.equal(rsit().classes.length, 11);
  assert.equal(
    rsit().classes.reduce((n, c) => n + c.types.length, 0),
    39,
  );
  assert.ok(isRsit('intrusions', 'system-compromise'));
  assert.ok(isRsit('malicious-code', null));
  assert.ok(!isRsit('intrusions', 'spam'));
  assert.ok(!isRsit('hacking', null));
});
