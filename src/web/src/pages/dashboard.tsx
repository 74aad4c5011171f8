/** The dashboard: open cases by status and RSIT class, detections over time, this week's figures, jobs running. */
import type { ReactNode } from 'react';
import { get } from '../api';
import { BarChart } from '../charts';
import { utc } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import type { CaseSummary, Detection, Figures, Job } from '../types';
import { Loading, Problem, Section, Status, useLoad } from '../ui';

const ENDED = new Set(['closed', 'resolved', 'rejected', 'duplicate']);

/** ISO 8601 week of a date, `2026-W47`. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) {
    const k = key(i);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export function DashboardPage(): ReactNode {
  const session = useSession();
  return (
    <>
      <h1>Dashboard</h1>
      <div className="grid">
        <OpenCases />
        {session.can('detections:read') && <DetectionsOverTime />}
        {session.can('figures:read') && <WeekFigures />}
        {session.can('jobs:read') && <JobsInProgress />}
      </div>
    </>
  );
}

function OpenCases(): ReactNode {
  const cases = useLoad(() => get<CaseSummary[]>('/api/cases'), 'cases');
  const open = (cases.data ?? []).filter((c) => !ENDED.has(c.status));
  const byStatus = countBy(open, (c) => c.status);
  const byClass = countBy(open, (c) => c.rsitClass ?? 'unclassified');
  return (
    <Section title={`Open cases (${open.length})`} actions={<a href="#/cases">All cases</a>}>
      <Problem error={cases.error} />
      {cases.loading && !cases.data ? (
        <Loading what="cases" />
      ) : open.length === 0 ? (
        <p className="muted">No open cases.</p>
      ) : (
        <div className="two">
          <BarChart
            label="Open cases by status"
            labels={Object.keys(byStatus)}
            series={[{ name: 'cases', values: Object.values(byStatus) }]}
          />
          <BarChart
            horizontal
            label="Open cases by RSIT class"
            labels={Object.keys(byClass)}
            series={[{ name: 'cases', values: Object.values(byClass), color: '#7c3aed' }]}
          />
        </div>
      )}
      <table className="compact" aria-label="Open cases by status">
        <tbody>
          {Object.entries(byStatus).map(([s, n]) => (
            <tr key={s}>
              <td>
                <Status status={s} />
              </td>
              <td className="num">{n}</td>
              <td>
                <a href={href(['cases'], { status: s })}>show</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

const LEVEL_COLOURS: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#d97706',
  low: '#2563eb',
  informational: '#64748b',
};

function DetectionsOverTime(): ReactNode {
  const detections = useLoad(() => get<Detection[]>('/api/detections?limit=10000'), 'detections');
  const rows = detections.data ?? [];
  // Buckets of one day, or one hour when everything falls within two days.
  const times = rows.map((d) => Date.parse(d.timestamp)).filter(Number.isFinite);
  const span = times.length ? Math.max(...times) - Math.min(...times) : 0;
  const hourly = span <= 2 * 86_400_000;
  const bucket = (iso: string) => (hourly ? `${iso.slice(0, 13)}h` : iso.slice(0, 10));
  const buckets = [...new Set(rows.map((d) => bucket(d.timestamp)))].sort();
  const levels = Object.keys(LEVEL_COLOURS).filter((l) => rows.some((d) => d.level === l));
  const counts = countBy(rows, (d) => `${d.level}|${bucket(d.timestamp)}`);
  const series = levels.map((l) => ({
    name: l,
    color: LEVEL_COLOURS[l]!,
    values: buckets.map((b) => counts[`${l}|${b}`] ?? 0),
  }));
  return (
    <Section
      title={`Detections over time (${rows.length}${rows.length >= 10000 ? '+' : ''})`}
      actions={<a href="#/detections">Timeline</a>}
    >
      <Problem error={detections.error} />
      {detections.loading && !detections.data ? (
        <Loading what="detections" />
      ) : rows.length === 0 ? (
        <p className="muted">No detections yet: upload evidence.</p>
      ) : (
        <BarChart
          stacked
          label={`Detections per ${hourly ? 'hour' : 'day'} (UTC), by level`}
          labels={buckets}
          series={series}
        />
      )}
    </Section>
  );
}

function WeekFigures(): ReactNode {
  const week = isoWeek(new Date());
  const figures = useLoad(() => get<Figures>(`/api/figures?week=${week}`), week);
  const f = figures.data;
  return (
    <Section title={`This week's figures (${week})`}>
      <Problem error={figures.error} />
      {!f ? (
        <Loading what="figures" />
      ) : (
        <dl className="figures">
          <div>
            <dt>Cases opened</dt>
            <dd>{f.opened.count}</dd>
          </div>
          <div>
            <dt>Handled</dt>
            <dd>{f.handled.count}</dd>
          </div>
          <div>
            <dt>Resolved</dt>
            <dd>{f.resolved.count}</dd>
          </div>
          <div>
            <dt>Cross-border</dt>
            <dd>
              {f.crossBorder.count} ({Math.round(f.crossBorder.share * 100)}%)
            </dd>
          </div>
          <div>
            <dt>Notifications</dt>
            <dd>{f.notifications.count}</dd>
          </div>
          <div>
            <dt>Median time to resolution</dt>
            <dd>{f.medianHoursToResolution === null ? '—' : `${f.medianHoursToResolution.toFixed(1)} h`}</dd>
          </div>
        </dl>
      )}
      {f && Object.keys(f.handled.byClass).length > 0 && (
        <table className="compact" aria-label="Cases by RSIT class this week">
          <thead>
            <tr>
              <th>RSIT class</th>
              <th className="num">opened</th>
              <th className="num">handled</th>
              <th className="num">resolved</th>
            </tr>
          </thead>
          <tbody>
            {Object.keys(f.handled.byClass).map((k) => (
              <tr key={k}>
                <td>{k}</td>
                <td className="num">{f.opened.byClass[k]?.count ?? 0}</td>
                <td className="num">{f.handled.byClass[k]?.count ?? 0}</td>
                <td className="num">{f.resolved.byClass[k]?.count ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {f && Object.keys(f.notifications.byParty).length > 0 && (
        <table className="compact" aria-label="Notifications by party and outcome this week">
          <thead>
            <tr>
              <th>party</th>
              <th>outcomes</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(f.notifications.byParty).map(([party, outcomes]) => (
              <tr key={party}>
                <td>{party}</td>
                <td>
                  {Object.entries(outcomes)
                    .map(([o, c]) => `${o}: ${c.count}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function JobsInProgress(): ReactNode {
  const jobs = useLoad(() => get<Job[]>('/api/jobs?limit=20'), 'jobs');
  const running = (jobs.data ?? []).filter((j) => j.status === 'queued' || j.status === 'running');
  const recent = (jobs.data ?? []).filter((j) => !running.includes(j)).slice(0, 3);
  return (
    <Section
      title={`Ingest jobs in progress (${running.length})`}
      actions={<a href="#/evidence">Evidence</a>}
    >
      <Problem error={jobs.error} />
      <table className="compact" aria-label="Ingest jobs">
        <thead>
          <tr>
            <th>started</th>
            <th>status</th>
            <th className="num">records</th>
            <th className="num">issues</th>
            <th className="num">detections</th>
          </tr>
        </thead>
        <tbody>
          {[...running, ...recent].map((j) => (
            <tr key={j.id}>
              <td>{utc(j.createdAt)}</td>
              <td>
                <Status status={j.status} />
              </td>
              <td className="num">{j.records}</td>
              <td className="num">{j.issues}</td>
              <td className="num">{j.detections}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {running.length === 0 && <p className="muted">Nothing is running.</p>}
    </Section>
  );
}
