// The contract every non-EVTX reader meets, run against each format through walkEvidence (sniffing
// included): every record keeps its native field names, a UTC timestamp (NaN — the documented "no
// time" — when the record carries none) and a source naming the file and the line the record starts
// on; a malformed record is one Issue naming file and line and the rest of the file is still read;
// hostile values (control characters, a line longer than the line limit) never crash a reader.
//
// Each fixture is built from rows by the format's own renderer, which also notes the line each record
// starts on, so the expected lines, markers and times are known independently of the readers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Event, SourceKind } from '../../../src/core/event.js';
import type { EvidenceFormat } from '../../../src/ingest/index.js';
import { MAX_LINE } from '../../../src/ingest/text-stream.js';
import { readOne, tempDir } from './support.js';

// A reader that parsed zone-less times as local time would be off by hours here, not on a UTC CI box.
process.env.TZ = 'America/Denver';

interface Row {
  /** UTC instant of the record, or null for a record without a time. */
  readonly iso: string | null;
  /** Goes into the case's `field`, verbatim. */
  readonly marker: string;
}
const BROKEN = Symbol('broken');
type Item = Row | typeof BROKEN;

interface FormatCase {
  readonly name: string;
  /** Deliberately unhelpful names where the format allows: sniffing goes by content. */
  readonly fileName: string;
  readonly format: EvidenceFormat;
  readonly kind: SourceKind;
  /** The native field that carries each row's marker. */
  readonly field: string;
  /** Native names every record must have. */
  readonly native: readonly string[];
  readonly eol?: string;
  readonly head?: readonly string[];
  readonly tail?: readonly string[];
  /** Between records when it is not just a line end (JSON arrays). */
  readonly separator?: string;
  /** Time resolution of the format in ms (W3C writes whole seconds). */
  readonly resolution?: number;
  render(row: Row, index: number): string;
  /** A record as it breaks in the wild: cut short, a missing column, an unterminated string. */
  readonly broken: string;
  check?(event: Event): void;
}

// --- time renderings -------------------------------------------------------------------------------

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `iso` as local time at `offsetMinutes`, `2026-03-05T13:37:19.037` + `sep` + `-0700`. */
function atOffset(iso: string, offsetMinutes: number, extraDigits = '', colon = false): string {
  const d = new Date(Date.parse(iso) + offsetMinutes * 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
  return `${d.toISOString().slice(0, 23)}${extraDigits}${zone}`;
}

/** `2026-03-05 20:37:19.037` — zone-less, which the readers document as UTC. */
const spaced = (iso: string): string => iso.slice(0, 23).replace('T', ' ');
const epochSeconds = (iso: string): string => (Date.parse(iso) / 1000).toFixed(6);
const csvCell = (text: string): string => `"${text.replaceAll('"', '""')}"`;
const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
/** Cut a JSON line as a crashed writer leaves it. */
const cut = (line: string): string => line.slice(0, Math.floor(line.length * 0.6));

// --- the formats ----------------------------------------------------------------------------------

const suricataRecord = (row: Row): Record<string, unknown> => ({
  ...(row.iso ? { timestamp: atOffset(row.iso, -420, '299') } : {}),
  flow_id: 1959620435402694,
  in_iface: 'eth0',
  event_type: 'alert',
  src_ip: '10.0.0.5',
  src_port: 49152,
  dest_ip: '203.0.113.9',
  dest_port: 443,
  proto: 'TCP',
  alert: { action: 'allowed', signature_id: 2100498, signature: row.marker, severity: 2 },
});

const sysmonRecord = (row: Row, index: number): Record<string, unknown> => ({
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: {
        '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' },
      },
      EventID: 1,
      ...(row.iso ? { TimeCreated: { '#attributes': { SystemTime: `${row.iso.slice(0, 23)}4567Z` } } } : {}),
      EventRecordID: 1000 + index,
      Execution: { '#attributes': { ProcessID: 3544, ThreadID: 4272 } },
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'ws1.corp.example',
    },
    EventData: {
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: row.marker,
      ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    },
  },
});

