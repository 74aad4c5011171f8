// W3C logs whose #Fields: header changes mid-file (IIS restarts, Exchange's comma-separated logs) and
// winlogbeat / ECS JSON, with the fixtures written inline.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOne, tempDir } from './support.js';

process.env.TZ = 'Australia/Adelaide'; // +09:30/+10:30: a local-time reading would show

const iso = (ms: number): string => new Date(ms).toISOString();

describe('W3C: the #Fields: header changes mid-file', () => {
  it('IIS: every record takes the columns of the header above it', async () => {
    const lines = [
      '#Software: Microsoft Internet Information Services 10.0', // 1
      '#Version: 1.0',
      '#Date: 2026-05-10 02:00:00',
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status time-taken',
      '2026-05-10 02:13:58 10.0.0.10 POST /owa/auth/x.js - 443 - 203.0.113.77 ExchangeServicesClient/0.0.0.0 200 31', // 5
      '2026-05-10 02:14:02 10.0.0.10 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory 443 - 203.0.113.77 python-requests/2.25.1 200 640',
      // IIS restarted: a new header block, columns reordered, some gone, one new.
      '#Software: Microsoft Internet Information Services 10.0',
      '#Version: 1.0',
      '#Date: 2026-05-10 02:15:00',
      '#Fields: date time cs-uri-stem cs-uri-query c-ip sc-status s-computername', // 10
      '2026-05-10 02:15:29 /aspnet_client/errorEE.aspx cmd=whoami 203.0.113.77 200 EX01',
      '2026-05-10 02:15:31 /aspnet_client/errorEE.aspx cmd=net+user 203.0.113.77 500', // one value short
      '2026-05-10 02:15:40 /aspnet_client/errorEE.aspx cmd=ipconfig+/all 203.0.113.77 200 EX01',
      // Only the #Fields line this time.
      '#Fields: date time c-ip cs-uri-stem', // 14
      '2026-05-10 02:16:00 198.51.100.4 /owa/',
      '',
    ];
    const path = join(tempDir(), 'u_ex260510.log');
    writeFileSync(path, lines.join('\r\n'));
    const read = await readOne(path);
    assert.equal(read.format, 'w3c');
    // Every column of the header above, keys sorted as the store keeps them (HeaderFields).
    const fieldsOf = (header: number): string[] =>
      lines[header - 1]!.slice('#Fields: '.length).split(' ').sort();
    assert.deepEqual(
      read.events.map((e) => [e.source.line, Object.keys(e.fields)]),
      [
        [5, fieldsOf(4)],
        [6, fieldsOf(4)],
        [11, fieldsOf(10)],
        [13, fieldsOf(10)],
        [15, fieldsOf(14)],
      ],
    );
    const [first, second, shell, ipconfig, last] = read.events;
    assert.equal(first!.fields['cs-uri-query'], null); // `-` is "none"
    assert.equal(first!.fields['cs-username'], null);
    assert.equal(first!.fields['cs(User-Agent)'], 'ExchangeServicesClient/0.0.0.0');
    assert.equal(second!.fields['cs-uri-query'], 'schema=ResetOABVirtualDirectory');
    assert.equal(shell!.fields['s-computername'], 'EX01');
    assert.equal(shell!.fields['cs-uri-query'], 'cmd=whoami');
    assert.equal(ipconfig!.fields['cs-uri-query'], 'cmd=ipconfig+/all'); // native, not URL-decoded
    assert.equal(last!.fields['c-ip'], '198.51.100.4');
    assert.equal(last!.fields['cs-uri-stem'], '/owa/');
    assert.deepEqual(
      read.events.map((e) => iso(e.timestamp)),
      [
        '2026-05-10T02:13:58.000Z',
        '2026-05-10T02:14:02.000Z',
        '2026-05-10T02:15:29.000Z',
        '2026-05-10T02:15:40.000Z',
        '2026-05-10T02:16:00.000Z',
      ],
    );
    assert.deepEqual(
      read.issues.map((i) => [i.code, i.file, i.line]),
      [['w3c.record.columns', path, 12]],
    );
  });

  it('records before any #Fields: are issues; reading starts at the first header', async () => {
    const path = join(tempDir(), 'W3SVC1.log');
    writeFileSync(
      path,
      [
        '#Software: Microsoft Internet Information Services 10.0',
        '#Version: 1.0',
        '2026-05-10 02:13:58 GET /',
        '#Fields: date time cs-method cs-uri-stem',
        '2026-05-10 02:13:59 GET /owa/',
      ].join('\n') + '\n',
    );
    const read = await readOne(path);
    assert.equal(read.format, 'w3c');
    assert.deepEqual(
      read.issues.map((i) => [i.code, i.line]),
      [['w3c.fields.missing', 3]],
    );
    assert.deepEqual(
      read.events.map((e) => [e.source.line, e.fields['cs-uri-stem']]),
      [[5, '/owa/']],
    );
  });

  it('Exchange: comma-separated values with CSV quoting, date-time and DateTime, header changes', async () => {
    const lines = [
      '#Software: Microsoft Exchange Server', // 1
      '#Version: 15.02.1118.007',
      '#Log-type: Message Tracking Log',
      '#Date: 2026-05-10T02:00:00.000Z',
      '#Fields: date-time,client-ip,client-hostname,server-ip,event-id,recipient-address,message-subject,sender-address', // 5
      '2026-05-10T02:13:58.123Z,10.0.0.20,EX01,10.0.0.10,RECEIVE,ceo@corp.example;cfo@corp.example,"Invoice, ""urgent""",x@evil.example',
      '2026-05-10T02:13:59.000Z,,EX01,10.0.0.10,DELIVER,ceo@corp.example,"Invoice, ""urgent""",x@evil.example',
      '2026-05-10T02:14:00.000Z,10.0.0.20', // cut short
      // Another log type appended: HttpProxy, where ProxyLogon shows in AnchorMailbox.
      '#Software: Microsoft Exchange Server',
      '#Version: 15.02.1118.007', // 10
      '#Log-type: HttpProxy Logs',
      '#Fields: DateTime,RequestId,Protocol,UrlStem,ClientIpAddress,AnchorMailbox,HttpStatus',
      '2026-05-10T02:15:29.877Z,1f2e3d4c,Ecp,/ecp/y.js,203.0.113.77,"ServerInfo~a]@ex01.corp.example:444/autodiscover/autodiscover.xml?#",200',
    ];
    const path = join(tempDir(), 'MSGTRK2026051002-1.LOG');
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    const read = await readOne(path);
    assert.equal(read.format, 'w3c');
    assert.deepEqual(
      read.issues.map((i) => [i.code, i.file, i.line]),
      [['w3c.record.columns', path, 8]],
    );
    const [receive, deliver, proxy] = read.events;
    assert.deepEqual(
      read.events.map((e) => e.source.line),
      [6, 7, 13],
    );
    assert.equal(receive!.fields['message-subject'], 'Invoice, "urgent"');
    assert.equal(receive!.fields['recipient-address'], 'ceo@corp.example;cfo@corp.example');
    assert.equal(receive!.fields['client-ip'], '10.0.0.20');
    assert.equal(deliver!.fields['client-ip'], null); // empty is "none"
    assert.equal(deliver!.fields['event-id'], 'DELIVER');
    assert.deepEqual(Object.keys(proxy!.fields), lines[11]!.slice('#Fields: '.length).split(',').sort());
    assert.equal(
      proxy!.fields.AnchorMailbox,
      'ServerInfo~a]@ex01.corp.example:444/autodiscover/autodiscover.xml?#',
    );
    assert.equal(proxy!.fields.ClientIpAddress, '203.0.113.77');
    assert.deepEqual(
      read.events.map((e) => iso(e.timestamp)),
      ['2026-05-10T02:13:58.123Z', '2026-05-10T02:13:59.000Z', '2026-05-10T02:15:29.877Z'],
    );
  });
});

