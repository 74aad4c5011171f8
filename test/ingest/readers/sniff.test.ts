// Formats are decided by content, never by file name: a table of heads → format (and JSON layout),
// prose that must not become CSV events, and whole folders walked recursively with misleading names,
// gzip and zip archives holding several formats.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sniffFormat, sniffText } from '../../../src/ingest/sniff.js';
import { SHARED_DATA } from '../../helpers/shared-data.js';
import { readAll, tempDir, zip } from './support.js';

const line = (value: unknown): string => JSON.stringify(value);

const ZEEK_TSV =
  '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n' +
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n' +
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\n' +
  '1525000000.500000\tCa1\t10.0.0.1\t49152\t10.0.0.2\t445\ttcp\n' +
  '1525000001.500000\tCa2\t10.0.0.1\t49153\t10.0.0.2\t445\ttcp\n';
const IIS =
  '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-05-10 02:00:00\r\n' +
  '#Fields: date time c-ip cs-method cs-uri-stem sc-status\r\n' +
  '2026-05-10 02:13:58 203.0.113.77 POST /ecp/y.js 200\r\n';
const EXCHANGE =
  '#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n' +
  '#Date: 2026-05-10T02:00:00.000Z\r\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress,AnchorMailbox\r\n' +
  '2026-05-10T02:13:58.120Z,1f2e,/ecp/y.js,203.0.113.77,"ServerInfo~a]@ex01:444/autodiscover.xml?#"\r\n';
const SURICATA = {
  timestamp: '2026-05-10T02:13:58.037299+0200',
  flow_id: 1,
  event_type: 'alert',
  src_ip: '203.0.113.77',
  dest_ip: '10.0.0.10',
  alert: { signature: 'ET EXPLOIT ProxyLogon', signature_id: 2031981 },
};
const EVTX_DUMP = {
  Event: {
    System: {
      EventID: 4688,
      Channel: 'Security',
      Computer: 'ws1',
      TimeCreated: { '#attributes': { SystemTime: '2026-05-10T02:14:00.000000Z' } },
    },
    EventData: { NewProcessName: 'C:\\Windows\\System32\\cmd.exe' },
  },
};
const OTRF = {
  SourceName: 'Microsoft-Windows-Security-Auditing',
  Channel: 'Security',
  Hostname: 'WS5',
  EventID: 4624,
  TimeCreated: '2026-05-10 02:14:00.000',
};
const BEATS = {
  '@timestamp': '2026-05-10T02:14:00.000Z',
  winlog: { channel: 'Security', event_id: 4624, event_data: { TargetUserName: 'bob' } },
};
const ZEEK_JSON = { _path: 'conn', ts: 1525000000.5, uid: 'Ca1', 'id.orig_h': '10.0.0.1' };