const CASES: readonly FormatCase[] = [
  {
    name: 'Zeek TSV',
    fileName: 'conn.log',
    format: 'zeek',
    kind: 'zeek',
    field: 'uid',
    native: ['ts', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service'],
    head: [
      '#separator \\x09',
      '#set_separator\t,',
      '#empty_field\t(empty)',
      '#unset_field\t-',
      '#path\tconn',
      '#open\t2026-03-05-20-00-00',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice',
      '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring',
    ],
    tail: ['#close\t2026-03-05-21-00-00'],
    render: (r) =>
      `${r.iso ? epochSeconds(r.iso) : '-'}\t${r.marker}\t10.0.0.5\t49152\t203.0.113.9\t443\ttcp\tssl`,
    broken: '1772742000.000000\tCbroken\t10.0.0.5',
    check: (e) => {
      assert.equal(e.fields['id.resp_p'], 443); // typed by #types
      assert.equal(e.source.logType, 'conn');
    },
  },
  {
    name: 'Zeek JSON',
    fileName: 'dns.json',
    format: 'zeek-json',
    kind: 'zeek',
    field: 'uid',
    native: ['_path', 'id.orig_h', 'id.resp_p', 'query'],
    render: (r) =>
      JSON.stringify({
        _path: 'dns',
        ...(r.iso ? { ts: Date.parse(r.iso) / 1000 } : {}),
        uid: r.marker,
        'id.orig_h': '10.0.0.5',
        'id.orig_p': 5353,
        'id.resp_h': '10.0.0.53',
        'id.resp_p': 53,
        query: 'update.example.org',
      }),
    broken: cut(
      '{"_path":"dns","ts":1772742000.5,"uid":"Cbroken","id.orig_h":"10.0.0.5","query":"x.example"}',
    ),
    check: (e) => assert.equal(e.source.logType, 'dns'),
  },
  {
    name: 'Suricata EVE, one object per line',
    fileName: 'eve.json',
    format: 'suricata',
    kind: 'suricata',
    field: 'alert.signature',
    native: ['event_type', 'src_ip', 'dest_port', 'flow_id', 'alert.signature_id'],
    render: (r) => JSON.stringify(suricataRecord(r)),
    broken: cut(JSON.stringify(suricataRecord({ iso: '2026-03-05T20:00:00.000Z', marker: 'broken' }))),
    check: (e) => assert.equal(e.source.logType, 'alert'),
  },
  {
    name: 'Suricata EVE, a pretty-printed JSON array',
    fileName: 'alerts-only.txt',
    format: 'suricata',
    kind: 'suricata',
    field: 'alert.signature',
    native: ['event_type', 'src_ip', 'dest_port', 'flow_id', 'alert.signature_id'],
    head: ['['],
    tail: [']'],
    separator: ',\n',
    render: (r) => indent(JSON.stringify(suricataRecord(r), null, 2), '  '),
    // An unterminated string inside a multi-line element.
    broken: indent(
      JSON.stringify(suricataRecord({ iso: '2026-03-05T20:00:00.000Z', marker: 'BROKEN' }), null, 2),
      '  ',
    ).replace('"BROKEN"', '"BROKEN'),
  },
  {
    name: 'generic JSON lines',
    fileName: 'app.log',
    format: 'jsonl',
    kind: 'jsonl',
    field: 'message',
    native: ['host.name', 'user.name', 'level'],
    render: (r) =>
      JSON.stringify({
        ...(r.iso ? { '@timestamp': atOffset(r.iso, 120, '', true) } : {}),
        level: 'info',
        host: { name: 'app01' },
        user: { name: 'svc_backup' },
        message: r.marker,
      }),
    broken: cut('{"@timestamp":"2026-03-05T22:00:00.000+02:00","level":"info","host":{"name":"app01"}}'),
  },
  {
    name: 'CSV with a header row',
    fileName: 'export.dat',
    format: 'csv',
    kind: 'csv',
    field: 'message',
    native: ['time', 'host', 'user'],
    head: ['time,host,user,message'],
    render: (r) => `${r.iso ? spaced(r.iso) : ''},ws1,bob,${csvCell(r.marker)}`,
    broken: '2026-03-05 20:00:00,ws1',
  },
  {
    name: 'W3C, IIS',
    fileName: 'u_ex260305.log',
    format: 'w3c',
    kind: 'w3c',
    field: 'cs-uri-query',
    native: ['date', 'time', 'cs-method', 'cs-uri-stem', 'c-ip', 'cs(User-Agent)', 'sc-status'],
    eol: '\r\n',
    resolution: 1000,
    head: [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Version: 1.0',
      '#Date: 2026-03-05 20:00:00',
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) sc-status',
    ],
    render: (r) => {
      const [date, time] = r.iso ? [r.iso.slice(0, 10), r.iso.slice(11, 19)] : ['-', '-'];
      return `${date} ${time} 10.0.0.10 POST /ecp/y.js ${r.marker} 443 203.0.113.9 Mozilla/5.0+(Windows+NT) 200`;
    },
    broken: '2026-03-05 20:00:00 10.0.0.10 GET',
  },
  {
    name: 'W3C, Exchange message tracking (comma-separated)',
    fileName: 'MSGTRK2026030520-1.LOG',
    format: 'w3c',
    kind: 'w3c',
    field: 'message-subject',
    native: ['date-time', 'client-ip', 'event-id', 'recipient-address', 'sender-address'],
    eol: '\r\n',
    head: [
      '#Software: Microsoft Exchange Server',
      '#Version: 15.02.1118.007',
      '#Log-type: Message Tracking Log',
      '#Date: 2026-03-05T20:00:00.000Z',
      '#Fields: date-time,client-ip,client-hostname,server-ip,event-id,recipient-address,message-subject,sender-address',
    ],
    render: (r) =>
      `${r.iso ?? ''},10.0.0.20,EX01,10.0.0.10,RECEIVE,a@corp.example;b@corp.example,${csvCell(r.marker)},x@evil.example`,
    broken: '2026-03-05T20:00:00.000Z,10.0.0.20',
  },
  {
    name: 'evtx_dump JSON, pretty-printed and concatenated',
    fileName: 'sysmon.json',
    format: 'evtx-json',
    kind: 'evtx-json',
    field: 'CommandLine',
    native: [
      'EventID',
      'Channel',
      'Computer',
      'Provider_Name',
      'Execution_ProcessID',
      'EventRecordID',
      'Image',
    ],
    render: (r, i) => JSON.stringify(sysmonRecord(r, i), null, 2),
    broken: JSON.stringify(
      sysmonRecord({ iso: '2026-03-05T20:00:00.000Z', marker: 'BROKEN' }, 0),
      null,
      2,
    ).replace('"BROKEN"', '"BROKEN'),
    check: (e) => assert.equal(e.fields.EventID, 1),
  },
  {
    name: 'flat Windows JSON (OTRF / nxlog)',
    fileName: 'empire_psexec.json',
    format: 'winjson',
    kind: 'winjson',
    field: 'CommandLine',
    // OTRF's own names stay; the Sigma names the reader adds beside them are part of its contract.
    native: ['EventID', 'Channel', 'Hostname', 'SourceName', 'Computer', 'Provider_Name', 'Image'],
    render: (r) =>
      JSON.stringify({
        SourceName: 'Microsoft-Windows-Sysmon',
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Hostname: 'WORKSTATION5.theshire.local',
        ...(r.iso ? { TimeCreated: spaced(r.iso) } : {}),
        EventID: '1',
        Image: 'C:\\Windows\\PSEXESVC.exe',
        CommandLine: r.marker,
      }),
    broken: cut(
      '{"SourceName":"Microsoft-Windows-Sysmon","Channel":"Security","Hostname":"WS5","EventID":4624}',
    ),
    check: (e) => {
      assert.equal(e.fields.EventID, 1); // "1" as OTRF writes it becomes the number rules compare
      assert.equal(e.fields.Computer, e.fields.Hostname);
    },
  },
  {
    name: 'winlogbeat / ECS JSON',
    fileName: 'winlogbeat.ndjson',
    format: 'ecs',
    kind: 'ecs',
    field: 'CommandLine',
    native: ['EventID', 'Channel', 'Computer', 'Provider_Name', 'NewProcessName', 'event.code', 'host.name'],
    render: (r) =>
      JSON.stringify({
        ...(r.iso ? { '@timestamp': r.iso } : {}),
        event: { code: '4688', provider: 'Microsoft-Windows-Security-Auditing', kind: 'event' },
        host: { name: 'WS1' },
        winlog: {
          channel: 'Security',
          event_id: '4688',
          computer_name: 'WS1.corp.example',
          provider_name: 'Microsoft-Windows-Security-Auditing',
          record_id: 81234,
          event_data: { NewProcessName: 'C:\\Windows\\System32\\cmd.exe', CommandLine: r.marker },
        },
      }),
    broken: cut(
      '{"@timestamp":"2026-03-05T20:00:00.000Z","winlog":{"channel":"Security","event_id":"4688"}}',
    ),
    check: (e) => {
      assert.equal(e.fields.EventID, 4688);
      assert.equal(e.fields.Computer, 'WS1.corp.example');
    },
  },
];