describe('winlogbeat / ECS JSON', () => {
  const security4624 = {
    '@timestamp': '2026-05-10T04:14:00.250+02:00',
    agent: { type: 'winlogbeat', version: '8.13.0' },
    event: { code: '4624', provider: 'Microsoft-Windows-Security-Auditing', action: 'logged-in' },
    host: { name: 'dc01' },
    winlog: {
      channel: 'Security',
      event_id: '4624',
      computer_name: 'DC01.corp.example',
      provider_name: 'Microsoft-Windows-Security-Auditing',
      record_id: 998877,
      event_data: { TargetUserName: 'admin', LogonType: '3', IpAddress: '203.0.113.77' },
    },
  };
  const sysmon1 = {
    '@timestamp': '2026-05-10T02:14:05.000Z',
    host: { name: 'ws1' }, // no winlog.computer_name: host.name stands in
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: 1,
      provider_name: 'Microsoft-Windows-Sysmon',
      event_data: {
        Image: 'C:\\Windows\\System32\\cmd.exe',
        CommandLine: 'cmd /c whoami',
        ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
        Hashes: 'SHA256=0123,IMPHASH=4567',
      },
    },
  };
  const logCleared = {
    '@timestamp': '2026-05-10T02:20:00.000Z',
    winlog: {
      channel: 'Security',
      event_id: 1102,
      computer_name: 'DC01.corp.example',
      user_data: { SubjectUserName: 'admin', SubjectDomainName: 'CORP' },
    },
  };

  it('NDJSON: event_data and user_data by their Windows names, System fields, UTC @timestamp', async () => {
    const path = join(tempDir(), 'winlogbeat-8.13.0-2026.05.10.ndjson');
    writeFileSync(path, [security4624, sysmon1, logCleared].map((d) => JSON.stringify(d)).join('\n') + '\n');
    const read = await readOne(path);
    assert.equal(read.format, 'ecs');
    assert.deepEqual(read.issues, []);
    const [logon, process_, cleared] = read.events;
    assert.deepEqual(
      read.events.map((e) => [e.source.kind, e.source.line, iso(e.timestamp)]),
      [
        ['ecs', 1, '2026-05-10T02:14:00.250Z'],
        ['ecs', 2, '2026-05-10T02:14:05.000Z'],
        ['ecs', 3, '2026-05-10T02:20:00.000Z'],
      ],
    );
    assert.equal(logon!.fields.EventID, 4624); // "4624" becomes the number rules compare
    assert.equal(logon!.fields.Channel, 'Security');
    assert.equal(logon!.fields.Computer, 'DC01.corp.example');
    assert.equal(logon!.fields.Provider_Name, 'Microsoft-Windows-Security-Auditing');
    assert.equal(logon!.fields.EventRecordID, 998877);
    assert.equal(logon!.fields.TargetUserName, 'admin');
    assert.equal(logon!.fields.LogonType, '3');
    assert.equal(logon!.fields.IpAddress, '203.0.113.77');
    // The ECS fields stay under their dotted names; event_data is lifted, not duplicated.
    assert.equal(logon!.fields['event.action'], 'logged-in');
    assert.equal(logon!.fields['agent.type'], 'winlogbeat');
    assert.ok(!Object.keys(logon!.fields).some((k) => k.startsWith('winlog.event_data.')));
    assert.equal(process_!.fields.EventID, 1);
    assert.equal(process_!.fields.Computer, 'ws1');
    assert.equal(process_!.fields.CommandLine, 'cmd /c whoami');
    assert.equal(process_!.fields.ParentImage, 'C:\\Windows\\System32\\inetsrv\\w3wp.exe');
    assert.equal(cleared!.fields.EventID, 1102);
    assert.equal(cleared!.fields.SubjectUserName, 'admin');
    // Keys sorted as the store keeps them (a FieldsBuilder): its stable JSON is the native serialiser's.
    for (const e of read.events) {
      const keys = Object.keys(e.fields);
      assert.deepEqual(keys, [...keys].sort());
    }
  });

  it('an Elastic export as a pretty-printed array: the same events, each at the line it starts on', async () => {
    const dir = tempDir();
    const ndjson = join(dir, 'a.ndjson');
    const array = join(dir, 'export.json');
    writeFileSync(
      ndjson,
      [security4624, sysmon1, logCleared].map((d) => JSON.stringify(d)).join('\n') + '\n',
    );
    const text = JSON.stringify([security4624, sysmon1, logCleared], null, 2);
    writeFileSync(array, text);
    const starts = text.split('\n').flatMap((l, i) => (l === '  {' ? [i + 1] : []));
    const fromLines = await readOne(ndjson);
    const fromArray = await readOne(array);
    assert.equal(fromArray.format, 'ecs');
    assert.deepEqual(fromArray.issues, []);
    assert.deepEqual(
      fromArray.events.map((e) => e.source.line),
      starts,
    );
    assert.deepEqual(
      fromArray.events.map((e) => [e.fields, e.timestamp]),
      fromLines.events.map((e) => [e.fields, e.timestamp]),
    );
  });

  it('a record that is not a Windows event is an issue at its line', async () => {
    const path = join(tempDir(), 'mixed.ndjson');
    writeFileSync(
      path,
      [
        JSON.stringify(sysmon1),
        JSON.stringify({ '@timestamp': '2026-05-10T02:00:00Z', message: 'heartbeat' }),
      ].join('\n') + '\n',
    );
    const read = await readOne(path);
    assert.equal(read.format, 'ecs');
    assert.equal(read.events.length, 1);
    assert.deepEqual(
      read.issues.map((i) => [i.code, i.file, i.line]),
      [['winjson.record.shape', path, 2]],
    );
  });
});
