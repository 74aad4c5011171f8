// Edges of the text readers: where the byte stream is cut into pieces, byte-order marks and CRLF from
// Windows exports, invalid UTF-8, and CSV quoting gone wrong.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOne, tempDir } from './support.js';

/** The size of the pieces files are read in (text-stream.ts reads files with this highWaterMark). */
const PIECE = 1 << 20;

describe('CSV', () => {
  it('a "" escape split across two read pieces is still one quote inside the cell', async () => {
    const header = 'time,msg\n';
    const row = '2026-05-10 02:13:58,"say ""hi"", then leave"\n';
    const quoteAt = row.indexOf('""'); // the first quote of the first escape
    const filler = (n: number): string => `2026-05-10 02:00:00,${'p'.repeat(n - 21)}\n`;
    let text = header;
    while (PIECE - 1 - quoteAt - text.length > 200) text += filler(64);
    text += filler(PIECE - 1 - quoteAt - text.length);
    const fillerRows = text.split('\n').length - 2;
    text += row + filler(64).repeat(10);
    const path = join(tempDir(), 'export.csv');
    writeFileSync(path, text);
    // The scenario holds: the escape straddles the end of the first piece.
    assert.equal(text.slice(PIECE - 5, PIECE + 3), 'say ""hi');
    for await (const chunk of createReadStream(path, { highWaterMark: PIECE })) {
      assert.equal((chunk as Buffer).length, PIECE);
      break;
    }
    const read = await readOne(path);
    assert.equal(read.format, 'csv');
    assert.deepEqual(read.issues, []);
    assert.equal(read.events.length, fillerRows + 1 + 10);
    const quoted = read.events[fillerRows]!;
    assert.equal(quoted.fields.msg, 'say "hi", then leave');
    assert.equal(quoted.source.line, fillerRows + 2);
  });

  it('an unclosed quote: one issue at its line; reading resumes after the record limit', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `2026-05-10 02:00:00,row ${i}`);
    const text = ['time,msg', '2026-05-10 01:59:59,"never closed', ...rows].join('\n') + '\n';
    const path = join(tempDir(), 'broken.csv');
    writeFileSync(path, text);
    const read = await readOne(path);
    assert.equal(read.format, 'csv');
    assert.deepEqual(
      read.issues.map((i) => [i.code, i.file, i.line]),
      [['csv.record.invalid', path, 2]],
    );
    // RFC 4180 lets a quoted cell span lines, so rows up to the 1 MiB record limit are the cell's;
    // the rows after it are read, each at its own line.
    assert.ok(read.events.length > 0 && read.events.length < rows.length);
    assert.equal(read.events.at(-1)!.fields.msg, 'row 39999');
    for (const e of read.events) assert.equal(e.fields.msg, `row ${e.source.line! - 3}`);
  });

  it('an unclosed quote in the last record is an issue, the records before it stay', async () => {
    const path = join(tempDir(), 'cut.csv');
    writeFileSync(path, 'time,msg\n2026-05-10 02:00:00,ok\n2026-05-10 02:00:01,"cut sho');
    const read = await readOne(path);
    assert.deepEqual(
      read.events.map((e) => e.fields.msg),
      ['ok'],
    );
    assert.deepEqual(
      read.issues.map((i) => [i.code, i.line]),
      [['csv.record.invalid', 3]],
    );
  });

  it('an Excel export: BOM, CRLF, semicolons; the first column keeps its plain name', async () => {
    const path = join(tempDir(), 'Ereignisse.csv');
    writeFileSync(
      path,
      '\uFEFFZeit;Rechner;Aktion\r\n2026-05-10 02:13:58;ws1;Anmeldung\r\n2026-05-10 02:14:00;ws2;"A;B"\r\n',
    );
    const read = await readOne(path);
    assert.equal(read.format, 'csv');
    assert.deepEqual(
      read.events.map((e) => e.fields),
      [
        { Zeit: '2026-05-10 02:13:58', Rechner: 'ws1', Aktion: 'Anmeldung' },
        { Zeit: '2026-05-10 02:14:00', Rechner: 'ws2', Aktion: 'A;B' },
      ],
    );
  });
});

describe('text decoding', () => {
  it('invalid UTF-8 becomes U+FFFD and the record is kept, in every line format', async () => {
    const dir = tempDir();
    const bad = Buffer.from([0xff, 0xfe, 0xc3]); // not UTF-8 at all, then a cut sequence
    const files: [string, string, Buffer[], string][] = [
      [
        'conn.log',
        'zeek',
        [
          Buffer.from('#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\n1.5\tC'),
          bad,
          Buffer.from('x\n'),
        ],
        'uid',
      ],
      [
        'eve.json',
        'suricata',
        [
          Buffer.from('{"timestamp":"2026-05-10T02:13:58Z","event_type":"alert","src_ip":"'),
          bad,
          Buffer.from('"}\n'),
        ],
        'src_ip',
      ],
      [
        'u_ex.log',
        'w3c',
        [Buffer.from('#Fields: date time cs-uri-query\n2026-05-10 02:13:58 q='), bad, Buffer.from('\n')],
        'cs-uri-query',
      ],
      [
        'x.csv',
        'csv',
        [Buffer.from('time,msg\n2026-05-10 02:13:58,'), bad, Buffer.from('\n2026-05-10 02:13:59,b\n')],
        'msg',
      ],
    ];
    for (const [name, format, parts, field] of files) {
      const path = join(dir, name);
      writeFileSync(path, Buffer.concat(parts));
      const read = await readOne(path);
      assert.equal(read.format, format, name);
      assert.deepEqual(read.issues, [], name);
      assert.ok(String(read.events[0]!.fields[field]).includes('\uFFFD'), name);
    }
  });

  it('a BOM before a Zeek or W3C header does not hide it', async () => {
    const dir = tempDir();
    const zeek = join(dir, 'a');
    const w3c = join(dir, 'b');
    writeFileSync(zeek, '\uFEFF#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\n1.5\tC1\n');
    writeFileSync(w3c, '\uFEFF#Fields: date time c-ip\r\n2026-05-10 02:13:58 203.0.113.77\r\n');
    const z = await readOne(zeek);
    const w = await readOne(w3c);
    assert.deepEqual([z.format, z.events.length, z.events[0]!.fields.uid], ['zeek', 1, 'C1']);
    assert.deepEqual([w.format, w.events.length, w.events[0]!.fields['c-ip']], ['w3c', 1, '203.0.113.77']);
  });
});
