// Feed intake over two threads (a worker parses and prepares, this thread deduplicates and stores)
// stores exactly what the one-thread intake stores: the same events with the same ids and fields,
// the same duplicates, cases and issues. A report that breaks off, or a parser the worker does not
// know, fails the run with the reason instead of hanging it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IntakeEnricher, runIntake, type IntakeResult } from '../../src/cases/intake/index.js';
import { ConstituencyIndex, type Organisation } from '../../src/enrich/constituency/index.js';
import { geoDatabase } from '../../src/enrich/geo.js';
import { FeedParsers, sourceLines } from '../../src/ingest/feeds/index.js';
import { runIntakeInWorker } from '../../src/scale/intake/index.js';
import { SqliteStore } from '../../src/store/index.js';

const SCHEMA = join(import.meta.dirname, '../../../shared/data/feeds/shadowserver/current/shadowserver-schema.test.json');
const HEADER =
  '"timestamp","ip","port","hostname","tag","asn","geo","region","city","naics","sic","smb_implant","arch","key","smbv1_support","smb_major_number","smb_minor_number","smb_revision","smb_version_string"';
const ROWS = 6000;
const BATCH = 500;
const report = { fileName: '2024-03-01-test_smb.csv', observation: '2024-03-02T00:00:00+00:00' };

/** Rows with repeats (one in ten), a changing country every 700 rows, and a few broken lines. */
function reportText(): string {
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    if (i % 1999 === 1000) lines.push('"not a time",999.1.1.1,notaport');
    const n = i % 10 === 9 ? i - 7 : i;
    const ip = `${11 + ((n >>> 8) % 20)}.${n & 255}.${(n * 7) % 250}.${(n % 250) + 1}`;
    const t = `2024-03-01 ${String(Math.floor(i / 360) % 24).padStart(2, '0')}:${String(Math.floor(i / 6) % 60).padStart(2, '0')}:${String((i * 10) % 60).padStart(2, '0')}`;
    const cc = Math.floor(i / 700) % 2 === 0 ? 'ZZ' : 'DE';
    lines.push(`"${t}",${ip},445,node${n % 100}.example.com,smb,6451${n % 3},${cc},Region,City,0,0,N,,,N,2,1,0,"SMB 2.1"`);
  }
  return lines.join('\n') + '\n';
}

function organisations(): Organisation[] {
  const list: Organisation[] = [];
  for (let i = 0; i < 10; i++)
    list.push({
      id: `org-${i}`,
      name: `Organisation ${i}`,
      sectors: [],
      country: null,
      networks: [`${11 + i}.0.0.0/9`],
      asns: [],
      domains: [],
      contacts: [{ email: `soc@org-${i}.example` }],
    });
  return list;
}

interface Outcome {
  result: IntakeResult;
  events: unknown[];
  cases: unknown[];
}

async function outcome(dir: string, name: string, run: (store: SqliteStore) => Promise<IntakeResult>): Promise<Outcome> {
  const store = new SqliteStore(join(dir, `${name}.db`));
  try {
    const result = await run(store);
    const events = (await store.intake.events({ limit: 10_000 })).map((e) => ({ ...e, caseId: e.caseId === null ? null : 'case' }));
    // Ordered by group: cases opened in the same millisecond come back in the order of their random ids.
    const cases = (await store.intake.cases())
      .map((c) => ({ ...c, caseId: 'case', openedAt: 0, lastEventAt: 0 }))
      .sort((a, b) => (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0));
    return { result: { ...result, caseIds: result.caseIds.map(() => 'case') }, events, cases };
  } finally {
    await store.close();
  }
}

describe('feed intake in a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-intake-worker-'));
  const path = join(dir, report.fileName);
  const text = reportText();
  writeFileSync(path, text);
  const setup = { parser: 'shadowserver', parsers: { shadowserverSchema: SCHEMA }, report, organisations: organisations(), parties: [], homeCountry: 'ZZ' };
  const options = { feed: 'shadowserver-smb', batchSize: BATCH };

  it('stores what the one-thread intake stores, from a file and from a byte stream', async () => {
    const here = await outcome(dir, 'here', (store) => {
      const enricher = new IntakeEnricher(new ConstituencyIndex(setup.organisations, []), geoDatabase(), 'ZZ');
      const records = new FeedParsers(setup.parsers).get('shadowserver').parse(sourceLines({ path }), report);
      return runIntake(records, { ...options, enricher, sink: store.intake });
    });
    // The broken lines are kept, each with its four issues; having no address or port, the second and third are duplicates of the first.
    assert.deepEqual([here.result.records, here.result.events, here.result.duplicates, here.result.issues], [ROWS + 3, ROWS + 3, ROWS / 10 + 2, 12]);
    assert.ok(here.result.casesOpened >= 10, `cases: ${here.result.casesOpened}`);
    assert.ok(here.result.crossBorder === 0);
    const fromFile = await outcome(dir, 'file', (store) => runIntakeInWorker({ ...setup, source: { path } }, { ...options, sink: store.intake }));
    // A stream in small pieces: the worker asks for more many times per batch.
    const pieces = async function* (): AsyncGenerator<Uint8Array> {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += 4096) yield await Promise.resolve(bytes.subarray(at, at + 4096));
    };
    const fromStream = await outcome(dir, 'stream', (store) => runIntakeInWorker({ ...setup, source: { body: pieces() } }, { ...options, sink: store.intake }));
    for (const other of [fromFile, fromStream]) {
      assert.deepEqual(other.result, { ...here.result, inWorker: true });
      assert.equal(other.events.length, here.events.length);
      assert.deepEqual(other.events, here.events);
      assert.deepEqual(other.cases, here.cases);
    }
  });

  it('fails with the reason when the report breaks off or the parser is unknown', async () => {
    const store = new SqliteStore(join(dir, 'failing.db'));
    try {
      const broken = async function* (): AsyncGenerator<Uint8Array> {
        yield await Promise.resolve(Buffer.from(text.slice(0, 200_000)));
        throw new Error('connection reset by the feed server');
      };
      await assert.rejects(
        runIntakeInWorker({ ...setup, source: { body: broken() } }, { ...options, sink: store.intake }),
        /connection reset by the feed server/,
      );
      await assert.rejects(
        runIntakeInWorker({ ...setup, parser: 'no-such-feed', source: { path } }, { ...options, sink: store.intake }),
        /no feed parser named no-such-feed/,
      );
    } finally {
      await store.close();
    }
  });
});
