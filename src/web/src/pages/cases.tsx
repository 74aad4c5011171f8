/**
 * Cases: the list (filter by status), and one case — classification, the workflow buttons its state allows,
 * tasks, comments, observables, evidence, proposed parties, notifications with their tracking, audit trail.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { get, patch, post, query, upload } from '../api';
import { download, toCsv } from '../csv';
import { bytes, text, utc } from '../format';
import { href, replaceParams } from '../router';
import { useSession } from '../session';
import type { AuditEntry, CaseDetail, CaseSummary, Notification, Parties, ProposedParty } from '../types';
import { Loading, Problem, Section, Status, TlpBadge, useAction, useLoad, type Loaded } from '../ui';

const STATES = ['new', 'triage', 'in-progress', 'waiting', 'resolved', 'closed', 'rejected', 'duplicate'];

export function CasesPage({ params }: { params: URLSearchParams }): ReactNode {
  const status = params.get('status') ?? '';
  const cases = useLoad(() => get<CaseSummary[]>(`/api/cases${query({ status })}`), status);
  return (
    <>
      <h1>Cases</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            name="status"
            value={status}
            onChange={(e) => replaceParams(['cases'], { status: e.target.value })}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Problem error={cases.error} />
      {!cases.data ? (
        <Loading what="cases" />
      ) : cases.data.length === 0 ? (
        <p className="muted">No cases.</p>
      ) : (
        <table aria-label="Cases">
          <thead>
            <tr>
              <th>ticket</th>
              <th>title</th>
              <th>status</th>
              <th>RSIT</th>
              <th>TLP</th>
              <th>severity</th>
              <th>organisations</th>
              <th>assignee</th>
              <th>opened</th>
            </tr>
          </thead>
          <tbody>
            {cases.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={href(['cases', c.id])}>{c.ticket}</a>
                </td>
                <td>{c.title}</td>
                <td>
                  <Status status={c.status} />
                </td>
                <td>{c.rsitClass ? `${c.rsitClass}${c.rsitType ? ` / ${c.rsitType}` : ''}` : '—'}</td>
                <td>
                  <TlpBadge tlp={c.tlp} />
                </td>
                <td>{c.severity}</td>
                <td>{c.organisations.join(', ') || '—'}</td>
                <td>{c.assignee ?? '—'}</td>
                <td>{utc(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const caseUrl = (id: string, rest = '') => `/api/cases/${encodeURIComponent(id)}${rest}`;

export function CasePage({ id }: { id: string }): ReactNode {
  const session = useSession();
  const c = useLoad(() => get<CaseDetail>(caseUrl(id)), id);
  if (c.error) return <Problem error={c.error} />;
  const k = c.data;
  if (!k) return <Loading what="the case" />;
  const handle = session.can('cases:handle');
  return <CaseView c={k} reload={c.reload} handle={handle} />;
}

function CaseView({
  c: k,
  reload,
  handle,
}: {
  c: CaseDetail;
  reload: () => void;
  handle: boolean;
}): ReactNode {
  const session = useSession();
  // Who must act, shared by its panel and the notification form; asked again whenever the case changes.
  const parties = useLoad(
    () =>
      session.can('constituency:read') ? get<Parties>(caseUrl(k.id, '/parties')) : Promise.resolve(undefined),
    `${k.id}-${k.updatedAt}`,
  );
  return (
    <>
      <h1>
        <span className="ticket">{k.ticket}</span> {k.title}
      </h1>
      <p className="meta">
        <Status status={k.status} /> {k.statusReason ? `(${k.statusReason}) ` : ''}
        <TlpBadge tlp={k.tlp} /> PAP:{k.pap} · severity {k.severity} · priority {k.priority}
        {k.crossBorder ? ` · cross-border (${k.foreignCountries.join(', ')})` : ''}
        {k.incidentId && (
          <>
            {' · '}
            <a href={href(['incidents', k.incidentId])}>the incident</a>
          </>
        )}
      </p>
      {handle && <Workflow c={k} onChanged={reload} />}
      <div className="grid">
        <Details c={k} onChanged={reload} />
        <Tasks c={k} onChanged={reload} />
        <Comments c={k} onChanged={reload} />
        <Observables c={k} onChanged={reload} />
        <Evidence c={k} onChanged={reload} />
        {session.can('constituency:read') && <ProposedParties parties={parties} />}
      </div>
      <Notifications c={k} parties={parties.data} />
      {session.can('cases:audit') && <AuditTrail c={k} />}
    </>
  );
}

function Workflow({ c, onChanged }: { c: CaseDetail; onChanged: () => void }): ReactNode {
  const action = useAction();
  const [reason, setReason] = useState('');
  const needsReason = (to: string) => to === 'rejected' || to === 'duplicate';
  return (
    <div className="actions" role="group" aria-label="Workflow">
      <span className="muted">Move to:</span>
      {c.allowedTransitions.map((to) => (
        <button
          key={to}
          type="button"
          disabled={action.busy || (needsReason(to) && reason.trim() === '')}
          title={needsReason(to) ? 'needs a reason' : undefined}
          onClick={() =>
            action.run(() =>
              post(caseUrl(c.id, '/transition'), {
                to,
                ...(reason.trim() ? { reason: reason.trim() } : {}),
              }).then(() => {
                setReason('');
                onChanged();
              }),
            )
          }
        >
          {to}
        </button>
      ))}
      <label className="inline">
        reason
        <input
          name="reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="needed for rejected, duplicate"
        />
      </label>
      <Problem error={action.error} />
    </div>
  );
}

interface RsitClass {
  id: string;
  name: string;
  types: { id: string; name: string }[];
}

function Details({ c, onChanged }: { c: CaseDetail; onChanged: () => void }): ReactNode {
  const session = useSession();
  const rsit = useLoad(() => get<{ classes: RsitClass[] }>('/api/rsit'), 'rsit');
  const action = useAction();
  const handle = session.can('cases:handle');
  const change = (body: Record<string, unknown>) =>
    action.run(() => patch(caseUrl(c.id), body).then(onChanged));
  const cls = rsit.data?.classes.find((x) => x.id === c.rsitClass);
  return (
    <Section title="Classification">
      <dl className="kv">
        <dt>RSIT class</dt>
        <dd>
          {handle ? (
            <select
              aria-label="RSIT class"
              value={c.rsitClass ?? ''}
              onChange={(e) => change({ rsitClass: e.target.value || null })}
            >
              <option value="">unclassified</option>
              {rsit.data?.classes.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          ) : (
            (cls?.name ?? c.rsitClass ?? 'unclassified')
          )}
        </dd>
        <dt>RSIT type</dt>
        <dd>
          {handle && cls ? (
            <select
              aria-label="RSIT type"
              value={c.rsitType ?? ''}
              onChange={(e) => change({ rsitType: e.target.value || null })}
            >
              <option value="">—</option>
              {cls.types.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          ) : (
            (c.rsitType ?? '—')
          )}
        </dd>
        <dt>TLP</dt>
        <dd>
          {handle ? (
            <select aria-label="TLP" value={c.tlp} onChange={(e) => change({ tlp: e.target.value })}>
              {['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'].map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          ) : (
            c.tlp
          )}
        </dd>
        <dt>assignee</dt>
        <dd>
          {c.assignee ?? '—'}
          {handle && c.assignee !== session.me.user.username && (
            <button
              type="button"
              className="link"
              onClick={() => change({ assignee: session.me.user.username })}
            >
              take it
            </button>
          )}
        </dd>
        <dt>organisations</dt>
        <dd>{handle ? <Organisations c={c} change={change} /> : c.organisations.join(', ') || '—'}</dd>
        <dt>opened</dt>
        <dd>
          {utc(c.createdAt)} by {c.createdBy}
        </dd>
        <dt>description</dt>
        <dd className="pre">{c.description}</dd>
      </dl>
      <Problem error={action.error ?? rsit.error} />
    </Section>
  );
}

/** The constituent organisations a case concerns (their users see it), as a comma-separated list. */
function Organisations({
  c,
  change,
}: {
  c: CaseDetail;
  change: (body: Record<string, unknown>) => void;
}): ReactNode {
  const [value, setValue] = useState(c.organisations.join(', '));
  const next = [
    ...new Set(
      value
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        change({ organisations: next });
      }}
    >
      <input
        aria-label="Organisations"
        name="organisations"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="organisation ids"
      />
      <button type="submit" disabled={next.join(',') === c.organisations.join(',')}>
        Save
      </button>
    </form>
  );
}

