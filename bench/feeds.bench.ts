// Feed intake end to end: a Shadowserver report of ≥ 1 M rows generated from the sample report
// (addresses and times varied, one row in ten a repeat within the day), read from disk as a stream,
// parsed (schema-driven), enriched (offline ASN/country, owner in a generated constituency of 2,000
// organisations), deduplicated, stored (SQLite), and put into cases per owner and type. Then a
// larger report through the same pipeline for peak memory. CPU time is the figure (2 shared cores).
// Command: npm run bench -- feeds
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { INTAKE_BATCH, IntakeEnricher, runIntake, type IntakeSink } from '../src/cases/intake/index.js';
import { ConstituencyIndex, type Organisation } from '../src/enrich/constituency/index.js';
import { geoDatabase } from '../src/enrich/geo.js';
import { FeedParsers, sourceLines } from '../src/ingest/feeds/index.js';
import { SqliteStore } from '../src/store/index.js';
import { WINDOW_RUN } from '../src/store/intake-windows.js';
import { BENCH_DIR, SHARED_DATA } from './fixtures.js';
import { table } from './report.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 2_500_000);
/** Events per store transaction; unset, the intake's own default (what `vigil feeds run` uses). */
const BATCH = process.env.BENCH_BATCH === undefined ? undefined : Number(process.env.BENCH_BATCH);
const SCHEMA = join(SHARED_DATA, 'feeds/shadowserver/current/shadowserver-schema.test.json');
const HEADER =
  '"timestamp","ip","port","hostname","tag","asn","geo","region","city","naics","sic","smb_implant","arch","key","smbv1_support","smb_major_number","smb_minor_number","smb_revision","smb_version_string"';

