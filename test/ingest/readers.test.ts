// The non-EVTX readers on real corpora and on hostile input: record counts checked against an
// independent count, native field names, UTC timestamps, sources, and issues instead of aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Event } from '../../src/core/event.js';
import type { Issue } from '../../src/core/issue.js';
import { walkEvidence } from '../../src/ingest/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

interface Read {
  format: string;
  events: Event[];
  issues: Issue[];
}

async function readAll(path: string): Promise<Map<string, Read>> {
  const out = new Map<string, Read>();
  for await (const item of walkEvidence([path])) {
    if (item.file === null) {
      out.set(item.issue.file ?? '?', { format: 'none', events: [], issues: [item.issue] });
      continue;
    }
    const read: Read = { format: item.file.format, events: [], issues: [] };
    for await (const r of item.records) {
      if (r.ok) read.events.push(r.event);
      else read.issues.push(r.issue);
    }
    out.set(item.file.path, read);
  }
  return out;
}

const ZEEK = join(SHARED_DATA, 'zeek-wrccdc-2018');

test('Zeek TSV logs: every data line is a record with #fields names, UTC ts and line numbers', async () => {
  const dir = join(ZEEK, 'zeek-default');
  let files = 0;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.log.gz'))
    .slice(0, 8)) {
    const path = join(dir, name);
    const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
    const expected = lines.filter((l) => l !== '' && !l.startsWith('#')).length;
    const fields = lines
      .find((l) => l.startsWith('#fields'))!
      .split('\t')
      .slice(1);
    const read = (await readAll(path)).get(path)!;
    assert.equal(read.format, 'zeek', name);
    assert.equal(read.events.length, expected, name);
    assert.deepEqual(read.issues, [], name);
    const first = read.events[0];
    if (first) {
      // Unset fields ("-") are left out; the rest keep Zeek's own names.
      assert.ok(
        Object.keys(first.fields).every((f) => fields.includes(f)),
        name,
      );
      assert.ok(Object.keys(first.fields).length >= fields.length / 2, name);
      assert.ok('ts' in first.fields, name);
      assert.ok(Number.isFinite(first.timestamp) && first.timestamp > Date.UTC(2018, 0, 1), name);
      assert.ok(first.source.line !== undefined && first.source.line > 1, name);
      assert.equal(first.source.logType, name.split('.')[0]);
    }
    files++;
  }
  assert.ok(files >= 5);
});

test('Zeek JSON logs (gzip): one record per line, the same log types', async () => {
  const dir = join(ZEEK, 'zeek-json');
  for (const name of ['dns.json.gz', 'ssl.json.gz', 'x509.json.gz']) {
    const path = join(dir, name);
    const expected = gunzipSync(readFileSync(path))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
    const read = (await readAll(path)).get(path)!;
    assert.equal(read.format, 'zeek-json', name);
    assert.equal(read.events.length, expected, name);
    assert.ok(
      read.events.every((e) => Number.isFinite(e.timestamp)),
      name,
    );
  }
});

test('Suricata EVE as a JSON array: every alert, with event_type and a UTC timestamp from the offset form', async () => {
  const path = join(SHARED_DATA, 'suricata-eve-samples', 'wrccdc-2018', 'alerts-only.json');
  const expected = (JSON.parse(readFileSync(path, 'utf8')) as unknown[]).length;
  const read = (await readAll(path)).get(path)!;
  assert.equal(read.format, 'suricata');
  assert.equal(read.events.length, expected);
  const first = read.events[0]!;
  assert.equal(first.fields.event_type, 'alert');
  // "2018-03-24T14:37:19.037299-0600" is 20:37:19.037 UTC.
  assert.equal(new Date(first.timestamp).toISOString(), '2018-03-24T20:37:19.037Z');
});

