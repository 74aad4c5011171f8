/**
 * Advisories: our own advisories with their status, a draft written or edited in a form, submitted for review,
 * returned or published by a second person; and which advisories affect one organisation's software. A
 * constituent sees the advisories published to its organisation and its own matches (the server decides what).
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { get, post, put, query } from '../api';
import { utc } from '../format';
import { useSession } from '../session';
import { Loading, Problem, Section, Status, TlpBadge, useAction, useLoad } from '../ui';

const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;

interface Product {
  vendor: string;
  product: string;
  versions: string[];
  range?: string;
  cvssVector?: string;
}
interface Advisory {
  id: string;
  title: string;
  tlp: string;
  summary: string;
  cves: string[];
  products: Product[];
  remediation: string;
  references: string[];
  status: 'draft' | 'review' | 'published';
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  reviewedBy: string | null;
  publishedAt: number | null;
  organisationIds: string[];
}
interface Score {
  base: number;
  severity: string;
}
interface Match {
  organisationId: string;
  advisoryId: string;
  cves: string[];
  product: { vendor: string; product: string; version: string };
  advisoryProduct: string;
  versions: string;
  status: string;
  cvss31: Score | null;
  cvss40: Score | null;
  exploited: boolean;
}
interface Organisation {
  id: string;
  name: string;
}

export function AdvisoriesPage(): ReactNode {
  const session = useSession();
  const list = useLoad(() => get<Advisory[]>('/api/advisories'), 'advisories');
  const [editing, setEditing] = useState<Advisory | undefined>();
  const [formKey, setFormKey] = useState(0);
  const write = session.can('advisories:write');
  const { role, organisation } = session.me.user;
  const constituent = role === 'constituent';
  return (
    <>
      <h1>Advisories</h1>
      <Section title={constituent ? 'Advisories sent to your organisation' : 'Our advisories'}>
        <Problem error={list.error} />
        {!list.data ? (
          <Loading what="advisories" />
        ) : (
          <AdvisoryTable
            advisories={list.data}
            onChanged={list.reload}
            onEdit={(a) => {
              setEditing(a);
              setFormKey((k) => k + 1);
            }}
          />
        )}
      </Section>
      {write && (
        <DraftForm
          key={formKey}
          editing={editing}
          onSaved={() => {
            setEditing(undefined);
            setFormKey((k) => k + 1);
            list.reload();
          }}
        />
      )}
      {constituent ? organisation && <Matches fixed={organisation} /> : <Matches />}
    </>
  );
}

function AdvisoryTable({
  advisories,
  onChanged,
  onEdit,
}: {
  advisories: readonly Advisory[];
  onChanged: () => void;
  onEdit: (a: Advisory) => void;
}): ReactNode {
  const session = useSession();
  const action = useAction();
  const [done, setDone] = useState<string | undefined>();
  const me = session.me.user.username;
  const write = session.can('advisories:write');
  const publish = session.can('advisories:publish');
  const constituent = session.me.user.role === 'constituent';
  const move = (a: Advisory, step: 'submit' | 'return' | 'publish') =>
    action.run(() =>
      post<unknown>(`/api/advisories/${encodeURIComponent(a.id)}/${step}`).then((r) => {
        if (step === 'publish') {
          const deliveries = (r as { deliveries?: { ok: boolean }[] }).deliveries ?? [];
          setDone(
            `Published “${a.title}”: ${deliveries.filter((d) => d.ok).length} of ${deliveries.length} e-mails sent.`,
          );
        } else setDone(`“${a.title}” ${step === 'submit' ? 'submitted for review' : 'returned to draft'}.`);
        onChanged();
      }),
    );
  if (advisories.length === 0)
    return (
      <p className="muted">
        {constituent ? 'No advisory has been sent to your organisation.' : 'No advisories yet.'}
      </p>
    );
  return (
    <>
      <table aria-label="Advisories">
        <thead>
          <tr>
            <th>title</th>
            <th>TLP</th>
            <th>status</th>
            <th>CVEs</th>
            <th>author</th>
            <th>updated</th>
            {!constituent && <th>sent to</th>}
            <th />
          </tr>
        </thead>
        <tbody>
          {advisories.map((a) => (
            <tr key={a.id} data-testid="advisory">
              <td>
                <a
                  href={`/api/advisories/${encodeURIComponent(a.id)}${query({ format: 'html' })}`}
                  target="_blank"
                  rel="noopener noreferrer"
                >
                  {a.title}
                </a>
              </td>
              <td>
                <TlpBadge tlp={a.tlp} />
              </td>
              <td>
                <Status status={a.status} />
              </td>
              <td className="small">{a.cves.join(', ')}</td>
              <td>
                {a.createdBy}
                {a.reviewedBy ? ` · reviewed by ${a.reviewedBy}` : ''}
              </td>
              <td>{utc(a.publishedAt ?? a.updatedAt)}</td>
              {!constituent && <td className="small">{a.organisationIds.join(', ')}</td>}
              <td>
                <span className="actions">
                  {a.status === 'draft' && write && (
                    <>
                      <button type="button" disabled={action.busy} onClick={() => onEdit(a)}>
                        Edit
                      </button>
                      <button type="button" disabled={action.busy} onClick={() => move(a, 'submit')}>
                        Submit
                      </button>
                    </>
                  )}
                  {a.status === 'review' && write && (
                    <button type="button" disabled={action.busy} onClick={() => move(a, 'return')}>
                      Return
                    </button>
                  )}
                  {a.status === 'review' && publish && a.createdBy !== me && (
                    <button type="button" disabled={action.busy} onClick={() => move(a, 'publish')}>
                      Publish
                    </button>
                  )}
                  {a.status === 'review' && a.createdBy === me && (
                    <span className="small muted">a second person publishes</span>
                  )}
                  <a
                    href={`/api/advisories/${encodeURIComponent(a.id)}${query({ format: 'csaf' })}`}
                    target="_blank"
                    rel="noopener noreferrer"
                  >
                    CSAF
                  </a>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      <Problem error={action.error} />
    </>
  );
}

interface ProductDraft {
  vendor: string;
  product: string;
  range: string;
  cvssVector: string;
}
const EMPTY_PRODUCT: ProductDraft = { vendor: '', product: '', range: '', cvssVector: '' };

function DraftForm({ editing, onSaved }: { editing: Advisory | undefined; onSaved: () => void }): ReactNode {
  const [title, setTitle] = useState(editing?.title ?? '');
  const [tlp, setTlp] = useState(editing?.tlp ?? 'GREEN');
  const [summary, setSummary] = useState(editing?.summary ?? '');
  const [cves, setCves] = useState(editing?.cves.join(', ') ?? '');
  const [remediation, setRemediation] = useState(editing?.remediation ?? '');
  const [products, setProducts] = useState<ProductDraft[]>(
    editing && editing.products.length > 0
      ? editing.products.map((p) => ({
          vendor: p.vendor,
          product: p.product,
          range: p.range ?? p.versions.join(', '),
          cvssVector: p.cvssVector ?? '',
        }))
      : [EMPTY_PRODUCT],
  );
  const action = useAction();
  const setProduct = (i: number, field: keyof ProductDraft, value: string) =>
    setProducts((ps) => ps.map((p, n) => (n === i ? { ...p, [field]: value } : p)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = {
      title: title.trim(),
      tlp,
      summary,
      remediation,
      cves: cves
        .split(/[\s,]+/)
        .map((c) => c.trim().toUpperCase())
        .filter((c) => c !== ''),
      products: products
        .filter((p) => p.vendor.trim() !== '' || p.product.trim() !== '')
        .map((p) => {
          const range = p.range.trim();
          // A `vers:` range as it is; otherwise a list of exact versions.
          const versions = range.startsWith('vers:') ? {} : { versions: range ? range.split(/\s*,\s*/) : [] };
          return {
            vendor: p.vendor.trim(),
            product: p.product.trim(),
            ...versions,
            ...(range.startsWith('vers:') ? { range } : {}),
            ...(p.cvssVector.trim() ? { cvssVector: p.cvssVector.trim() } : {}),
          };
        }),
    };
    action.run(() =>
      (editing
        ? put(`/api/advisories/${encodeURIComponent(editing.id)}`, body)
        : post('/api/advisories', body)
      ).then(onSaved),
    );
  };
  return (
    <Section title={editing ? `Edit draft “${editing.title}”` : 'New draft advisory'}>
      <form onSubmit={submit} className="notify" aria-label="Draft advisory">
        <label>
          Title <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <label>
          TLP{' '}
          <select name="tlp" aria-label="Advisory TLP" value={tlp} onChange={(e) => setTlp(e.target.value)}>
            {TLPS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          CVEs{' '}
          <input
            name="cves"
            value={cves}
            placeholder="CVE-2026-12345, …"
            onChange={(e) => setCves(e.target.value)}
          />
        </label>
        <label>
          Summary <textarea name="summary" value={summary} onChange={(e) => setSummary(e.target.value)} />
        </label>
        <fieldset aria-label="Products">
          <legend>Products</legend>
          {products.map((p, i) => (
            <p className="row" key={i}>
              <label>
                Vendor{' '}
                <input
                  aria-label={`Product ${i + 1} vendor`}
                  value={p.vendor}
                  onChange={(e) => setProduct(i, 'vendor', e.target.value)}
                />
              </label>
              <label>
                Product{' '}
                <input
                  aria-label={`Product ${i + 1} name`}
                  value={p.product}
                  onChange={(e) => setProduct(i, 'product', e.target.value)}
                />
              </label>
              <label>
                Versions or range{' '}
                <input
                  aria-label={`Product ${i + 1} versions`}
                  value={p.range}
                  placeholder="vers:generic/<2.4.1 or 1.0, 1.1"
                  onChange={(e) => setProduct(i, 'range', e.target.value)}
                />
              </label>
              <label>
                CVSS vector{' '}
                <input
                  aria-label={`Product ${i + 1} CVSS vector`}
                  value={p.cvssVector}
                  placeholder="CVSS:3.1/AV:N/…"
                  onChange={(e) => setProduct(i, 'cvssVector', e.target.value)}
                />
              </label>
              {products.length > 1 && (
                <button type="button" onClick={() => setProducts((ps) => ps.filter((_, n) => n !== i))}>
                  Remove
                </button>
              )}
            </p>
          ))}
          <button type="button" onClick={() => setProducts((ps) => [...ps, EMPTY_PRODUCT])}>
            Add product
          </button>
        </fieldset>
        <label>
          Remediation{' '}
          <textarea name="remediation" value={remediation} onChange={(e) => setRemediation(e.target.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {editing ? 'Save draft' : 'Create draft'}
        </button>
        {editing && (
          <button type="button" onClick={onSaved}>
            Cancel
          </button>
        )}
      </form>
      <Problem error={action.error} />
    </Section>
  );
}

/** Matches of one organisation's software: chosen from the constituency, or `fixed` (a constituent's own). */
function Matches({ fixed }: { fixed?: string }): ReactNode {
  const orgs = useLoad(
    () => (fixed ? Promise.resolve([]) : get<Organisation[]>('/api/organisations')),
    `orgs-${fixed ?? ''}`,
  );
  const [chosen, setOrg] = useState('');
  const org = fixed ?? chosen;
  const matches = useLoad(
    () =>
      org ? get<Match[]>(`/api/advisories/matches${query({ organisation: org })}`) : Promise.resolve([]),
    `matches-${org}`,
  );
  const software = useLoad(
    () =>
      org
        ? get<unknown[]>(`/api/constituency/organisations/${encodeURIComponent(org)}/software`)
        : Promise.resolve([]),
    `software-${org}`,
  );
  return (
    <Section title={fixed ? 'Advisories that affect your software' : 'Matches per organisation'}>
      <Problem error={orgs.error ?? matches.error ?? software.error} />
      <p className="row">
        {!fixed && (
          <label>
            Organisation{' '}
            <select
              name="organisation"
              aria-label="Organisation"
              value={org}
              onChange={(e) => setOrg(e.target.value)}
            >
              <option value="">choose…</option>
              {(orgs.data ?? []).map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {org && software.data && (
          <span className="muted">{software.data.length} software entries in the inventory</span>
        )}
      </p>
      {org &&
        (matches.loading ? (
          <Loading what="matches" />
        ) : (matches.data ?? []).length === 0 ? (
          <p className="muted">
            {fixed
              ? 'No advisory affects your software.'
              : 'No advisory affects this organisation’s software.'}
          </p>
        ) : (
          <table className="compact" aria-label="Matches">
            <thead>
              <tr>
                <th>product</th>
                <th>version</th>
                <th>affected versions</th>
                <th>advisory</th>
                <th>status</th>
                <th className="num">CVSS</th>
                <th>exploited</th>
              </tr>
            </thead>
            <tbody>
              {(matches.data ?? []).map((m, i) => {
                const score = m.cvss40 ?? m.cvss31;
                return (
                  <tr key={`${m.advisoryId}-${i}`}>
                    <td>
                      {m.product.vendor} {m.product.product}
                    </td>
                    <td>{m.product.version || '—'}</td>
                    <td className="small">{m.versions}</td>
                    <td>
                      {m.advisoryId}
                      {m.cves.length > 0 ? ` (${m.cves.join(', ')})` : ''}
                    </td>
                    <td>{m.status}</td>
                    <td className="num">{score ? `${score.base} ${score.severity}` : '—'}</td>
                    <td>{m.exploited ? 'yes' : 'no'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
    </Section>
  );
}