const SNIFF_TABLE: readonly (readonly [string, string, string | null, string?])[] = [
  // [what, content, format, JSON layout]
  ['Zeek TSV with its full header', ZEEK_TSV, 'zeek'],
  ['Zeek TSV starting at #fields', '#fields\tts\tuid\n1.5\tC1\n', 'zeek'],
  ['IIS W3C (CRLF)', IIS, 'w3c'],
  ['W3C with #Version/#Date before #Fields', '#Version: 1.0\n#Date: 2026-05-10\n#Fields: date time\n', 'w3c'],
  ['Exchange HttpProxy log (comma-separated W3C)', EXCHANGE, 'w3c'],
  ['Suricata EVE lines', `${line(SURICATA)}\n${line(SURICATA)}\n`, 'suricata', 'lines'],
  [
    'Suricata EVE as a pretty-printed array',
    JSON.stringify([SURICATA, SURICATA], null, 2),
    'suricata',
    'values',
  ],
  ['Suricata EVE as a one-line array', line([SURICATA]), 'suricata', 'values'],
  ['Zeek JSON lines', `${line(ZEEK_JSON)}\n`, 'zeek-json', 'lines'],
  [
    'Zeek JSON without ts (loaded_scripts)',
    `${line({ _path: 'loaded_scripts', _write_ts: '1970-01-01T00:00:00.000000Z', name: '/x.zeek' })}\n`,
    'zeek-json',
    'lines',
  ],
  [
    'Zeek json-streaming-logs (@stream/@proc)',
    `${line({ '@stream': 'conn', '@proc': 'zeek', ts: 1.5, id_orig_h: '10.0.0.1' })}\n`,
    'zeek-json',
    'lines',
  ],
  ['evtx_dump JSON, pretty-printed', `${JSON.stringify(EVTX_DUMP, null, 2)}\n`, 'evtx-json', 'values'],
  ['evtx_dump JSON lines', `${line(EVTX_DUMP)}\n${line(EVTX_DUMP)}\n`, 'evtx-json', 'lines'],
  ['OTRF flat Windows JSON lines', `${line(OTRF)}\n`, 'winjson', 'lines'],
  ['winlogbeat NDJSON', `${line(BEATS)}\n`, 'ecs', 'lines'],
  ['winlogbeat export as an array', JSON.stringify([BEATS], null, 2), 'ecs', 'values'],
  ['generic JSON lines after a BOM', `\uFEFF${line({ time: 'x', msg: 'a' })}\n`, 'jsonl', 'lines'],
  [
    'JSON lines whose first line is cut: the next line decides',
    `{"timestamp":"2026-05-10T02:13:58Z","event_ty\n${line(SURICATA)}\n`,
    'suricata',
    'lines',
  ],
  [
    'JSON lines whose first line is longer than the head',
    line({ ...OTRF, Message: 'x'.repeat(20000) }).slice(0, 8192),
    'winjson',
    'lines',
  ],
  ['CSV', 'time,host,action\n2026-05-10 02:13:58,ws1,login\n', 'csv'],
  ['CSV without a final newline', 'time,host\n2026-05-10 02:13:58,ws1', 'csv'],
  ['CSV with quoted delimiters', 'time,cmd\n2026-05-10,"cmd /c a,b"\n2026-05-11,"x ""y"", z"\n', 'csv'],
  ['CSV with a quoted newline', 'time,cmd\n2026-05-10,"line one\nline two"\n2026-05-11,x\n', 'csv'],
  [
    'Shadowserver-style all-quoted CSV',
    '"timestamp","ip","tag"\n"2022-01-10 09:18:23","1.2.3.4","a,b"\n',
    'csv',
  ],
  ['tab-separated', 'time\thost\n2026-05-10\tws1\n', 'csv'],
  ['semicolon-separated (European Excel)', 'Zeit;Rechner;Aktion\n10.05.2026;ws1;Anmeldung\n', 'csv'],
  ['CSV with one broken row among good ones', 'a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11\n', 'csv'],
  ['CSV with a NUL inside a value', 'time,ua\n2026-05-10,"curl\u0000/8"\n2026-05-11,x\n', 'csv'],
  ['a header with no records', 'time,host,action\n', null],
  ['prose with a comma', 'Hello, world\nBye.\n', null],
  ['one sentence', 'The host was compromised, then wiped.\n', null],
  [
    'prose with a comma on every line',
    'This folder holds the evidence, as collected.\nIt has logs, notes and more.\n',
    null,
  ],
  [
    'a Markdown README',
    '# Case 42\n\nCollected by the CERT, 2026-05-10.\n\n- logs, as found\n- notes\n',
    null,
  ],
  ['a Markdown table', '| host | ip |\n|------|----|\n| ws1 | 10.0.0.1 |\n', null],
  ['syslog', 'May 10 02:13:58 ws1 sshd[811]: Failed password for root from 203.0.113.77 port 22\n', null],
  ['key=value', 'time=2026-05-10T02:13:58Z host=ws1 action=login\n', null],
  ['empty', '', null],
  ['whitespace', ' \n\t\n', null],
];

describe('sniffing by content', () => {
  for (const [what, content, format, layout] of SNIFF_TABLE) {
    it(`${what} → ${format ?? 'not evidence'}`, () => {
      const sniffed = sniffText(content);
      assert.equal(sniffed?.format ?? null, format);
      if (layout) assert.equal(sniffed?.layout, layout);
      // sniffFormat sees the same bytes the walker reads (the first 8 KiB).
      assert.equal(sniffFormat(new TextEncoder().encode(content).subarray(0, 8192)), format);
    });
  }

  it('binary heads by magic: EVTX, zip, gzip; UTF-16 text and random bytes are not CSV', () => {
    const evtx = new Uint8Array(4096);
    evtx.set(new TextEncoder().encode('ElfFile\u0000'));
    assert.equal(sniffFormat(evtx), 'evtx');
    assert.equal(sniffFormat(zip({ 'a.txt': 'x' })), 'zip');
    assert.equal(sniffFormat(gzipSync('anything')), 'gzip');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('time,host\r\n2026-05-10,ws1\r\n', 'utf16le'),
    ]);
    assert.equal(sniffFormat(utf16), null);
    let seed = 42;
    const random = Uint8Array.from(
      { length: 8192 },
      () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16,
    );
    assert.equal(sniffFormat(random), null);
  });

  it('the READMEs, notes and licences shipped with the corpora are not evidence', () => {
    const texts: string[] = [];
    for (const corpus of readdirSync(SHARED_DATA)) {
      for (const name of ['README.md', 'SOURCE.md', 'LICENSE', 'EXPECTED.md']) {
        const path = join(SHARED_DATA, corpus, name);
        if (existsSync(path)) texts.push(path);
      }
    }
    if (texts.length === 0) return; // no corpora here: the table above still ran
    for (const path of texts) {
      assert.equal(sniffFormat(readFileSync(path).subarray(0, 8192)), null, path);
    }
  });
});

