/**
 * The weekly report: a week and a TLP picked, its figures and sections drawn from the JSON form as text and
 * tables, links to the HTML, Markdown and PDF forms (served by the API, never embedded here), and the archive
 * of past issues.
 */
import { useState, type ReactNode } from 'react';
import { get, query } from '../api';
import { BarChart } from '../charts';
import { utc } from '../format';
import { href, replaceParams } from '../router';
import { useSession } from '../session';
import { Loading, Problem, Section, TlpBadge, useLoad } from '../ui';
import { isoWeek } from './dashboard';

const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
const FORMATS = [
  ['html', 'HTML'],
  ['md', 'Markdown'],
  ['pdf', 'PDF'],
] as const;

interface Figure {
  value: number;
}
interface Change extends Figure {
  previous: number;
  change: number;
  changePercent: number | null;
}
interface ClassRow extends Change {
  rsitClass: string;
}
interface WeeklyReport {
  week: string;
  previousWeek: string;
  period: { from: string; to: string };
  tlp: string;
  generatedAt: string;
  publisher: string | null;
  summary: string;
  handled: Change;
  opened: Change;
  resolved: Change;
  incidents: { byClass: ClassRow[]; byType: (ClassRow & { rsitType: string })[] };
  crossBorder: {
    total: Figure;
    previous: number;
    share: number;
    byCountry: (Figure & { country: string; share: number })[];
  };
  notifications: {
    total: Figure;
    byParty: (Figure & { party: string; outcomes: (Figure & { outcome: string })[] })[];
  };
  breaches: { total: Figure; byType: { type: string; count: number }[] } | null;
  vulnerabilities: {
    cves: number;
    advisories: { id: string; title: string; published: string; tlp: string; cves: string[] }[];
    byProduct: { vendor: string; product: string; severity: string; cvss: number | null; cves: string[] }[];
  } | null;
  infrastructure: {
    incidents: number;
    asns: (Figure & { asn: number | null; name: string | null; countries: string[]; addresses: number })[];
  };
  resolution: Figure & { medianHours: number | null; previousMedianHours: number | null };
  notable: { items: { caseId: string; number: number; line: string }[] };
}

interface IssueSummary {
  id: string;
  week: string;
  tlp: string;
  generatedAt: number;
}

/** The ISO week before the one now: the last complete week, the report's default. */
export function lastCompleteWeek(now = new Date()): string {
  return isoWeek(new Date(now.getTime() - 7 * 86_400_000));
}

const WEEK = /^\d{4}-W\d{2}$/;