// --- fixtures -------------------------------------------------------------------------------------

interface Fixture {
  readonly text: string;
  /** 1-based line each item starts on. */
  readonly lines: number[];
}

function build(c: FormatCase, items: readonly Item[]): Fixture {
  const eol = c.eol ?? '\n';
  const newlines = (s: string): number => s.split('\n').length - 1;
  let text = (c.head ?? []).map((h) => h + eol).join('');
  const lines: number[] = [];
  items.forEach((item, i) => {
    lines.push(newlines(text) + 1);
    const body = item === BROKEN ? c.broken : c.render(item, i);
    text += body.replaceAll('\n', eol);
    text += i < items.length - 1 && c.separator ? c.separator.replaceAll('\n', eol) : eol;
  });
  text += (c.tail ?? []).map((t) => t + eol).join('');
  return { text, lines };
}

const T1 = '2026-03-05T20:37:19.037Z';
const T2 = '2026-03-05T20:41:02.250Z';
const T3 = '2026-03-05T21:05:59.999Z';

function expectedTime(c: FormatCase, iso: string | null): number {
  if (iso === null) return Number.NaN;
  const ms = Date.parse(iso);
  const r = c.resolution ?? 1;
  return Math.floor(ms / r) * r;
}

/** Control characters, terminal escapes, bidi and line separators, quoting characters: kept verbatim. */
const HOSTILE =
  'x\u0000\u0001\u0007\b\u000b\f\u001b[2J\u001b]0;owned\u0007\u007f\u0085\u00a0\u2028\u2029\u202egpj.exe' +
  '\ufeff\ud83d\ude00\r"quoted",a;b|c\'d\\e%00%0a<script>';