describe('walking evidence folders', () => {
  it('recursively, by content: misleading names, gzip, a zip of several formats, nested archives', async () => {
    const root = tempDir();
    const put = (relative: string, content: string | Uint8Array): string => {
      const path = join(root, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    };
    const jsonl = `${line({ ts: '2026-05-10T02:13:58Z', msg: 'a' })}\n${line({ ts: '2026-05-10T02:13:59Z', msg: 'b' })}\n`;
    const eveLines = `${line(SURICATA)}\n${line({ ...SURICATA, event_type: 'dns' })}\n`;
    const csv = 'time,host,cmd\n2026-05-10 02:13:58,ws1,"cmd /c a,b"\n2026-05-10 02:13:59,ws2,whoami\n';
    const prose = 'Collected by the CERT, on site.\nAsk the duty officer, not the analyst.\n';
    const paths = {
      zeekAsCsv: put('case-42/host1/conn.csv', ZEEK_TSV),
      jsonlAsTxt: put('case-42/host1/events.txt', jsonl),
      readme: put('case-42/host1/README.md', '# Case 42\n\nSee the ticket, please.\n'),
      notes: put('case-42/host1/notes.txt', prose),
      deepGzip: put('case-42/host2/a/b/c/d/eve', gzipSync(eveLines)),
      iisAsJson: put('case-42/host2/iis.json', IIS),
      csvAsLog: put('case-42/host2/export.log', csv),
      empty: put('case-42/host2/empty.log', ''),
      proseGz: put('case-42/host2/notes.gz', gzipSync(prose)),
      evtxJsonAsCsv: put('case-42/host2/sysmon.csv', `${JSON.stringify(EVTX_DUMP, null, 2)}\n`),
      bundle: put(
        'case-42/bundle.zip',
        zip({
          'zeek/conn.log': ZEEK_TSV,
          'eve.json': JSON.stringify([SURICATA, SURICATA, SURICATA], null, 2),
          'web/u_ex260510.log': IIS,
          'README.txt': prose,
          'win/otrf.json.gz': gzipSync(`${line(OTRF)}\n${line(OTRF)}\n`),
          'inner.zip': zip({ 'beats.ndjson': `${line(BEATS)}\n` }),
          'outer.zip': zip({ 'deeper.zip': zip({ 'x.jsonl': jsonl }) }),
        }),
      ),
    };
    // A link back up the tree must not make the walk loop.
    symlinkSync(join(root, 'case-42'), join(root, 'case-42/host1/loop'));

    const read = await readAll(join(root, 'case-42'));
    const b = paths.bundle;
    const expected: [string, string, number][] = [
      [`${b}!zeek/conn.log`, 'zeek', 2],
      [`${b}!eve.json`, 'suricata', 3],
      [`${b}!web/u_ex260510.log`, 'w3c', 1],
      [`${b}!README.txt`, 'none', 0],
      [`${b}!win/otrf.json.gz`, 'winjson', 2],
      [`${b}!inner.zip!beats.ndjson`, 'ecs', 1],
      [`${b}!outer.zip!deeper.zip`, 'none', 0],
      [paths.readme, 'none', 0],
      [paths.zeekAsCsv, 'zeek', 2],
      [paths.jsonlAsTxt, 'jsonl', 2],
      [paths.notes, 'none', 0],
      [paths.deepGzip, 'suricata', 2],
      [paths.csvAsLog, 'csv', 2],
      [paths.iisAsJson, 'w3c', 1],
      [paths.proseGz, 'none', 0],
      [paths.evtxJsonAsCsv, 'evtx-json', 1],
    ];
    // In walk order: names sorted at every level, archive entries in archive order; the empty file is skipped.
    assert.deepEqual(
      [...read].map(([path, r]) => [path, r.format, r.events.length]),
      expected,
    );
    for (const [path, r] of read) {
      if (r.format !== 'none') {
        assert.deepEqual(r.issues, [], path);
        assert.ok(
          r.events.every((e) => e.source.file === path && Number.isFinite(e.timestamp)),
          path,
        );
      }
    }
    const codes = (path: string): string[] => read.get(path)!.issues.map((i) => `${i.code}/${i.severity}`);
    for (const p of [paths.readme, paths.notes, paths.proseGz, `${b}!README.txt`])
      assert.deepEqual(codes(p), ['ingest.format.unknown/warning'], p);
    assert.deepEqual(codes(`${b}!outer.zip!deeper.zip`), ['ingest.zip.nested/error']);
    // Native fields came through the archive layers.
    assert.equal(read.get(`${b}!zeek/conn.log`)!.events[0]!.fields['id.orig_h'], '10.0.0.1');
    assert.equal(read.get(`${b}!inner.zip!beats.ndjson`)!.events[0]!.fields.TargetUserName, 'bob');
    assert.equal(read.get(paths.csvAsLog)!.events[0]!.fields.cmd, 'cmd /c a,b');
  });

  it('a path that does not exist is an issue, not an exception', async () => {
    const missing = join(tempDir(), 'no-such-folder');
    const read = await readAll(missing);
    assert.deepEqual(
      read.get(missing)?.issues.map((i) => i.code),
      ['ingest.path.unreadable'],
    );
  });

  it('a damaged zip is an issue naming it', async () => {
    const path = join(tempDir(), 'evidence.zip');
    writeFileSync(path, zip({ 'a.jsonl': '{"a":1}\n' }).subarray(0, 40));
    const read = await readAll(path);
    assert.equal(read.get(path)?.issues[0]?.code, 'ingest.zip.invalid');
  });
});
