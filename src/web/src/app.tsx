/** The shell: sign-in (and the forced password change), the navigation, and one view per hash route. */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, get, post, setCsrf, whenSignedOut } from './api';
import { errorText } from './format';
import { href, useRoute } from './router';
import { SessionContext, useSession, type Session } from './session';
import type { Me } from './types';
import { Contained } from './ui';
import { AdminPage } from './pages/admin';
import { AdvisoriesPage } from './pages/advisories';
import { CasePage, CasesPage } from './pages/cases';
import { ConstituencyPage } from './pages/constituency';
import { DashboardPage } from './pages/dashboard';
import { DetectionsPage } from './pages/detections';
import { EvidencePage } from './pages/evidence';
import { FeedsPage } from './pages/feeds';
import { HuntPage } from './pages/hunt';
import { IncidentPage, IncidentsPage } from './pages/incidents';
import { ReportsPage } from './pages/reports';
import { RulesPage } from './pages/rules';
import { PasswordChange, SignIn } from './pages/signin';

interface NavItem {
  readonly path: string;
  readonly label: string;
  readonly permission: string;
}

const NAV: readonly NavItem[] = [
  { path: '', label: 'Dashboard', permission: 'cases:read' },
  { path: 'evidence', label: 'Evidence', permission: 'jobs:read' },
  { path: 'detections', label: 'Detections', permission: 'detections:read' },
  { path: 'hunt', label: 'Hunt', permission: 'hunt:run' },
  { path: 'incidents', label: 'Incidents', permission: 'incidents:read' },
  { path: 'cases', label: 'Cases', permission: 'cases:read' },
  { path: 'reports', label: 'Weekly report', permission: 'reports:read' },
  { path: 'advisories', label: 'Advisories', permission: 'advisories:read' },
  { path: 'feeds', label: 'Feeds', permission: 'events:read' },
  { path: 'constituency', label: 'Constituency', permission: 'constituency:read' },
  { path: 'rules', label: 'Rules', permission: 'rules:read' },
  { path: 'admin', label: 'Users & tokens', permission: 'signed-in' },
];

export function App(): ReactNode {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [startError, setStartError] = useState<string | undefined>();

  const refresh = useCallback(() => {
    get<Me>('/api/auth/me').then(
      (m) => {
        if (m.csrfToken) setCsrf(m.csrfToken);
        setMe(m);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setMe(null);
        else setStartError(errorText(e));
      },
    );
  }, []);
  useEffect(() => {
    whenSignedOut(() => setMe(null));
    refresh();
  }, [refresh]);

  const session = useMemo<Session | null>(
    () =>
      me
        ? {
            me,
            can: (p) => p === 'signed-in' || me.permissions.includes(p),
            signOut: () => {
              void post('/api/auth/logout').finally(() => {
                setCsrf('');
                setMe(null);
              });
            },
          }
        : null,
    [me],
  );

  if (startError)
    return (
      <p className="problem" role="alert">
        {startError}
      </p>
    );
  if (me === undefined) return <p className="muted">Loading…</p>;
  if (me === null) return <SignIn onSignedIn={refresh} />;
  if (me.user.mustChangePassword) return <PasswordChange username={me.user.username} onChanged={refresh} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell(): ReactNode {
  const route = useRoute();
  const session = useSession();
  const section = route.path[0] ?? '';
  const items = NAV.filter((n) => session.can(n.permission));
  return (
    <div className="shell">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/">
          Vigil
        </a>
        <nav aria-label="Main">
          <ul>
            {items.map((n) => (
              <li key={n.path}>
                <a href={href(n.path ? [n.path] : [])} aria-current={section === n.path ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={`clearance TLP:${session.me.user.tlpClearance}`}>
            {session.me.user.username} · {session.me.user.role}
            {session.me.user.organisation ? ` · ${session.me.user.organisation}` : ''}
          </span>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Contained name={route.path.join('/')}>
          <View route={route.path} params={route.params} />
        </Contained>
      </main>
    </div>
  );
}

function View({ route, params }: { route: readonly string[]; params: URLSearchParams }): ReactNode {
  const [section = '', id] = route;
  switch (section) {
    case '':
      return <DashboardPage />;
    case 'evidence':
      return <EvidencePage />;
    case 'detections':
      return <DetectionsPage params={params} />;
    case 'hunt':
      return <HuntPage />;
    case 'incidents':
      return id ? <IncidentPage id={id} /> : <IncidentsPage />;
    case 'cases':
      return id ? <CasePage id={id} /> : <CasesPage params={params} />;
    case 'reports':
      return <ReportsPage params={params} />;
    case 'advisories':
      return <AdvisoriesPage />;
    case 'feeds':
      return <FeedsPage />;
    case 'constituency':
      return <ConstituencyPage />;
    case 'rules':
      return <RulesPage params={params} />;
    case 'admin':
      return <AdminPage />;
    default:
      return (
        <p className="problem">
          There is no view “{section}”. <a href="#/">Back to the dashboard</a>
        </p>
      );
  }
}