describe('reader contract', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it('reads every record: native names, UTC time (NaN when none), file and starting line', async () => {
        const rows: Row[] = [
          { iso: T1, marker: 'm-first' },
          { iso: T2, marker: 'm-second' },
          { iso: null, marker: 'm-timeless' },
          { iso: T3, marker: 'm-last' },
        ];
        const { text, lines } = build(c, rows);
        const dir = tempDir();
        const path = join(dir, c.fileName);
        writeFileSync(path, text);
        const read = await readOne(path);
        assert.equal(read.format, c.format);
        assert.deepEqual(read.issues, []);
        assert.deepEqual(
          read.events.map((e) => e.fields[c.field]),
          rows.map((r) => r.marker),
        );
        read.events.forEach((e, i) => {
          const want = expectedTime(c, rows[i]!.iso);
          if (Number.isNaN(want)) assert.ok(Number.isNaN(e.timestamp), `row ${i} has no time: NaN`);
          else assert.equal(new Date(e.timestamp).toISOString(), new Date(want).toISOString(), `row ${i}`);
          assert.equal(e.source.kind, c.kind);
          assert.equal(e.source.file, path);
          assert.equal(e.source.line, lines[i], `row ${i} starts on line ${lines[i]}`);
          for (const name of c.native) assert.ok(name in e.fields, `row ${i} has ${name}`);
          c.check?.(e);
        });

        // The same bytes gzip-compressed, under a name that says nothing: the same records.
        const gz = join(dir, 'evidence-blob');
        writeFileSync(gz, gzipSync(text));
        const unzipped = await readOne(gz);
        assert.equal(unzipped.format, c.format);
        assert.deepEqual(
          unzipped.events.map((e) => [e.fields, e.timestamp, e.source.line]),
          read.events.map((e) => [e.fields, e.timestamp, e.source.line]),
        );
      });

      for (const [where, items, brokenAt] of [
        [
          'in the middle',
          [{ iso: T1, marker: 'm1' }, BROKEN, { iso: T2, marker: 'm2' }, { iso: T3, marker: 'm3' }],
          1,
        ],
        [
          'first',
          [BROKEN, { iso: T1, marker: 'm1' }, { iso: T2, marker: 'm2' }, { iso: T3, marker: 'm3' }],
          0,
        ],
      ] as const) {
        it(`a malformed record ${where} is one issue naming file and line; the rest is read`, async () => {
          const { text, lines } = build(c, items);
          const path = join(tempDir(), c.fileName);
          writeFileSync(path, text);
          const read = await readOne(path);
          assert.equal(read.format, c.format);
          assert.deepEqual(
            read.events.map((e) => e.fields[c.field]),
            ['m1', 'm2', 'm3'],
          );
          assert.equal(read.issues.length, 1, JSON.stringify(read.issues));
          const found = read.issues[0]!;
          assert.equal(found.file, path);
          assert.equal(found.line, lines[brokenAt]);
          assert.equal(found.severity, 'error');
          assert.match(found.code, /^[a-z0-9-]+\.[a-z0-9.-]+$/);
        });
      }

      it('hostile values are kept verbatim; a line over the limit is an issue or whole, never a crash', async () => {
        const huge = 'H'.repeat(MAX_LINE + 4096);
        const rows: Row[] = [
          { iso: T1, marker: 'm1' },
          { iso: T2, marker: HOSTILE },
          { iso: T2, marker: huge },
          { iso: T3, marker: 'm3' },
        ];
        const { text, lines } = build(c, rows);
        const path = join(tempDir(), c.fileName);
        writeFileSync(path, text);
        const read = await readOne(path);
        assert.equal(read.format, c.format);
        const markers = read.events.map((e) => e.fields[c.field]);
        const hugeRead = markers.includes(huge);
        // Either the huge record is read whole (JSON values have a larger limit than lines)…
        assert.deepEqual(markers, hugeRead ? ['m1', HOSTILE, huge, 'm3'] : ['m1', HOSTILE, 'm3']);
        // …or it is reported where it starts, and nothing is silently cut.
        assert.equal(read.issues.length, hugeRead ? 0 : 1, JSON.stringify(read.issues));
        if (!hugeRead) {
          assert.equal(read.issues[0]!.file, path);
          assert.equal(read.issues[0]!.line, lines[2]);
        }
        assert.ok(markers.every((m) => typeof m !== 'string' || m === huge || m.length < 1000));
        assert.equal(read.events.at(-1)!.source.line, lines[3]);
      });
    });
  }
});