export function ReportsPage({ params }: { params: URLSearchParams }): ReactNode {
  const session = useSession();
  const weekParam = params.get('week') ?? '';
  const week = WEEK.test(weekParam) ? weekParam : lastCompleteWeek();
  const tlp = (TLPS as readonly string[]).includes(params.get('tlp') ?? '') ? params.get('tlp')! : 'CLEAR';
  const issue = params.get('issue') ?? '';
  const [draftWeek, setDraftWeek] = useState(week);
  const [draftTlp, setDraftTlp] = useState(tlp);
  const base = issue
    ? `/api/reports/weekly/issues/${encodeURIComponent(issue)}`
    : `/api/reports/weekly${query({ week, tlp })}`;
  const report = useLoad(() => get<WeeklyReport>(base), base);
  const formatUrl = (format: string) =>
    issue
      ? `/api/reports/weekly/issues/${encodeURIComponent(issue)}${query({ format })}`
      : `/api/reports/weekly${query({ week, tlp, format })}`;
  const staff = session.me.user.role !== 'constituent' && session.me.user.role !== 'partner';
  return (
    <>
      <h1>Weekly report</h1>
      <form
        className="filters"
        aria-label="Report week and TLP"
        onSubmit={(e) => {
          e.preventDefault();
          replaceParams(['reports'], { week: draftWeek, tlp: draftTlp });
        }}
      >
        <label>
          Week{' '}
          <input
            type="week"
            name="week"
            value={draftWeek}
            onChange={(e) => setDraftWeek(e.target.value)}
            required
          />
        </label>
        <label>
          TLP{' '}
          <select
            name="tlp"
            aria-label="Report TLP"
            value={draftTlp}
            onChange={(e) => setDraftTlp(e.target.value)}
          >
            {(staff ? TLPS : (['CLEAR'] as const)).map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="submit">Show report</button>
      </form>
      <p className="row" aria-label="Downloads">
        {issue ? `Archived issue ${issue}: ` : `${week} at TLP:${tlp}: `}
        {FORMATS.map(([format, label]) => (
          <a key={format} href={formatUrl(format)} target="_blank" rel="noopener noreferrer">
            {label}
          </a>
        ))}
        {issue && <a href={href(['reports'], { week, tlp })}>Back to the current report</a>}
      </p>
      <Problem error={report.error} />
      {report.loading && !report.data ? (
        <Loading what="the report" />
      ) : (
        report.data && <Report r={report.data} />
      )}
      <Archive />
    </>
  );
}

function changeText(c: Change): string {
  const sign = c.change > 0 ? '+' : '';
  return `${sign}${c.change}${c.changePercent === null ? '' : ` (${sign}${Math.round(c.changePercent)}%)`} vs ${c.previous}`;
}

function Report({ r }: { r: WeeklyReport }): ReactNode {
  return (
    <>
      <Section
        title={`Week ${r.week} (${r.period.from.slice(0, 10)} – ${r.period.to.slice(0, 10)})`}
        actions={<TlpBadge tlp={r.tlp} />}
      >
        <p>{r.summary}</p>
        <dl className="figures" aria-label="Headline figures">
          <div>
            <dt>Cases handled</dt>
            <dd>{r.handled.value}</dd>
            <dd className="small muted">{changeText(r.handled)}</dd>
          </div>
          <div>
            <dt>Opened</dt>
            <dd>{r.opened.value}</dd>
            <dd className="small muted">{changeText(r.opened)}</dd>
          </div>
          <div>
            <dt>Resolved</dt>
            <dd>{r.resolved.value}</dd>
            <dd className="small muted">{changeText(r.resolved)}</dd>
          </div>
          <div>
            <dt>Cross-border</dt>
            <dd>
              {r.crossBorder.total.value} ({Math.round(r.crossBorder.share * 100)}%)
            </dd>
          </div>
          <div>
            <dt>Notifications</dt>
            <dd>{r.notifications.total.value}</dd>
          </div>
          <div>
            <dt>Median time to resolution</dt>
            <dd>{r.resolution.medianHours === null ? '—' : `${r.resolution.medianHours.toFixed(1)} h`}</dd>
          </div>
        </dl>
        <p className="small muted">
          Generated {utc(r.generatedAt)}
          {r.publisher ? ` by ${r.publisher}` : ''}; compared with {r.previousWeek}.
        </p>
      </Section>
      <div className="grid">
        <Section title="Incidents by RSIT class">
          {r.incidents.byClass.length === 0 ? (
            <p className="muted">No incidents this week.</p>
          ) : (
            <>
              <BarChart
                horizontal
                label={`Cases by RSIT class, ${r.week} against ${r.previousWeek}`}
                labels={r.incidents.byClass.map((c) => c.rsitClass)}
                series={[
                  { name: r.week, values: r.incidents.byClass.map((c) => c.value) },
                  {
                    name: r.previousWeek,
                    values: r.incidents.byClass.map((c) => c.previous),
                    color: '#94a3b8',
                  },
                ]}
              />
              <table className="compact" aria-label="Incidents by RSIT class">
                <thead>
                  <tr>
                    <th>RSIT class</th>
                    <th className="num">cases</th>
                    <th className="num">week before</th>
                  </tr>
                </thead>
                <tbody>
                  {r.incidents.byClass.map((c) => (
                    <tr key={c.rsitClass}>
                      <td>{c.rsitClass}</td>
                      <td className="num">{c.value}</td>
                      <td className="num">{c.previous}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Section>
        <Section title="Cross-border cases by country">
          {r.crossBorder.byCountry.length === 0 ? (
            <p className="muted">No cross-border cases.</p>
          ) : (
            <table className="compact" aria-label="Cross-border cases by country">
              <thead>
                <tr>
                  <th>country</th>
                  <th className="num">cases</th>
                  <th className="num">share</th>
                </tr>
              </thead>
              <tbody>
                {r.crossBorder.byCountry.map((c) => (
                  <tr key={c.country}>
                    <td>{c.country}</td>
                    <td className="num">{c.value}</td>
                    <td className="num">{Math.round(c.share * 100)}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
        <Section title="Notifications by party">
          {r.notifications.byParty.length === 0 ? (
            <p className="muted">Nobody was notified.</p>
          ) : (
            <table className="compact" aria-label="Notifications by party">
              <thead>
                <tr>
                  <th>party</th>
                  <th className="num">sent</th>
                  <th>outcomes</th>
                </tr>
              </thead>
              <tbody>
                {r.notifications.byParty.map((p) => (
                  <tr key={p.party}>
                    <td>{p.party}</td>
                    <td className="num">{p.value}</td>
                    <td>{p.outcomes.map((o) => `${o.outcome}: ${o.value}`).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
        <Section title="Attacker infrastructure">
          {r.infrastructure.asns.length === 0 ? (
            <p className="muted">No infrastructure seen in incidents.</p>
          ) : (
            <table className="compact" aria-label="Attacker infrastructure by ASN">
              <thead>
                <tr>
                  <th>ASN</th>
                  <th>name</th>
                  <th>countries</th>
                  <th className="num">addresses</th>
                </tr>
              </thead>
              <tbody>
                {r.infrastructure.asns.map((a, i) => (
                  <tr key={`${a.asn ?? 'none'}-${i}`}>
                    <td>{a.asn === null ? '—' : `AS${a.asn}`}</td>
                    <td>{a.name ?? ''}</td>
                    <td>{a.countries.join(', ')}</td>
                    <td className="num">{a.addresses}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      {r.vulnerabilities && (
        <Section title={`Vulnerabilities (${r.vulnerabilities.cves} CVEs)`}>
          {r.vulnerabilities.byProduct.length === 0 ? (
            <p className="muted">No product of the constituency was affected.</p>
          ) : (
            <table className="compact" aria-label="Affected products">
              <thead>
                <tr>
                  <th>vendor</th>
                  <th>product</th>
                  <th>severity</th>
                  <th className="num">CVSS</th>
                  <th>CVEs</th>
                </tr>
              </thead>
              <tbody>
                {r.vulnerabilities.byProduct.map((p) => (
                  <tr key={`${p.vendor}/${p.product}`}>
                    <td>{p.vendor}</td>
                    <td>{p.product}</td>
                    <td>{p.severity}</td>
                    <td className="num">{p.cvss ?? '—'}</td>
                    <td className="small">{p.cves.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
      {r.notable.items.length > 0 && (
        <Section title="Notable cases">
          <ul aria-label="Notable cases">
            {r.notable.items.map((n) => (
              <li key={n.caseId}>
                <a href={href(['cases', n.caseId])}>#{n.number}</a> {n.line}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}

function Archive(): ReactNode {
  const issues = useLoad(() => get<IssueSummary[]>('/api/reports/weekly/issues'), 'issues');
  return (
    <Section title="Archive">
      <Problem error={issues.error} />
      {issues.data?.length === 0 ? (
        <p className="muted">No issue has been generated yet.</p>
      ) : (
        <table className="compact" aria-label="Past issues">
          <thead>
            <tr>
              <th>week</th>
              <th>TLP</th>
              <th>generated</th>
              <th>formats</th>
            </tr>
          </thead>
          <tbody>
            {(issues.data ?? []).map((i) => (
              <tr key={i.id}>
                <td>
                  <a href={href(['reports'], { issue: i.id })}>{i.week}</a>
                </td>
                <td>
                  <TlpBadge tlp={i.tlp} />
                </td>
                <td>{utc(i.generatedAt)}</td>
                <td className="row">
                  {FORMATS.map(([format, label]) => (
                    <a
                      key={format}
                      href={`/api/reports/weekly/issues/${encodeURIComponent(i.id)}${query({ format })}`}
                      target="_blank"
                      rel="noopener noreferrer"
                    >
                      {label}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
