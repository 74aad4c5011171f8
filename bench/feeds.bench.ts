// Feed intake end to end: a Shadowserver report of ≥ 1 M rows generated from the sample report
// (addresses and times varied, one row in ten a repeat within the day), read from disk as a stream,
// parsed (schema-driven), enriched (offline ASN/country, owner in a generated constituency of 2,000
// organisations), deduplicated, stored (SQLite), and put into cases per owner and type, on one thread
// and on two (the parser in a worker). Then a ≈ 1 GiB report on two threads for peak memory. The goal is
// wall time on this machine; CPU time is printed beside it (the 2 cores are shared).
// Command: npm run bench -- feeds
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { INTAKE_BATCH, IntakeEnricher, runIntake, type IntakeSink } from '../src/cases/intake/index.js';
import { ConstituencyIndex, type Organisation } from '../src/enrich/constituency/index.js';
import { geoDatabase } from '../src/enrich/geo.js';
import { FeedParsers, sourceLines } from '../src/ingest/feeds/index.js';
import { runIntakeInWorker } from '../src/scale/intake/index.js';
import { SqliteStore } from '../src/store/index.js';
import { WINDOW_RUN } from '../src/store/intake-windows.js';
import { BENCH_DIR, SHARED_DATA } from './fixtures.js';
import { table } from './report.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** The larger report, for memory: ≈ 1 GiB, the size the issue names. */
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 9_700_000);
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
function constituency(): Organisation[] {
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
  return organisations;
}

/** This thread's CPU seconds (Linux), or NaN. */
function threadCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
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
  /** The thread that writes the store, alone. */
  mainCpuSeconds: number;
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
    addTemplate: (feed: string, fields: Parameters<IntakeSink['addTemplate']>[1]) => sink.addTemplate(feed, fields),
    caseFor: around('caseFor', (g: Parameters<IntakeSink['caseFor']>[0], s: Parameters<IntakeSink['caseFor']>[1]) => sink.caseFor(g, s)),
  };
}

type Threads = 'one' | 'two';

async function pipeline(rows: number, label: string, threads: Threads): Promise<Figures> {
  mkdirSync(BENCH_DIR, { recursive: true });
  // Per process, so two runs side by side do not share files.
  const report = join(BENCH_DIR, `feeds-${process.pid}-${label}-2024-03-01-test_smb-bench.csv`);
  const bytes = await writeReport(report, rows);
  const dbPath = join(BENCH_DIR, `feeds-${process.pid}-${label}.db`);
  for (const p of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(p, { force: true });
  const store = new SqliteStore(dbPath);
  const organisations = constituency();
  const reportInfo = { fileName: '2024-03-01-test_smb-bench.csv', observation: '2024-03-02T00:00:00+00:00' };
  const options = { feed: 'shadowserver-smb', sink: timed(store.intake), ...(BATCH !== undefined ? { batchSize: BATCH } : {}) };
  // The ASN/country database is opened before the clock starts, as in a server that has it loaded;
  // on two threads the worker uses it from shared memory.
  const enricher = threads === 'one' ? new IntakeEnricher(new ConstituencyIndex(organisations, [], geoDatabase()), geoDatabase(), 'ZZ') : undefined;
  geoDatabase().lookup('11.0.0.1');
  geoDatabase().lookup('2001:db8::1');
  if (!enricher) geoDatabase().shared();
  const startMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuSeconds();
  const wall0 = performance.now();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const result = enricher
    ? await runIntake(new FeedParsers({ shadowserverSchema: SCHEMA }).get('shadowserver').parse(sourceLines({ path: report }), reportInfo), { ...options, enricher })
    : await runIntakeInWorker(
        { source: { path: report }, parser: 'shadowserver', parsers: { shadowserverSchema: SCHEMA }, report: reportInfo, organisations, parties: [], homeCountry: 'ZZ' },
        options,
      );
  clearInterval(timer);
  const mainCpuSeconds = threadCpuSeconds() - main0;
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
    mainCpuSeconds,
    wall,
    peakMb: Math.round(peak / 2 ** 20),
    startMb,
    storeBytes,
  };
}