function Tasks({ c, onChanged }: { c: CaseDetail; onChanged: () => void }): ReactNode {
  const session = useSession();
  const action = useAction();
  const [title, setTitle] = useState('');
  const add = (e: FormEvent) => {
    e.preventDefault();
    action.run(() =>
      post(caseUrl(c.id, '/tasks'), { title, owner: session.me.user.username }).then(() => {
        setTitle('');
        onChanged();
      }),
    );
  };
  return (
    <Section title={`Tasks (${c.tasks.filter((t) => !t.done).length} open)`}>
      <ul className="plain" aria-label="Tasks">
        {c.tasks.map((t) => (
          <li key={t.id}>
            <label className="inline">
              <input
                type="checkbox"
                checked={t.done}
                disabled={!session.can('cases:handle') || action.busy}
                onChange={(e) =>
                  action.run(() =>
                    patch(caseUrl(c.id, `/tasks/${encodeURIComponent(t.id)}`), {
                      done: e.target.checked,
                    }).then(onChanged),
                  )
                }
              />
              <span className={t.done ? 'done' : ''}>{t.title}</span>
            </label>{' '}
            <span className="muted small">
              {t.owner ?? 'no owner'}
              {t.dueAt ? `, due ${utc(t.dueAt)}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {session.can('cases:handle') && (
        <form onSubmit={add} className="row">
          <input
            aria-label="New task"
            name="task"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            placeholder="a new task"
          />
          <button type="submit" disabled={action.busy}>
            Add task
          </button>
        </form>
      )}
      <Problem error={action.error} />
    </Section>
  );
}

function Comments({ c, onChanged }: { c: CaseDetail; onChanged: () => void }): ReactNode {
  const session = useSession();
  const action = useAction();
  const [body, setBody] = useState('');
  const add = (e: FormEvent) => {
    e.preventDefault();
    action.run(() =>
      post(caseUrl(c.id, '/comments'), { text: body }).then(() => {
        setBody('');
        onChanged();
      }),
    );
  };
  return (
    <Section title={`Comments (${c.comments.length})`}>
      <ol className="comments" aria-label="Comments">
        {c.comments.map((m) => (
          <li key={m.id}>
            <p className="muted small">
              {m.author}, {utc(m.createdAt)}
            </p>
            <p className="pre">{m.text}</p>
          </li>
        ))}
      </ol>
      {session.can('cases:comment') && (
        <form onSubmit={add}>
          <textarea
            aria-label="New comment"
            name="comment"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            required
            rows={3}
          />
          <button type="submit" disabled={action.busy}>
            Comment
          </button>
        </form>
      )}
      <Problem error={action.error} />
    </Section>
  );
}

const OBSERVABLE_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'account'];

function Observables({ c, onChanged }: { c: CaseDetail; onChanged: () => void }): ReactNode {
  const session = useSession();
  const action = useAction();
  const [type, setType] = useState('ipv4');
  const [value, setValue] = useState('');
  const add = (e: FormEvent) => {
    e.preventDefault();
    action.run(() =>
      post(caseUrl(c.id, '/observables'), { type, value }).then(() => {
        setValue('');
        onChanged();
      }),
    );
  };
  const exportCsv = () =>
    download(
      `${c.ticket.replace(/[^A-Za-z0-9]/g, '-')}-observables.csv`,
      toCsv(
        ['type', 'value', 'detections'],
        c.observables.map((o) => [o.type, o.value, String(o.detectionIds.length)]),
      ),
    );
  return (
    <Section
      title={`Observables (${c.observables.length})`}
      actions={
        <button type="button" onClick={exportCsv} disabled={c.observables.length === 0}>
          Export CSV
        </button>
      }
    >
      <table className="compact" aria-label="Observables">
        <tbody>
          {c.observables.map((o) => (
            <tr key={`${o.type}:${o.value}`}>
              <td>{o.type}</td>
              <td>
                <code>{o.value}</code>
              </td>
              <td className="muted small">{o.detectionIds.length} detections</td>
            </tr>
          ))}
        </tbody>
      </table>
      {session.can('cases:handle') && (
        <form onSubmit={add} className="row">
          <select aria-label="Observable type" value={type} onChange={(e) => setType(e.target.value)}>
            {OBSERVABLE_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
          <input
            aria-label="Observable value"
            name="observable"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
          />
          <button type="submit" disabled={action.busy}>
            Add
          </button>
        </form>
      )}
      <Problem error={action.error} />
    </Section>
  );
}

function Evidence({ c, onChanged }: { c: CaseDetail; onChanged: () => void }): ReactNode {
  const session = useSession();
  const input = useRef<HTMLInputElement>(null);
  const action = useAction();
  const attach = (e: FormEvent) => {
    e.preventDefault();
    const files = [...(input.current?.files ?? [])].slice(0, 1);
    if (files.length === 0) return;
    action.run(() =>
      upload(caseUrl(c.id, '/evidence'), files, () => undefined).then(() => {
        if (input.current) input.current.value = '';
        onChanged();
      }),
    );
  };
  return (
    <Section title={`Evidence (${c.evidence.length})`}>
      <table className="compact" aria-label="Case evidence">
        <tbody>
          {c.evidence.map((f) => (
            <tr key={f.id}>
              <td>
                <a href={caseUrl(c.id, `/evidence/${encodeURIComponent(f.id)}`)} download>
                  {f.name}
                </a>
              </td>
              <td>{bytes(f.size)}</td>
              <td>
                <code className="small" title="SHA-256">
                  {f.sha256.slice(0, 16)}…
                </code>
              </td>
              <td className="muted small">{(f.custody ?? []).length} custody entries</td>
            </tr>
          ))}
        </tbody>
      </table>
      {session.can('cases:handle') && (
        <form onSubmit={attach} className="row">
          <input ref={input} type="file" aria-label="Evidence file" />
          <button type="submit" disabled={action.busy}>
            Attach
          </button>
        </form>
      )}
      <Problem error={action.error} />
    </Section>
  );
}

function ProposedParties({ parties }: { parties: Loaded<Parties | undefined> }): ReactNode {
  return (
    <Section title="Who must act">
      <Problem error={parties.error} />
      {!parties.data ? (
        <Loading what="parties" />
      ) : (
        <>
          <ul className="plain" aria-label="Proposed parties">
            {parties.data.parties.map((p) => (
              <li key={`${p.kind}:${p.id}`}>
                <strong>{p.name}</strong> ({p.kind}) — {p.action}: {p.subjects.join(', ')}
                <span className="muted small"> {p.reasons.join('; ')}</span>
                <span className="small"> {p.contacts.map((x) => x.email).join(', ')}</span>
              </li>
            ))}
          </ul>
          {parties.data.parties.length === 0 && <p className="muted">No party on file for this case.</p>}
          {parties.data.unresolved.length > 0 && (
            <details>
              <summary>{parties.data.unresolved.length} without a party on file</summary>
              <ul className="small">
                {parties.data.unresolved.map((u, n) => (
                  <li key={n}>{u}</li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </Section>
  );
}

const PARTY_KINDS = ['constituent', 'hosting', 'cloud', 'registrar', 'app-store', 'cert', 'other'];

function Notifications({ c, parties }: { c: CaseDetail; parties: Parties | undefined }): ReactNode {
  const session = useSession();
  const list = useLoad(() => get<Notification[]>(caseUrl(c.id, '/notifications')), c.id);
  const action = useAction();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState('constituent');
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState<string | undefined>();
  const fill = (p: ProposedParty) => {
    const contact = p.contacts[0];
    if (contact) setEmail(contact.email);
    setName(p.name);
    setKind(PARTY_KINDS.includes(p.kind) ? p.kind : 'other');
    setReason(`${p.action}: ${p.subjects.join(', ')}`);
  };
  const send = (e: FormEvent) => {
    e.preventDefault();
    setSent(undefined);
    action.run(() =>
      post<{ ok: boolean; recipient: string; reason?: string }[]>(caseUrl(c.id, '/notifications'), {
        recipients: [{ email, partyKind: kind, ...(name ? { name } : {}) }],
        reason,
      }).then((results) => {
        setSent(
          results
            .map((r) =>
              r.ok ? `sent to ${r.recipient}` : `not sent to ${r.recipient}: ${r.reason ?? 'refused'}`,
            )
            .join('; '),
        );
        list.reload();
      }),
    );
  };
  const track = (n: Notification, status: string) =>
    action.run(() =>
      post(`/api/notifications/${encodeURIComponent(n.id)}/status`, { status }).then(list.reload),
    );
  return (
    <Section
      title="Notifications"
      actions={
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      <Problem error={list.error} />
      <table aria-label="Notifications">
        <thead>
          <tr>
            <th>recipient</th>
            <th>party</th>
            <th>subject</th>
            <th>status</th>
            <th>sent</th>
            <th>history</th>
            {session.can('cases:handle') && <th>record</th>}
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((n) => (
            <tr key={n.id} data-testid="notification">
              <td>{n.recipientName ? `${n.recipientName} <${n.recipient}>` : n.recipient}</td>
              <td>{n.partyKind}</td>
              <td>{n.subject}</td>
              <td>
                <Status status={n.status} />
              </td>
              <td>{utc(n.sentAt)}</td>
              <td>
                <ol className="plain small">
                  {n.history.map((h, k) => (
                    <li key={k}>
                      {utc(h.at)} {h.status}
                      {h.note ? `: ${h.note}` : ''}
                    </li>
                  ))}
                </ol>
              </td>
              {session.can('cases:handle') && (
                <td>
                  {['delivered', 'acknowledged', 'acted', 'no-answer']
                    .filter((s) => s !== n.status)
                    .map((s) => (
                      <button
                        key={s}
                        type="button"
                        className="small"
                        disabled={action.busy}
                        onClick={() => track(n, s)}
                      >
                        {s}
                      </button>
                    ))}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p className="muted">Nobody was notified yet.</p>}
      {session.can('cases:handle') && (
        <form onSubmit={send} className="notify" aria-label="Send a notification">
          {(parties?.parties ?? []).length > 0 && (
            <p className="row">
              Fill in:{' '}
              {parties!.parties.map((p) => (
                <button key={`${p.kind}:${p.id}`} type="button" onClick={() => fill(p)}>
                  {p.name}
                </button>
              ))}
            </p>
          )}
          <label>
            Recipient e-mail{' '}
            <input
              name="email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          </label>
          <label>
            Name <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Party
            <select name="partyKind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {PARTY_KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            Why they must act{' '}
            <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
          </label>
          <button type="submit" disabled={action.busy}>
            Send notification
          </button>
        </form>
      )}
      {sent && (
        <p role="status" className="ok">
          {sent}
        </p>
      )}
      <Problem error={action.error} />
    </Section>
  );
}

function AuditTrail({ c }: { c: CaseDetail }): ReactNode {
  const audit = useLoad(
    () => get<AuditEntry[]>(caseUrl(c.id, '/audit')),
    `${c.id}-${c.updatedAt}-${c.comments.length}-${c.tasks.length}`,
  );
  return (
    <Section title="Audit trail">
      <Problem error={audit.error} />
      <table className="compact" aria-label="Audit trail">
        <thead>
          <tr>
            <th>when</th>
            <th>who</th>
            <th>what</th>
            <th>from</th>
            <th>change</th>
          </tr>
        </thead>
        <tbody>
          {(audit.data ?? []).map((e) => (
            <tr key={e.seq}>
              <td>{utc(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.ip ?? ''}</td>
              <td className="small clip">{summariseChange(e.before, e.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** The fields that differ between before and after (both objects), or the after state as text. */
function summariseChange(before: unknown, after: unknown): string {
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const b = before as Record<string, unknown>;
    const a = after as Record<string, unknown>;
    const changed = Object.keys(a).filter((k) => k !== 'updatedAt' && text(a[k]) !== text(b[k]));
    return changed.map((k) => `${k}: ${text(b[k]).slice(0, 60)} → ${text(a[k]).slice(0, 60)}`).join('; ');
  }
  return text(after).slice(0, 300);
}
