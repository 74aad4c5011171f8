// The weekly report over a busy store: a year of cases (BENCH_CASES, default 5,000, about 100 a week),
// three notifications each and an incident for every other case, in SQLite. CPU time of the main
// process (process.cpuUsage), not wall-clock: the machine is shared. Chromium's own CPU for the PDF is
// not in these figures (it is another process); its wall time is given beside them.
// Command: npm run bench -- weekly
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAvailable, renderWeekly, weekPeriod, type Period } from '../src/report/weekly/index.js';
import { weeklyReportFromStore } from '../src/server/reports/weekly-data.js';
import { SqliteStore } from '../src/store/index.js';
import { BENCH_DIR } from './fixtures.js';
import { median, table } from './report.js';

const CASES = Number(process.env.BENCH_CASES ?? 5_000);
const H = 3_600_000;
const week = weekPeriod('2026-W47') as Period;
const start = week.to - 365 * 24 * H;
const CLASSES = ['fraud', 'malicious-code', 'intrusions', 'availability', 'information-content-security'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER'] as const;
const KINDS = ['hosting', 'registrar', 'cert', 'cloud', 'app-store'];

mkdirSync(BENCH_DIR, { recursive: true });
const path = join(BENCH_DIR, 'weekly-bench.db');
for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
const store = new SqliteStore(path);
let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
for (let i = 0; i < CASES; i++) {
  const createdAt = start + Math.floor(random() * (week.to - start));
  const incidentId = i % 2 === 0 ? `inc-${i}` : null;
  if (incidentId)
    await store.incidents.put({
      id: incidentId,
      title: incidentId,
      firstSeen: createdAt - H,
      lastSeen: createdAt,
      detectionIds: [],
      analysis: {
        infrastructure: [
          {
            ip: `203.0.${i % 250}.${i % 200}`,
            country: ['US', 'NL', 'RU', 'DE'][i % 4],
            asn: 64_500 + (i % 20),
            as_name: `AS ${i % 20}`,
            roles: [],
          },
        ],
      },
    });
  const c = await store.cases.create({
    title: `case ${i}`,
    description: '',
    rsitClass: CLASSES[i % CLASSES.length]!,
    rsitType: null,
    tlp: TLPS[i % 3]!,
    pap: 'AMBER',
    severity: 'medium',
    priority: 'normal',
    organisations: [`org ${i % 50}`],
    assignee: null,
    dueAt: null,
    incidentId,
    detectionIds: [],
    createdBy: 'bench',
  });
  const resolvedAt = random() < 0.8 ? createdAt + Math.floor(random() * 96 * H) : null;
  await store.cases.update(c.id, resolvedAt === null ? {} : { status: 'resolved', resolvedAt });
  await store.sql.run('UPDATE cases SET created_at = ? WHERE id = ?', [createdAt, c.id]);
  for (let k = 0; k < 3; k++) {
    const n = await store.notifications.create({
      caseId: c.id,
      recipient: 'abuse@example.net',
      recipientName: null,
      partyKind: KINDS[(i + k) % KINDS.length]!,
      language: 'en',
      subject: 's',
      templateId: 't',
    });
    await store.notifications.record(
      n.id,
      { at: createdAt + H, status: 'sent', note: null },
      { sentAt: createdAt + H },
    );
  }
}

const cpu = (f: () => Promise<unknown>) => async () => {
  const before = process.cpuUsage();
  await f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};
const runs = async (n: number, f: () => Promise<unknown>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await cpu(f)());
  return median(out);
};

let model = await weeklyReportFromStore(store, { week: '2026-W47', tlp: 'AMBER', homeCountry: 'CN' });
const gather = await runs(5, async () => {
  model = await weeklyReportFromStore(store, { week: '2026-W47', tlp: 'AMBER', homeCountry: 'CN' });
});
const html = await runs(5, () => renderWeekly(model, 'html'));
const md = await runs(5, () => renderWeekly(model, 'md'));
const rows = [
  ['the report from the store (cases, parties, incidents, both weeks)', gather.toFixed(0)],
  ['HTML with charts, from the model', html.toFixed(1)],
  ['Markdown, from the model', md.toFixed(1)],
];
if (await chromiumAvailable()) {
  const wall = performance.now();
  const pdf = await runs(1, () => renderWeekly(model, 'pdf'));
  rows.push([
    `PDF (this process; Chromium's wall time ${((performance.now() - wall) / 1000).toFixed(1)} s)`,
    pdf.toFixed(0),
  ]);
}
await store.close();
process.stdout.write(`## Weekly report

\`npm run bench -- weekly\`: ${CASES.toLocaleString('en-US')} cases over a year, ${(CASES * 3).toLocaleString('en-US')} notifications,
${(CASES / 2).toLocaleString('en-US')} incidents, SQLite; the week 2026-W47 at TLP:AMBER (${model.handled.value} cases handled).
CPU milliseconds of the main process (median of 5; PDF once).

${table(['Step', 'CPU ms'], rows)}
`);