test('OTRF datasets: the same records inside a .zip and a .gz', async () => {
  const dir = join(SHARED_DATA, 'otrf-security-datasets', 'atomic', 'windows', 'persistence', 'host');
  const read = await readAll(dir);
  const counts = [...read.values()].filter((r) => r.format === 'winjson').map((r) => r.events.length);
  assert.deepEqual(counts, [10487, 10487]);
  const sample = [...read.values()][0]!.events.find((e) => e.fields.EventID !== undefined)!;
  assert.ok(typeof sample.fields.Channel === 'string');
  // OTRF's names renamed to ours (Hostname → Computer), keys sorted as the store keeps them.
  assert.equal(typeof sample.fields.Computer, 'string');
  const keys = Object.keys(sample.fields);
  assert.deepEqual(keys, [...keys].sort());
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-readers-'));
}

test('formats are sniffed by content, not by name; prose is not evidence', async () => {
  const dir = tempDir();
  const zeek =
    '#separator \\x09\n#path\tconn\n#fields\tts\tid.orig_h\n#types\ttime\taddr\n1525000000.5\t10.0.0.1\n';
  writeFileSync(join(dir, 'looks-like.csv'), zeek);
  writeFileSync(
    join(dir, 'events.txt'),
    '{"ts":"2026-01-02T03:04:05Z","msg":"a"}\n{"ts":"2026-01-02T03:04:06Z","msg":"b"}\n',
  );
  writeFileSync(
    join(dir, 'notes.md'),
    '# Notes\n\nThe attacker, it seems, came back twice.\nNothing else, really.\n',
  );
  writeFileSync(
    join(dir, 'table.log'),
    'time,host,action\n2026-01-02 03:04:05,ws1,login\n2026-01-02 03:04:09,ws2,logout\n',
  );
  writeFileSync(
    join(dir, 'eve.gz'),
    gzipSync('{"timestamp":"2026-01-02T03:04:05.000000+0000","event_type":"dns","src_ip":"10.0.0.2"}\n'),
  );
  const read = await readAll(dir);
  const byName = (n: string) => read.get(join(dir, n))!;
  assert.equal(byName('looks-like.csv').format, 'zeek');
  assert.equal(byName('events.txt').format, 'jsonl');
  assert.equal(byName('table.log').format, 'csv');
  assert.equal(byName('table.log').events.length, 2);
  assert.equal(byName('eve.gz').format, 'suricata');
  assert.equal(byName('notes.md').format, 'none');
  assert.equal(byName('notes.md').issues[0]!.code, 'ingest.format.unknown');
});

test('a malformed line is an issue naming file and line; the lines around it are still read', async () => {
  const dir = tempDir();
  const path = join(dir, 'mixed.jsonl');
  const hostile = 'x'.repeat(10_000) + '\u001b[2J\u0007';
  writeFileSync(
    path,
    [
      '{"ts":"2026-01-02T03:04:05Z","n":1}',
      '{"ts":"2026-01-02T03:04:06Z","n":2',
      JSON.stringify({ ts: '2026-01-02T03:04:07Z', n: 3, cmd: hostile }),
      '{"ts":"2026-01-02T03:04:08Z","n":4}',
    ].join('\n') + '\n',
  );
  const read = (await readAll(path)).get(path)!;
  assert.deepEqual(
    read.events.map((e) => e.fields.n),
    [1, 3, 4],
  );
  assert.equal(read.events[1]!.fields.cmd, hostile);
  assert.equal(read.issues.length, 1);
  assert.equal(read.issues[0]!.file, path);
  assert.equal(read.issues[0]!.line, 2);
});

test('W3C logs: a new #Fields header mid-file changes the columns from there on', async () => {
  const dir = tempDir();
  const path = join(dir, 'u_ex.log');
  writeFileSync(
    path,
    [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
      '2026-05-10 02:13:58 203.0.113.77 POST /ecp/y.js 200',
      '#Fields: date time cs-uri-stem cs-uri-query c-ip',
      '2026-05-10 02:15:29 /aspnet_client/errorEE.aspx cmd=whoami 203.0.113.77',
    ].join('\r\n') + '\r\n',
  );
  const read = (await readAll(path)).get(path)!;
  assert.equal(read.format, 'w3c');
  assert.equal(read.events.length, 2);
  assert.equal(read.events[0]!.fields['cs-method'], 'POST');
  assert.equal(read.events[1]!.fields['cs-uri-query'], 'cmd=whoami');
  assert.equal(read.events[1]!.fields['c-ip'], '203.0.113.77');
  assert.equal(new Date(read.events[1]!.timestamp).toISOString(), '2026-05-10T02:15:29.000Z');
  assert.equal(read.events[1]!.source.line, 5);
});

test('winlogbeat / ECS JSON is recognised and keeps the Windows event data', async () => {
  const dir = tempDir();
  const path = join(dir, 'beats.ndjson');
  const doc = {
    '@timestamp': '2026-05-10T02:31:12.000Z',
    event: { code: '7045', provider: 'Service Control Manager' },
    host: { name: 'WS-014' },
    winlog: {
      channel: 'System',
      event_id: 7045,
      computer_name: 'WS-014.corp.example',
      event_data: { ServiceName: 'PSEXESVC', ImagePath: '%SystemRoot%\\PSEXESVC.exe' },
    },
  };
  writeFileSync(path, JSON.stringify(doc) + '\n');
  const read = (await readAll(path)).get(path)!;
  assert.equal(read.format, 'ecs');
  assert.equal(read.events.length, 1);
  const e = read.events[0]!;
  assert.equal(new Date(e.timestamp).toISOString(), '2026-05-10T02:31:12.000Z');
  assert.equal(e.fields.ServiceName, 'PSEXESVC');
  assert.equal(String(e.fields.EventID), '7045');
  assert.equal(e.fields.Channel, 'System');
});

test("json-streaming-logs Zeek (OTRF APT29): @stream is the log type, id_orig_h becomes Zeek's id.orig_h", async () => {
  const dir = join(SHARED_DATA, 'otrf-security-datasets', 'compound', 'apt29');
  for (const day of ['day1', 'day2']) {
    const path = join(dir, day, 'zeek', 'combined_zeek.log');
    const expected = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
    const read = (await readAll(path)).get(path)!;
    assert.equal(read.format, 'zeek-json', day);
    assert.equal(read.events.length, expected, day);
    const conn = read.events.find((e) => e.source.logType === 'conn')!;
    assert.ok(typeof conn.fields['id.orig_h'] === 'string', day);
    assert.ok(!('id_orig_h' in conn.fields), day);
    const keys = Object.keys(conn.fields);
    assert.deepEqual(keys, [...keys].sort(), `${day}: keys sorted as the store keeps them`);
  }
});
