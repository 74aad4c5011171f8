// Observables named by a detection's fields: addresses, Sysmon hashes, queried domains, accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observablesOf } from '../../src/cases/from-detection.js';

test('addresses, hashes, domains and accounts from key fields; nobody-accounts and junk left out', () => {
  const found = observablesOf({
    fields: {
      Image: 'C:\\Windows\\System32\\cmd.exe',
      DestinationIp: '203.0.113.80',
      SourceIp: '2001:DB8::1',
      Hashes: 'SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=D41D8CD98F00B204E9800998ECF8427E,IMPHASH=00',
      QueryName: 'Evil.Example.',
      TargetUserName: 'svc-backup',
      User: 'NT AUTHORITY\\SYSTEM',
      SubjectUserName: '-',
      IpAddress: ['198.51.100.7', 'not an ip'],
      CommandLine: 'ping 192.0.2.1',
    },
  });
  assert.deepEqual(found.map((o) => `${o.type}:${o.value}`).sort(), [
    'account:svc-backup',
    'domain:evil.example',
    'ipv4:198.51.100.7',
    'ipv4:203.0.113.80',
    'ipv6:2001:db8::1',
    'md5:d41d8cd98f00b204e9800998ecf8427e',
    'sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709',
  ]);
});
