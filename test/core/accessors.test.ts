import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonFields } from '../../src/core/accessors.js';
import type { Event } from '../../src/core/event.js';

const at = (kind: Event['source']['kind'], fields: Event['fields']): Event => ({
  timestamp: 0,
  source: { kind, file: 'x' },
  fields,
});

test('zeek conn: originator is src, orig_bytes is what it sent', () => {
  const c = commonFields(
    at('zeek', {
      'id.orig_h': '10.0.0.5',
      'id.resp_h': '45.1.2.3',
      'id.resp_p': 443,
      orig_bytes: 5000,
      resp_bytes: 20,
    }),
  );
  assert.deepEqual(
    [c.srcIp, c.dstIp, c.dstPort, c.bytesOut, c.bytesIn, c.host],
    ['10.0.0.5', '45.1.2.3', 443, 5000, 20, null],
  );
});

test('windows logon: Computer is host, TargetUserName before SubjectUserName, "-" is no value', () => {
  const c = commonFields(
    at('evtx', { Computer: 'WS-014', TargetUserName: 'alice', SubjectUserName: 'WS-014$', IpAddress: '-' }),
  );
  assert.deepEqual([c.host, c.user, c.srcIp], ['WS-014', 'alice', null]);
});

test('w3c: client ip and bytes', () => {
  const c = commonFields(
    at('w3c', { 'c-ip': '1.2.3.4', 's-ip': '10.0.0.1', 'sc-bytes': '1234', 's-port': '443' }),
  );
  assert.deepEqual([c.srcIp, c.dstIp, c.bytesIn, c.dstPort], ['1.2.3.4', '10.0.0.1', 1234, 443]);
});
