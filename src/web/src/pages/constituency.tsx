/** The constituency and outside parties: who owns what, who must act, lookup, import and export. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { del, get, post, put, query } from '../api';
import { download } from '../csv';
import { text } from '../format';
import { useSession } from '../session';
import { Loading, Problem, Section, useAction, useLoad } from '../ui';

interface Contact {
  email: string;
  name?: string;
}
interface Organisation {
  id: string;
  name: string;
  sectors: string[];
  country: string | null;
  networks: string[];
  asns: number[];
  domains: string[];
  contacts: Contact[];
}
interface Party {
  id: string;
  name: string;
  kind: string;
  countries: string[];
  asns: number[];
  networks: string[];
  domains: string[];
  platforms: string[];
  contacts: Contact[];
  preferredFormat: string;
}

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export function ConstituencyPage(): ReactNode {
  const session = useSession();
  const orgs = useLoad(() => get<Organisation[]>('/api/organisations'), 'orgs');
  const parties = useLoad(() => get<Party[]>('/api/parties'), 'parties');
  const action = useAction();
  const manage = session.can('constituency:manage');
  return (
    <>
      <h1>Constituency and parties</h1>
      <Lookup />
      <Section
        title={`Organisations (${orgs.data?.length ?? 0})`}
        actions={
          <button
            type="button"
            onClick={() =>
              action.run(() =>
                get<unknown>('/api/constituency/export').then((d) =>
                  download('constituency.json', JSON.stringify(d, null, 2), 'application/json'),
                ),
              )
            }
          >
            Export JSON
          </button>
        }
      >
        <Problem error={orgs.error ?? action.error} />
        {!orgs.data ? (
          <Loading what="organisations" />
        ) : (
          <table aria-label="Organisations">
            <thead>
              <tr>
                <th>id</th>
                <th>name</th>
                <th>country</th>
                <th>networks</th>
                <th>ASNs</th>
                <th>domains</th>
                <th>contacts</th>
                {manage && <th />}
              </tr>
            </thead>
            <tbody>
              {orgs.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    <code>{o.id}</code>
                  </td>
                  <td>{o.name}</td>
                  <td>{o.country ?? '—'}</td>
                  <td className="small">{o.networks.join(', ')}</td>
                  <td className="small">{o.asns.join(', ')}</td>
                  <td className="small">{o.domains.join(', ')}</td>
                  <td className="small">{o.contacts.map((c) => c.email).join(', ')}</td>
                  {manage && (
                    <td>
                      <button
                        type="button"
                        className="small"
                        onClick={() =>
                          action.run(() =>
                            del(`/api/organisations/${encodeURIComponent(o.id)}`).then(orgs.reload),
                          )
                        }
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {manage && <AddOrganisation onAdded={orgs.reload} />}
      </Section>
      <Section title={`Outside parties (${parties.data?.length ?? 0})`}>
        <Problem error={parties.error} />
        {parties.data && (
          <table aria-label="Outside parties">
            <thead>
              <tr>
                <th>id</th>
                <th>name</th>
                <th>kind</th>
                <th>countries</th>
                <th>ASNs</th>
                <th>networks</th>
                <th>domains</th>
                <th>contacts</th>
                <th>format</th>
              </tr>
            </thead>
            <tbody>
              {parties.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{p.name}</td>
                  <td>{p.kind}</td>
                  <td>{p.countries.join(', ')}</td>
                  <td className="small">{p.asns.join(', ')}</td>
                  <td className="small">{p.networks.join(', ')}</td>
                  <td className="small">{p.domains.join(', ')}</td>
                  <td className="small">{p.contacts.map((c) => c.email).join(', ')}</td>
                  <td>{p.preferredFormat}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {manage && (
        <Import
          onImported={() => {
            orgs.reload();
            parties.reload();
          }}
        />
      )}
    </>
  );
}

function Lookup(): ReactNode {
  const [target, setTarget] = useState('');
  const [result, setResult] = useState<Record<string, unknown> | undefined>();
  const action = useAction();
  const look = (e: FormEvent) => {
    e.preventDefault();
    action.run(() => get<Record<string, unknown>>(`/api/lookup${query({ target })}`).then(setResult));
  };
  const owners = (result?.owners ?? []) as { organisation: Organisation; by: string }[];
  const parties = (result?.parties ?? []) as { party: Party; by: string }[];
  return (
    <Section title="Who owns this?">
      <form onSubmit={look} className="row">
        <input
          aria-label="IP address, domain or URL"
          name="target"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          placeholder="203.0.113.80, example.org, https://…"
          required
        />
        <button type="submit" disabled={action.busy}>
          Look up
        </button>
      </form>
      <Problem error={action.error} />
      {result && (
        <dl className="kv" aria-label="Lookup result">
          <dt>subject</dt>
          <dd>{text(result.subject)}</dd>
          <dt>country</dt>
          <dd>{text(result.country) || '—'}</dd>
          <dt>AS</dt>
          <dd>{result.asn ? `AS${text(result.asn)} ${text(result.asName)}` : '—'}</dd>
          <dt>owners</dt>
          <dd>
            {owners.map((o) => `${o.organisation.name} (by ${o.by})`).join('; ') || 'not in the constituency'}
          </dd>
          <dt>parties</dt>
          <dd>{parties.map((p) => `${p.party.name}, ${p.party.kind} (by ${p.by})`).join('; ') || '—'}</dd>
        </dl>
      )}
    </Section>
  );
}

function AddOrganisation({ onAdded }: { onAdded: () => void }): ReactNode {
  const [f, setF] = useState({ id: '', name: '', country: '', networks: '', domains: '', email: '' });
  const action = useAction();
  const add = (e: FormEvent) => {
    e.preventDefault();
    action.run(() =>
      put(`/api/organisations/${encodeURIComponent(f.id)}`, {
        id: f.id,
        name: f.name,
        sectors: [],
        country: f.country || null,
        networks: list(f.networks),
        asns: [],
        domains: list(f.domains),
        contacts: f.email ? [{ email: f.email }] : [],
      }).then(() => {
        setF({ id: '', name: '', country: '', networks: '', domains: '', email: '' });
        onAdded();
      }),
    );
  };
  const field = (k: keyof typeof f, label: string) => (
    <label>
      {label} <input name={k} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
    </label>
  );
  return (
    <form onSubmit={add} className="row" aria-label="Add an organisation">
      {field('id', 'id')}
      {field('name', 'name')}
      {field('country', 'country')}
      {field('networks', 'networks')}
      {field('domains', 'domains')}
      {field('email', 'contact e-mail')}
      <button type="submit" disabled={action.busy || !f.id || !f.name}>
        Add or replace
      </button>
      <Problem error={action.error} />
    </form>
  );
}

function Import({ onImported }: { onImported: () => void }): ReactNode {
  const [json, setJson] = useState('');
  const [result, setResult] = useState<string | undefined>();
  const action = useAction();
  const run = (dryRun: boolean) =>
    action.run(async () => {
      let document: unknown;
      try {
        document = JSON.parse(json);
      } catch (e) {
        throw new Error(`not JSON: ${(e as Error).message}`, { cause: e });
      }
      const r = await post<Record<string, unknown>>('/api/constituency/import', {
        format: 'json',
        document,
        dryRun,
      });
      setResult(text(r));
      if (!dryRun) onImported();
    });
  return (
    <Section title="Import (JSON document, docs/constituency.md)">
      <textarea
        aria-label="Constituency JSON"
        className="code"
        rows={6}
        value={json}
        onChange={(e) => setJson(e.target.value)}
      />
      <div className="row">
        <button type="button" disabled={!json} onClick={() => run(true)}>
          Check
        </button>
        <button type="button" disabled={!json} onClick={() => run(false)}>
          Import
        </button>
      </div>
      {result && <pre className="small">{result}</pre>}
      <Problem error={action.error} />
    </Section>
  );
}
