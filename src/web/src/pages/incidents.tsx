/**
 * Incidents: the list, and one incident's analysis — summary, stage timeline, spread graph, infrastructure,
 * data out, activity by hour with the inferred UTC offset, techniques — and "open a case".
 */
import type { ReactNode } from 'react';
import { get, patch, post } from '../api';
import { BarChart } from '../charts';
import { bytes, utc } from '../format';
import { href, navigate } from '../router';
import { useSession } from '../session';
import type { Analysis, CaseSummary, Incident, IncidentSummary, Tlp } from '../types';
import { Loading, Problem, Section, TlpBadge, useAction, useLoad } from '../ui';

export function IncidentsPage(): ReactNode {
  const incidents = useLoad(() => get<IncidentSummary[]>('/api/incidents'), 'incidents');
  return (
    <>
      <h1>Incidents</h1>
      <Problem error={incidents.error} />
      {!incidents.data ? (
        <Loading what="incidents" />
      ) : incidents.data.length === 0 ? (
        <p className="muted">No incidents you may see.</p>
      ) : (
        <table aria-label="Incidents">
          <thead>
            <tr>
              <th>incident</th>
              <th>first seen</th>
              <th>last seen</th>
              <th className="num">detections</th>
              <th>TLP</th>
              <th>organisation</th>
            </tr>
          </thead>
          <tbody>
            {incidents.data.map((i) => (
              <tr key={i.id}>
                <td>
                  <a href={href(['incidents', i.id])}>{i.title}</a>
                </td>
                <td>{utc(i.firstSeen)}</td>
                <td>{utc(i.lastSeen)}</td>
                <td className="num">{i.detections}</td>
                <td>
                  <TlpBadge tlp={i.tlp} />
                </td>
                <td>{i.organisation ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function IncidentPage({ id }: { id: string }): ReactNode {
  const session = useSession();
  const incident = useLoad(() => get<Incident>(`/api/incidents/${encodeURIComponent(id)}`), id);
  const cases = useLoad(
    () => (session.can('cases:read') ? get<CaseSummary[]>('/api/cases') : Promise.resolve([])),
    `cases-${id}`,
  );
  const action = useAction();
  if (incident.error) return <Problem error={incident.error} />;
  const i = incident.data;
  if (!i) return <Loading what="the incident" />;
  const a = i.analysis;
  const existing = (cases.data ?? []).filter((c) => c.incidentId === i.id);
  return (
    <>
      <h1>{i.title}</h1>
      <p className="meta">
        <TlpBadge tlp={i.tlp} /> <span className={`sev sev-${a.severity}`}>{a.severity}</span>{' '}
        {utc(a.first_seen)} – {utc(a.last_seen)} · {a.hosts.length} hosts · {i.detections} detections ·{' '}
        {bytes(a.bytes_out_total)} out{a.cross_border ? ' · cross-border' : ''}
      </p>
      <div className="actions">
        {session.can('cases:handle') && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              action.run(() =>
                post<{ id: string }>('/api/cases', { from: { incident: i.id } }).then((c) =>
                  navigate(['cases', c.id]),
                ),
              )
            }
          >
            Open a case
          </button>
        )}
        {existing.map((c) => (
          <a key={c.id} href={href(['cases', c.id])}>
            {c.ticket}: {c.status}
          </a>
        ))}
        <a href={href(['detections'], { from: a.first_seen, to: a.last_seen })}>Detections in this span</a>
        {session.can('incidents:handle') && <Label incident={i} onChanged={incident.reload} />}
      </div>
      <Problem error={action.error} />
      <div className="grid">
        <Summary a={a} />
        <SpreadGraph a={a} />
        <Activity a={a} />
        <Techniques a={a} />
      </div>
      <Timeline a={a} />
      <Infrastructure a={a} />
      {a.links.length > 0 && (
        <Section title="Why these detections are one incident">
          <ul className="links">
            {a.links.map((l, n) => (
              <li key={n}>{l}</li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}

const TLPS: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/** The incident's handling label: its TLP and the constituent organisation it concerns (whose users then see it). */
function Label({ incident, onChanged }: { incident: Incident; onChanged: () => void }): ReactNode {
  const action = useAction();
  const orgs = useLoad(() => get<{ id: string; name: string }[]>('/api/organisations'), 'organisations');
  const label = (body: Record<string, unknown>) =>
    action.run(() => patch(`/api/incidents/${encodeURIComponent(incident.id)}`, body).then(onChanged));
  return (
    <>
      <label className="inline">
        TLP
        <select
          aria-label="Incident TLP"
          value={incident.tlp}
          disabled={action.busy}
          onChange={(e) => label({ tlp: e.target.value })}
        >
          {TLPS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label className="inline">
        Organisation
        <select
          aria-label="Incident organisation"
          value={incident.organisation ?? ''}
          disabled={action.busy || !orgs.data}
          onChange={(e) => label({ organisation: e.target.value || null })}
        >
          <option value="">not labelled</option>
          {(orgs.data ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      {action.error && <span className="problem">{action.error}</span>}
    </>
  );
}

function Summary({ a }: { a: Analysis }): ReactNode {
  return (
    <Section title="Summary">
      <dl className="kv">
        {a.entry && (
          <>
            <dt>entry</dt>
            <dd>
              {a.entry.host} at {utc(a.entry.time)}
              {a.entry.from_ip ? ` from ${a.entry.from_ip}` : ''} — {a.entry.rule}
            </dd>
          </>
        )}
        <dt>hosts</dt>
        <dd>
          <ul className="plain">
            {a.hosts.map((h) => (
              <li key={h.name}>
                <a href={href(['detections'], { host: h.name })}>{h.name}</a> from {utc(h.first_seen)}:{' '}
                {h.how_reached} ({h.detections} detections)
              </li>
            ))}
          </ul>
        </dd>
        <dt>data out</dt>
        <dd>
          {bytes(a.bytes_out_total)}
          <ul className="plain">
            {a.infrastructure
              .filter((x) => (x.bytes_out ?? 0) > 0)
              .map((x) => (
                <li key={x.ip}>
                  {bytes(x.bytes_out)} to {x.ip}
                  {x.country ? ` (${x.country})` : ''}
                </li>
              ))}
          </ul>
        </dd>
        {a.countries.length > 0 && (
          <>
            <dt>countries</dt>
            <dd>{a.countries.join(', ')}</dd>
          </>
        )}
        {(a.web_shells ?? []).length > 0 && (
          <>
            <dt>web shells</dt>
            <dd>
              <ul className="plain">
                {a.web_shells!.map((w, n) => (
                  <li key={n}>
                    {w.host}: {w.path} at {utc(w.time)} by {w.written_by}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {(a.web_commands ?? []).length > 0 && (
          <>
            <dt>commands through it</dt>
            <dd>
              <ul className="plain">
                {a.web_commands!.map((w, n) => (
                  <li key={n}>
                    <code>{w.command}</code> on {w.host} at {utc(w.time)}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </Section>
  );
}

/** Hosts as nodes in the order they were reached, links as arrows with how the attacker moved. */
function SpreadGraph({ a }: { a: Analysis }): ReactNode {
  const hosts = [...a.hosts].sort((x, y) => x.first_seen.localeCompare(y.first_seen));
  const W = 560;
  const H = 240;
  const n = hosts.length;
  const pos = new Map<string, { x: number; y: number }>();
  hosts.forEach((h, i) => {
    if (n <= 5)
      pos.set(h.name, {
        x: 70 + (i * (W - 140)) / Math.max(1, n - 1),
        y: H / 2 + (i % 2 ? 40 : -40) * (n > 2 ? 1 : 0),
      });
    else {
      const angle = (2 * Math.PI * i) / n - Math.PI / 2;
      pos.set(h.name, {
        x: W / 2 + (W / 2 - 80) * Math.cos(angle),
        y: H / 2 + (H / 2 - 30) * Math.sin(angle),
      });
    }
  });
  const entryIp = a.entry?.from_ip ?? undefined;
  const entryHost = a.entry ? pos.get(a.entry.host) : undefined;
  return (
    <Section title="Spread">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="graph"
        role="img"
        aria-label={`Spread between ${n} hosts: ${a.spread.map((s) => `${s.from} to ${s.to}`).join(', ') || 'no lateral movement'}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrowhead" />
          </marker>
        </defs>
        {entryIp && entryHost && (
          <g>
            <line
              x1={entryHost.x}
              y1={18}
              x2={entryHost.x}
              y2={entryHost.y - 22}
              className="edge entry"
              markerEnd="url(#arrow)"
            />
            <text x={entryHost.x} y={12} className="node-label" textAnchor="middle">
              {entryIp} (entry)
            </text>
          </g>
        )}
        {a.spread.map((s, k) => {
          const p = pos.get(s.from);
          const q = pos.get(s.to);
          if (!p || !q) return null;
          const dx = q.x - p.x;
          const dy = q.y - p.y;
          const len = Math.hypot(dx, dy) || 1;
          const r = 22;
          return (
            <g key={k}>
              <line
                x1={p.x + (dx / len) * r}
                y1={p.y + (dy / len) * r}
                x2={q.x - (dx / len) * r}
                y2={q.y - (dy / len) * r}
                className="edge"
                markerEnd="url(#arrow)"
              >
                <title>{`${s.from} → ${s.to} at ${utc(s.time)}: ${s.via}`}</title>
              </line>
              <text x={(p.x + q.x) / 2} y={(p.y + q.y) / 2 - 6} className="edge-label" textAnchor="middle">
                {utc(s.time).slice(11)}
              </text>
            </g>
          );
        })}
        {hosts.map((h) => {
          const p = pos.get(h.name)!;
          return (
            <g key={h.name}>
              <circle cx={p.x} cy={p.y} r={20} className={a.entry?.host === h.name ? 'node entry' : 'node'}>
                <title>{`${h.name}: ${h.how_reached}`}</title>
              </circle>
              <text x={p.x} y={p.y + 36} className="node-label" textAnchor="middle">
                {h.name}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="plain small">
        {a.spread.map((s, k) => (
          <li key={k}>
            {s.from} → {s.to} at {utc(s.time)}: {s.via}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Activity({ a }: { a: Analysis }): ReactNode {
  const offset = a.activity.best_utc_offset;
  const labels = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
  const sign = offset !== null && offset >= 0 ? '+' : '';
  return (
    <Section title="Activity by hour (UTC)">
      <BarChart
        label={`Attacker actions per hour of the day, UTC; inferred working offset UTC${offset === null ? ' unknown' : `${sign}${offset}`}`}
        labels={labels}
        series={[{ name: 'actions', values: a.activity.by_hour_utc }]}
      />
      <p data-testid="utc-offset">
        Inferred UTC offset: <strong>{offset === null ? 'unknown' : `UTC${sign}${offset}`}</strong>
        {offset === null
          ? ` — none of the ${a.activity.actions} actions falls in a working day (Monday–Friday 09:00–18:00) under any UTC offset`
          : ` (fit ${a.activity.fit.toFixed(2)}, ${a.activity.actions} actions)`}
      </p>
    </Section>
  );
}

function Techniques({ a }: { a: Analysis }): ReactNode {
  return (
    <Section title={`Techniques (${a.techniques.length})`}>
      <table className="compact" aria-label="ATT&CK techniques">
        <thead>
          <tr>
            <th>id</th>
            <th>technique</th>
            <th>tactics</th>
            <th className="num">seen</th>
          </tr>
        </thead>
        <tbody>
          {a.techniques.map((t) => (
            <tr key={t.id}>
              <td>
                <a href={href(['detections'], { tag: `attack.${t.id.toLowerCase()}` })}>{t.id}</a>
              </td>
              <td>{t.name}</td>
              <td>{t.tactics.join(', ')}</td>
              <td className="num">{t.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Timeline({ a }: { a: Analysis }): ReactNode {
  return (
    <Section title="Stage timeline">
      <ol className="timeline" aria-label="Stages in time order">
        {a.timeline.map((s, k) => (
          <li key={k}>
            <time>{utc(s.time)}</time>
            <span className="tactic">{s.tactic ?? 'unmapped'}</span>
            <span>{s.host}</span>
            <span>
              {s.technique ? `${s.technique} · ` : ''}
              {s.rule}
            </span>
            {s.count > 1 && <span className="muted">×{s.count}</span>}
          </li>
        ))}
      </ol>
    </Section>
  );
}

function Infrastructure({ a }: { a: Analysis }): ReactNode {
  return (
    <Section title={`Attacker infrastructure (${a.infrastructure.length})`}>
      <table aria-label="Attacker infrastructure">
        <thead>
          <tr>
            <th>address</th>
            <th>country</th>
            <th>AS</th>
            <th>roles</th>
            <th>first seen</th>
            <th>last seen</th>
            <th className="num">data out</th>
          </tr>
        </thead>
        <tbody>
          {a.infrastructure.map((x) => (
            <tr key={x.ip}>
              <td>
                <code>{x.ip}</code>
              </td>
              <td>{x.country ?? '—'}</td>
              <td>{x.asn === null ? '—' : `AS${x.asn}${x.as_name ? ` ${x.as_name}` : ''}`}</td>
              <td>{x.roles.join(', ')}</td>
              <td>{utc(x.first_seen)}</td>
              <td>{utc(x.last_seen)}</td>
              <td className="num">{x.bytes_out ? bytes(x.bytes_out) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
