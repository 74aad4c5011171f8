// The readers on real corpora, each count checked against an independent one computed here (data
// lines, JSON.parse, a hand-written unzip), with the key fields and times of every record.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SHARED_DATA, corpusMissing } from '../../helpers/shared-data.js';
import { dataLines, readAll, readOne, tempDir, unzip } from './support.js';

// --- Zeek ----------------------------------------------------------------------------------------

const ZEEK = 'zeek-wrccdc-2018';
/** Every log type but the four largest (dns, ssl, weird, analyzer: 140k records) to stay fast. */
const ZEEK_SKIP = new Set(['dns', 'ssl', 'weird', 'analyzer']);

/** `1521911721.258458` → ms, sub-ms digits cut. */
function epochMs(text: string): number {
  const [s, frac = ''] = text.split('.');
  return Number(s) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3));
}

describe('Zeek (wrccdc-2018): TSV and JSON logs of the same traffic', { skip: corpusMissing(ZEEK) }, () => {
  const dir = join(SHARED_DATA, ZEEK);
  const types = readdirSync(join(dir, 'zeek-default'))
    .filter((n) => n.endsWith('.log.gz'))
    .map((n) => n.slice(0, -'.log.gz'.length))
    .filter((t) => !ZEEK_SKIP.has(t));

  it('has the log types to test', () => assert.ok(types.length >= 25, types.join()));

  it('TSV: one record per data line, every #fields name, typed values, ts as UTC', async () => {
    for (const type of types) {
      const path = join(dir, 'zeek-default', `${type}.log.gz`);
      const text = gunzipSync(readFileSync(path)).toString('utf8');
      const lines = text.split('\n');
      const data = dataLines(text);
      const names = lines
        .find((l) => l.startsWith('#fields\t'))!
        .split('\t')
        .slice(1);
      const types_ = lines
        .find((l) => l.startsWith('#types\t'))!
        .split('\t')
        .slice(1);
      const tsAt = names.indexOf('ts');
      const read = await readOne(path);
      assert.equal(read.format, 'zeek', type);
      assert.deepEqual(read.issues, [], type);
      assert.equal(read.events.length, data.length, `${type}: ${data.length} data lines`);
      const firstDataLine = lines.findIndex((l) => l !== '' && !l.startsWith('#')) + 1;
      read.events.forEach((e, i) => {
        const cells = data[i]!.split('\t');
        // Every column, keys sorted as the store keeps them (core/shaped-fields.ts, HeaderFields).
        assert.deepEqual(Object.keys(e.fields), [...names].sort(), `${type} #${i}`);
        assert.equal(e.source.logType, type);
        assert.equal(e.source.kind, 'zeek');
        if (tsAt >= 0) {
          const want = epochMs(cells[tsAt]!);
          // The reader rounds epoch seconds to the ms; the independent parse here cuts.
          assert.ok(Math.abs(e.timestamp - want) <= 1, `${type} #${i}: ${e.timestamp} vs ${want}`);
        }
        names.forEach((name, k) => {
          const cell = cells[k]!;
          const value = e.fields[name];
          if (cell === '-') assert.equal(value, null, `${type}.${name} unset`);
          else if (/^(count|int|port)$/.test(types_[k]!))
            assert.equal(value, Number(cell), `${type}.${name}`);
          else if (types_[k] === 'bool') assert.equal(value, cell === 'T');
          else if (/^(set|vector)\[/.test(types_[k]!))
            assert.ok(Array.isArray(value), `${type}.${name} is a list`);
        });
      });
      assert.equal(read.events[0]?.source.line ?? firstDataLine, firstDataLine, type);
    }
  });

  it('JSON: the same number of records per log type as the TSV, same order, same times', async () => {
    for (const type of types) {
      const tsvPath = join(dir, 'zeek-default', `${type}.log.gz`);
      const jsonPath = join(dir, 'zeek-json', `${type}.json.gz`);
      const text = gunzipSync(readFileSync(jsonPath)).toString('utf8');
      const parsed = dataLines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
      const tsv = await readOne(tsvPath);
      const json = await readOne(jsonPath);
      assert.equal(json.format, 'zeek-json', type);
      assert.deepEqual(json.issues, [], type);
      assert.equal(json.events.length, parsed.length, type);
      assert.equal(json.events.length, tsv.events.length, `${type}: TSV and JSON agree`);
      json.events.forEach((e, i) => {
        assert.equal(e.source.line, i + 1);
        assert.equal(e.source.logType, type);
        assert.equal(e.fields._path, parsed[i]!._path);
        if (typeof parsed[i]!.ts === 'string') {
          assert.equal(e.timestamp, Date.parse(parsed[i]!.ts.slice(0, 23) + 'Z'), `${type} #${i}`);
          assert.ok(Math.abs(e.timestamp - tsv.events[i]!.timestamp) <= 1, `${type} #${i} TSV vs JSON`);
        }
        if ('uid' in parsed[i]!) assert.equal(e.fields.uid, tsv.events[i]!.fields.uid);
      });
    }
  });
});

describe(
  'Zeek TSV logs inside a .zip (OTRF LSASS campaign)',
  { skip: corpusMissing('otrf-security-datasets/compound/LSASS_campaign_01') },
  () => {
    it('every entry by its #path; conn records carry id.orig_h and the other endpoints', async () => {
      const path = join(
        SHARED_DATA,
        'otrf-security-datasets/compound/LSASS_campaign_01/metasploit_logonpasswords_lsass_memory_dump_zeek_logs.zip',
      );
      const entries = unzip(readFileSync(path));
      const read = await readAll(path);
      assert.equal(read.size, entries.size);
      for (const [name, bytes] of entries) {
        const got = read.get(`${path}!${name}`);
        assert.ok(got, name);
        assert.equal(got.format, 'zeek', name);
        assert.deepEqual(got.issues, [], name);
        const expected = dataLines(bytes.toString('utf8')).length;
        assert.equal(got.events.length, expected, name);
        assert.ok(got.events.every((e) => e.source.logType === name.replace(/\.log$/, '')));
      }
      const conn = read.get(`${path}!conn.log`)!;
      assert.ok(conn.events.length > 50);
      for (const e of conn.events) {
        for (const f of ['id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'conn_state'])
          assert.ok(f in e.fields, f);
        assert.match(String(e.fields['id.orig_h']), /^[\d.]+$|:/);
        assert.equal(typeof e.fields['id.resp_p'], 'number');
        assert.ok(e.timestamp > Date.UTC(2023, 7, 1) && e.timestamp < Date.UTC(2023, 8, 1));
      }
    });
  },
);

// --- Suricata ------------------------------------------------------------------------------------

const SURICATA = 'suricata-eve-samples';

/** EVE's `2018-03-24T14:37:19.037299-0600` (or no zone: UTC) → ms, independently of the readers. */
function eveTime(text: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(text);
  assert.ok(m, text);
  const zone = m[3] === undefined || m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  return Date.parse(`${m[1]!}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${zone}`);
}

describe('Suricata EVE samples', { skip: corpusMissing(SURICATA) }, () => {
  const root = join(SHARED_DATA, SURICATA);
  const samples = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .map((d) => join(root, d, 'alerts-only.json'));

  it('four samples', () => assert.equal(samples.length, 4));

  it('JSON arrays: every element, with event_type, its starting line and a UTC time', async () => {
    for (const path of samples) {
      const text = readFileSync(path, 'utf8');
      const parsed = JSON.parse(text) as Record<string, unknown>[];
      // Independent starting lines: the elements are pretty-printed, each opening at `  {`.
      const starts = text.split('\n').flatMap((l, i) => (/^\s{0,2}\{\s*$/.test(l) ? [i + 1] : []));
      assert.equal(starts.length, parsed.length, 'each element opens on its own line');
      const read = await readOne(path);
      assert.equal(read.format, 'suricata', path);
      assert.deepEqual(read.issues, []);
      assert.equal(read.events.length, parsed.length, path);
      read.events.forEach((e, i) => {
        assert.equal(e.fields.event_type, parsed[i]!.event_type);
        assert.equal(e.fields.src_ip, parsed[i]!.src_ip);
        assert.equal(
          e.fields['alert.signature_id'],
          (parsed[i]!.alert as Record<string, unknown>).signature_id,
        );
        assert.equal(e.source.line, starts[i]);
        assert.equal(e.source.logType, parsed[i]!.event_type);
        assert.equal(e.timestamp, eveTime(parsed[i]!.timestamp as string), `${path} #${i}`);
      });
    }
  });

  it('the same alerts one per line, plain and gzip: the same records', async () => {
    const dir = tempDir();
    for (const path of samples) {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown[];
      const lines = parsed.map((p) => JSON.stringify(p)).join('\n') + '\n';
      const plain = join(dir, 'eve.json');
      const packed = join(dir, 'eve.json.gz');
      writeFileSync(plain, lines);
      writeFileSync(packed, gzipSync(lines));
      const fromArray = await readOne(path);
      for (const p of [plain, packed]) {
        const read = await readOne(p);
        assert.equal(read.format, 'suricata');
        assert.deepEqual(read.issues, []);
        assert.equal(read.events.length, parsed.length);
        assert.deepEqual(
          read.events.map((e) => e.source.line),
          parsed.map((_, i) => i + 1),
        );
        assert.deepEqual(
          read.events.map((e) => [e.fields, e.timestamp]),
          fromArray.events.map((e) => [e.fields, e.timestamp]),
        );
      }
    }
  });
});

// --- OTRF (flat Windows JSON inside .zip and .gz) ------------------------------------------------

const OTRF = 'otrf-security-datasets/atomic/windows';
const OTRF_FILES = [
  'credential_access/host/psh_lsass_memory_dump_comsvcs.zip',
  'credential_access/host/cmd_lsass_memory_dumpert_syscalls.zip',
  'lateral_movement/host/schtask_create.zip',
  'persistence/host/proxylogon_ssrf_rce_poc_2021-03-14T01401970.json.gz',
];

describe('OTRF security datasets', { skip: corpusMissing(OTRF) }, () => {
  for (const file of OTRF_FILES) {
    it(`${file}: one Windows event per JSON line, EventID, Channel and time`, async () => {
      const path = join(SHARED_DATA, OTRF, file);
      const archive = readFileSync(path);
      const entries = file.endsWith('.zip')
        ? [...unzip(archive)].map(([name, bytes]) => [`${path}!${name}`, bytes] as const)
        : [[path, gunzipSync(archive)] as const];
      const read = await readAll(path);
      assert.equal(read.size, entries.length);
      for (const [name, bytes] of entries) {
        const lines = bytes.toString('utf8').split('\n');
        const records = lines.flatMap((l, i) => (l.trim() ? [{ line: i + 1, value: JSON.parse(l) }] : []));
        const got = read.get(name);
        assert.ok(got, name);
        assert.equal(got.format, 'winjson');
        assert.deepEqual(got.issues, []);
        assert.equal(got.events.length, records.length, `${name}: ${records.length} JSON lines`);
        got.events.forEach((e, i) => {
          const r = records[i]!;
          const v = r.value as Record<string, unknown>;
          assert.equal(e.source.line, r.line);
          assert.equal(e.source.file, name);
          assert.equal(e.fields.EventID, Number(v.EventID));
          assert.equal(e.fields.Channel, v.Channel);
          assert.equal(e.fields.Computer, v.Hostname);
          // @timestamp when the record has one, else TimeCreated (zone-less: UTC).
          const when =
            typeof v['@timestamp'] === 'string'
              ? Date.parse(v['@timestamp'])
              : Date.parse(`${String(v.TimeCreated).replace(' ', 'T')}Z`);
          assert.equal(e.timestamp, when, `${name}:${r.line}`);
        });
      }
    });
  }
});

// --- SigmaHQ regression data (evtx_dump JSON) ----------------------------------------------------

const REGRESSION = 'sigma/regression_data';

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) jsonFiles(path, out);
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

describe('SigmaHQ regression data: evtx_dump JSON', { skip: corpusMissing(REGRESSION) }, () => {
  it('every file: one event per concatenated object, System and EventData by name, UTC SystemTime', async () => {
    const files = jsonFiles(join(SHARED_DATA, REGRESSION));
    assert.ok(files.length >= 200, `${files.length} files`);
    let total = 0;
    for (const path of files) {
      const name = relative(SHARED_DATA, path);
      const text = readFileSync(path, 'utf8');
      // Independent: evtx_dump starts every record with `{` at column 0.
      const starts = text.split('\n').flatMap((l, i) => (l.startsWith('{') ? [i + 1] : []));
      const records = text
        .split(/^(?=\{)/m)
        .filter((p) => p.trim() !== '')
        .map((p) => JSON.parse(p) as { Event: Record<string, Record<string, unknown>> });
      assert.equal(records.length, starts.length, name);
      const read = await readOne(path);
      assert.equal(read.format, 'evtx-json', name);
      assert.deepEqual(read.issues, [], name);
      assert.equal(read.events.length, records.length, name);
      read.events.forEach((e, i) => {
        const { System: system, EventData: data } = records[i]!.Event;
        const time = (system!.TimeCreated as { '#attributes': { SystemTime: string } })['#attributes']
          .SystemTime;
        assert.equal(e.source.kind, 'evtx-json');
        assert.equal(e.source.line, starts[i], name);
        assert.equal(e.fields.EventID, system!.EventID, name);
        assert.equal(e.fields.Channel, system!.Channel, name);
        assert.equal(e.fields.Computer, system!.Computer, name);
        assert.equal(e.timestamp, Date.parse(time.slice(0, 23) + 'Z'), `${name}: ${time}`);
        for (const [key, value] of Object.entries(data ?? {}))
          if ((typeof value === 'string' || typeof value === 'number') && !(key in system!))
            assert.equal(e.fields[key], value, `${name}: EventData ${key}`);
        assert.deepEqual(e.raw, records[i]);
      });
      total += records.length;
    }
    assert.ok(total >= 230, `${total} records`);
  });
});