/** Row i of the generated report: test_smb.csv's row with its address and time varied. */
function row(i: number): string {
  // One row in ten repeats an earlier address within the day (a duplicate to absorb).
  const n = i % 10 === 9 ? i - 7 : i;
  const ip = `${11 + ((n >>> 16) % 200)}.${(n >>> 8) & 255}.${n & 255}.${(n * 7) % 250 + 1}`;
  const second = i % 86_000;
  const t = `2024-03-01 ${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
  return `"${t}",${ip},445,node${n % 1000}.example.com,smb,64512,ZZ,Region,City,0,0,N,,,N,2,1,0,"SMB 2.1"`;
}

async function writeReport(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let i = 0; i < rows; i++) if (!out.write(`${row(i)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

/** 2,000 organisations, each owning a /20 inside the generated address space. */
function constituency(): ConstituencyIndex {
  const organisations: Organisation[] = [];
  for (let i = 0; i < 2000; i++)
    organisations.push({
      id: `org-${i}`,
      name: `Organisation ${i}`,
      sectors: [],
      country: null,
      networks: [`${11 + (i % 200)}.${(Math.floor(i / 200) * 16) & 255}.0.0/20`],
      asns: [],
      domains: [],
      contacts: [{ email: `soc@org-${i}.example` }],
    });
  return new ConstituencyIndex(organisations, [], geoDatabase());
}

interface Figures {
  rows: number;
  bytes: number;
  events: number;
  duplicates: number;
  stored: number;
  cases: number;
  issues: number;
  cpuSeconds: number;
  wall: number;
  peakMb: number;
  startMb: number;
  storeBytes: number;
}

const spent = { write: 0, windows: 0, caseFor: 0 };
/** The same in CPU ms (the store's calls run synchronously in SQLite, so this is their own CPU time). */
const spentCpu = { write: 0, windows: 0, caseFor: 0 };
/** The store's share of the time, measured around its calls. */
function timed(sink: IntakeSink): IntakeSink {
  const around =
    <A extends unknown[], R>(name: keyof typeof spent, f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        return await f(...a);
      } finally {
        spent[name] += performance.now() - t;
        const d = process.cpuUsage(c);
        spentCpu[name] += (d.user + d.system) / 1000;
      }
    };
  return {
    write: around('write', (b: Parameters<IntakeSink['write']>[0]) => sink.write(b)),
    windows: around('windows', (k: readonly number[]) => sink.windows(k)),
    caseFor: around('caseFor', (g: Parameters<IntakeSink['caseFor']>[0], s: Parameters<IntakeSink['caseFor']>[1]) => sink.caseFor(g, s)),
  };
}

async function pipeline(rows: number, label: string): Promise<Figures> {
  mkdirSync(BENCH_DIR, { recursive: true });
  // Per process, so two runs side by side do not share files.
  const report = join(BENCH_DIR, `feeds-${process.pid}-${label}-2024-03-01-test_smb-bench.csv`);
  const bytes = await writeReport(report, rows);
  const dbPath = join(BENCH_DIR, `feeds-${process.pid}-${label}.db`);
  for (const p of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(p, { force: true });
  const store = new SqliteStore(dbPath);
  const parsers = new FeedParsers({ shadowserverSchema: SCHEMA });
  const enricher = new IntakeEnricher(constituency(), geoDatabase(), 'ZZ');
  geoDatabase().lookup('11.0.0.1'); // open the database before the clock starts
  geoDatabase().lookup('2001:db8::1');
  const startMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const result = await runIntake(
    parsers.get('shadowserver').parse(sourceLines({ path: report }), {
      fileName: '2024-03-01-test_smb-bench.csv',
      observation: '2024-03-02T00:00:00+00:00',
    }),
    { feed: 'shadowserver-smb', enricher, sink: timed(store.intake), ...(BATCH !== undefined ? { batchSize: BATCH } : {}) },
  );
  clearInterval(timer);
  if (process.env.BENCH_VERBOSE) console.error(label, 'store ms', JSON.stringify(spent), 'store CPU ms', JSON.stringify(spentCpu));
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - wall0) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  const stored = await store.intake.count();
  await store.close();
  const storeBytes = statSync(dbPath).size;
  rmSync(report, { force: true });
  for (const p of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(p, { force: true });
  return {
    rows,
    bytes,
    events: result.events,
    duplicates: result.duplicates,
    stored,
    cases: result.casesOpened,
    issues: result.issues,
    cpuSeconds,
    wall,
    peakMb: Math.round(peak / 2 ** 20),
    startMb,
    storeBytes,
  };
}

const main = await pipeline(ROWS, 'main');
const big = BIG_ROWS > 0 ? await pipeline(BIG_ROWS, 'big') : undefined;
const rate = (r: Figures, key: 'cpuSeconds' | 'wall'): string =>
  `${Math.round(Number(r.events) / Number(r[key])).toLocaleString('en')} events/s`;
const mb = (b: number | string): string => `${(Number(b) / 2 ** 20).toFixed(0)} MiB`;

console.log(`## Feed intake, end to end

Command: \`npm run bench -- feeds\`. A Shadowserver report generated from the sample \`test_smb.csv\`
(${main.rows.toLocaleString('en')} rows, ${mb(main.bytes)}; addresses and times varied, one row in ten a repeat within the day),
streamed from disk → parsed by the schema-driven Shadowserver parser (raw line kept) → enriched (offline
ASN/country database, owner among 2,000 generated organisations) → deduplicated (24 h window on address,
type and port) → stored in SQLite (each event stored against a per-feed template: only the fields that differ and
the tail of \`raw\`; 200-row inserts, ${(BATCH ?? INTAKE_BATCH).toLocaleString('en')} events per transaction; the dedup windows in their own table, written in sorted runs of ${WINDOW_RUN.toLocaleString('en')}) → put into cases per
owner and RSIT type. One process; CPU time (user + system) is the
figure, as the machine's 2 cores are shared; wall time beside it.

${table(
  ['Figure', `${main.rows.toLocaleString('en')} rows`, ...(big ? [`${big.rows.toLocaleString('en')} rows`] : [])],
  [
    ['Report size', mb(main.bytes), ...(big ? [mb(big.bytes)] : [])],
    ['Events parsed / duplicates / stored', `${main.events} / ${main.duplicates} / ${main.stored}`, ...(big ? [`${big.events} / ${big.duplicates} / ${big.stored}`] : [])],
    ['Store file after the run', mb(main.storeBytes), ...(big ? [mb(big.storeBytes)] : [])],
    ['Cases opened', String(main.cases), ...(big ? [String(big.cases)] : [])],
    ['Issues', String(main.issues), ...(big ? [String(big.issues)] : [])],
    ['CPU seconds', Number(main.cpuSeconds).toFixed(1), ...(big ? [Number(big.cpuSeconds).toFixed(1)] : [])],
    ['**Rate by CPU time**', `**${rate(main, 'cpuSeconds')}**`, ...(big ? [`**${rate(big, 'cpuSeconds')}**`] : [])],
    ['Rate by wall time (shared machine)', rate(main, 'wall'), ...(big ? [rate(big, 'wall')] : [])],
    ['Peak RSS', `${main.peakMb} MiB`, ...(big ? [`${big.peakMb} MiB`] : [])],
    ['RSS as the report starts (ASN/country database loaded; the larger report runs after the first, in the same process)', `${main.startMb} MiB`, ...(big ? [`${big.startMb} MiB`] : [])],
    ['Goal', '≥ 55,000 events/s; memory flat as the report grows', ...(big ? [''] : [])],
    ['IntelMQ, measured by the issue on this machine', '551 events/s (parser → taxonomy → deduplicator → file); 1,379 events/s one Shadowserver parser', ...(big ? [''] : [])],
  ],
)}`);
