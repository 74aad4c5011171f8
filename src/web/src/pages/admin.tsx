/** Users and tokens: accounts (admin), your API tokens (shown once), and the audit log (admin, auditor). */
import { useState, type FormEvent, type ReactNode } from 'react';
import { del, get, patch, post } from '../api';
import { text, utc } from '../format';
import { useSession } from '../session';
import type { AuditEntry, Token, User } from '../types';
import { Problem, Section, useAction, useLoad } from '../ui';

const ROLES = ['admin', 'coordinator', 'analyst', 'auditor', 'constituent', 'partner'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export function AdminPage(): ReactNode {
  const session = useSession();
  return (
    <>
      <h1>Users and tokens</h1>
      {session.can('users:read') && <Users />}
      <Tokens />
      {session.can('audit:read') && <Audit />}
    </>
  );
}

function Users(): ReactNode {
  const session = useSession();
  const users = useLoad(() => get<User[]>('/api/users'), 'users');
  const action = useAction();
  const manage = session.can('users:manage');
  const [f, setF] = useState({
    username: '',
    password: '',
    role: 'analyst',
    organisation: '',
    tlpClearance: 'AMBER',
  });
  const add = (e: FormEvent) => {
    e.preventDefault();
    action.run(() =>
      post('/api/users', { ...f, organisation: f.organisation || null }).then(() => {
        setF({ ...f, username: '', password: '' });
        users.reload();
      }),
    );
  };
  return (
    <Section title="Accounts">
      <Problem error={users.error ?? action.error} />
      <table aria-label="Accounts">
        <thead>
          <tr>
            <th>user</th>
            <th>role</th>
            <th>organisation</th>
            <th>clearance</th>
            <th>state</th>
            <th>created</th>
            {manage && <th />}
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.role}</td>
              <td>{u.organisation ?? '—'}</td>
              <td>{u.tlpClearance}</td>
              <td>{u.disabled ? 'disabled' : u.mustChangePassword ? 'must change password' : 'active'}</td>
              <td>{utc(u.createdAt)}</td>
              {manage && (
                <td>
                  {u.id !== session.me.user.id && (
                    <button
                      type="button"
                      className="small"
                      onClick={() =>
                        action.run(() =>
                          patch(`/api/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled }).then(
                            users.reload,
                          ),
                        )
                      }
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {manage && (
        <form onSubmit={add} className="row" aria-label="Create an account">
          <label>
            User name{' '}
            <input
              name="username"
              value={f.username}
              onChange={(e) => setF({ ...f, username: e.target.value })}
              required
            />
          </label>
          <label>
            Password{' '}
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              minLength={12}
              value={f.password}
              onChange={(e) => setF({ ...f, password: e.target.value })}
              required
            />
          </label>
          <label>
            Role{' '}
            <select name="role" value={f.role} onChange={(e) => setF({ ...f, role: e.target.value })}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Organisation{' '}
            <input
              name="organisation"
              value={f.organisation}
              onChange={(e) => setF({ ...f, organisation: e.target.value })}
            />
          </label>
          <label>
            Clearance{' '}
            <select
              name="tlpClearance"
              value={f.tlpClearance}
              onChange={(e) => setF({ ...f, tlpClearance: e.target.value })}
            >
              {TLPS.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={action.busy}>
            Create
          </button>
        </form>
      )}
    </Section>
  );
}

function Tokens(): ReactNode {
  const session = useSession();
  const tokens = useLoad(() => get<Token[]>('/api/tokens'), 'tokens');
  const action = useAction();
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [shown, setShown] = useState<string | undefined>();
  const create = (e: FormEvent) => {
    e.preventDefault();
    action.run(() =>
      post<{ token: string }>('/api/tokens', {
        name,
        scopes: session.me.permissions,
        ...(days ? { expiresInDays: Number(days) } : {}),
      }).then((r) => {
        setShown(r.token);
        setName('');
        tokens.reload();
      }),
    );
  };
  return (
    <Section title="API tokens">
      <Problem error={tokens.error ?? action.error} />
      <table aria-label="API tokens">
        <thead>
          <tr>
            <th>name</th>
            <th>scopes</th>
            <th>created</th>
            <th>expires</th>
            <th>last used</th>
            <th>state</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td className="small">{t.scopes.length ? t.scopes.join(', ') : 'all of the user’s'}</td>
              <td>{utc(t.createdAt)}</td>
              <td>{utc(t.expiresAt)}</td>
              <td>{utc(t.lastUsedAt ?? null)}</td>
              <td>{t.revokedAt ? `revoked ${utc(t.revokedAt)}` : 'active'}</td>
              <td>
                {!t.revokedAt && (
                  <button
                    type="button"
                    className="small"
                    onClick={() =>
                      action.run(() => del(`/api/tokens/${encodeURIComponent(t.id)}`).then(tokens.reload))
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {session.me.via === 'session' && (
        <form onSubmit={create} className="row" aria-label="Create a token">
          <label>
            Name <input name="token-name" value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Expires in days{' '}
            <input
              name="days"
              type="number"
              min={1}
              max={3650}
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
          </label>
          <button type="submit" disabled={action.busy}>
            Create token
          </button>
        </form>
      )}
      {shown && (
        <p role="status" className="ok">
          Your new token, shown this once: <code className="secret">{shown}</code>
        </p>
      )}
    </Section>
  );
}

function Audit(): ReactNode {
  const audit = useLoad(() => get<AuditEntry[]>('/api/audit?limit=200'), 'audit');
  return (
    <Section title="Audit log (newest first)">
      <Problem error={audit.error} />
      <table className="compact" aria-label="Audit log">
        <thead>
          <tr>
            <th>when</th>
            <th>who</th>
            <th>what</th>
            <th>target</th>
            <th>from</th>
            <th>after</th>
          </tr>
        </thead>
        <tbody>
          {(audit.data ?? []).map((e) => (
            <tr key={e.seq}>
              <td>{utc(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td className="small">{e.target}</td>
              <td>{e.ip ?? ''}</td>
              <td className="small clip">{text(e.after).slice(0, 200)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