/** `one`, `two` or both (default): the intake on one thread, and with the parser in a worker (what `vigil feeds` does with a report over 4 MiB). */
const THREADS = (process.env.BENCH_THREADS ?? 'one,two').split(',') as Threads[];
const runs: { title: string; figures: Figures }[] = [];
for (const threads of THREADS)
  runs.push({ title: `${ROWS.toLocaleString('en')} rows, ${threads === 'one' ? 'one thread' : 'two threads'}`, figures: await pipeline(ROWS, `main-${threads}`, threads) });
if (BIG_ROWS > 0) runs.push({ title: `${BIG_ROWS.toLocaleString('en')} rows, two threads`, figures: await pipeline(BIG_ROWS, 'big', 'two') });
const main = runs[0]!.figures;
const rate = (r: Figures, seconds: number): string => `${Math.round(r.events / seconds).toLocaleString('en')} events/s`;
const mb = (b: number | string): string => `${(Number(b) / 2 ** 20).toFixed(0)} MiB`;
const figureRow = (name: string, cell: (f: Figures) => string): string[] => [name, ...runs.map((r) => cell(r.figures))];

console.log(`## Feed intake, end to end

Command: \`npm run bench -- feeds\`. A Shadowserver report generated from the sample \`test_smb.csv\`
(${main.rows.toLocaleString('en')} rows, ${mb(main.bytes)}; addresses and times varied, one row in ten a repeat within the day),
streamed from disk → parsed by the schema-driven Shadowserver parser (raw line kept) → enriched (offline
ASN/country database, owner among 2,000 generated organisations) → deduplicated (24 h window on address,
type and port) → stored in SQLite (each event stored against a per-feed template: only the fields that differ and
the tail of \`raw\`; 200-row inserts, ${(BATCH ?? INTAKE_BATCH).toLocaleString('en')} events per transaction; the dedup windows in their own table, written in sorted runs of ${WINDOW_RUN.toLocaleString('en')}) → put into cases per
owner and RSIT type. One process, on one thread, or on two: a worker thread reads, parses, enriches and makes each
event's dedup key and compact stored form while the main thread deduplicates, opens cases and writes SQLite (what
\`vigil feeds\` does with a report over 4 MiB). The goal is events per second on this machine (wall time); CPU time
(user + system, all threads) beside it, as the machine's 2 cores are shared.

${table(
  ['Figure', ...runs.map((r) => r.title)],
  [
    figureRow('Report size', (f) => mb(f.bytes)),
    figureRow('Events parsed / duplicates / stored', (f) => `${f.events} / ${f.duplicates} / ${f.stored}`),
    figureRow('Store file after the run', (f) => mb(f.storeBytes)),
    figureRow('Cases opened', (f) => String(f.cases)),
    figureRow('Issues', (f) => String(f.issues)),
    figureRow('Wall seconds', (f) => f.wall.toFixed(1)),
    figureRow('**Rate by wall time**', (f) => `**${rate(f, f.wall)}**`),
    figureRow('CPU seconds, all threads', (f) => f.cpuSeconds.toFixed(1)),
    figureRow('CPU seconds of the main thread (store)', (f) => f.mainCpuSeconds.toFixed(1)),
    figureRow('Rate by CPU time', (f) => rate(f, f.cpuSeconds)),
    figureRow('Peak RSS', (f) => `${f.peakMb} MiB`),
    figureRow('RSS as the report starts (ASN/country database loaded; later runs in the same process)', (f) => `${f.startMb} MiB`),
  ],
)}

Goal: ≥ 55,000 events/s end to end on this machine; memory flat as the report grows. IntelMQ, measured by the issue
on this machine: 551 events/s (parser → taxonomy → deduplicator → file); 1,379 events/s one Shadowserver parser.`);
