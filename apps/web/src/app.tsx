import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ApiProvider } from './api.js';
import { useAuth } from './auth/context.js';
import { SignInPage } from './pages/sign-in/sign-in-page.js';
import { AppRoutes } from './routes.js';

const NAV = [
  { href: '/agents', label: 'Agents' },
  { href: '/suites', label: 'Suites' },
  { href: '/scenarios', label: 'Scenarios' },
] as const;

function NavLink({ href, label }: { href: string; label: string }) {
  const [location] = useLocation();
  const current = location === href || location.startsWith(`${href}/`);
  return (
    <Link href={href} className="nav-link" aria-current={current ? 'page' : undefined}>
      {label}
    </Link>
  );
}

function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/suites" className="brand">
          Test Center
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            {NAV.map((item) => (
              <li key={item.href}>
                <NavLink {...item} />
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-session">
          <span className="workspace" title="The workspace of your API key">
            Workspace: {session?.workspaceId ? <code>{session.workspaceId}</code> : <span className="muted">no records yet</span>}
          </span>
          <button type="button" className="button button-secondary" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** Signed in: the layout and the app's routes. Signed out (or a 401 signed us out): the sign-in page. */
export function App() {
  const { session } = useAuth();
  const queryClient = useQueryClient();
  const signedIn = session !== null;
  useEffect(() => {
    // Nothing fetched with one key may be shown to the next.
    if (!signedIn) queryClient.clear();
  }, [signedIn, queryClient]);
  return (
    <Switch>
      <Route path="/sign-in">{signedIn ? <Redirect to="/suites" replace /> : <SignInPage />}</Route>
      <Route>
        {signedIn ? (
          <ApiProvider>
            <Layout>
              <AppRoutes />
            </Layout>
          </ApiProvider>
        ) : (
          <Redirect to="/sign-in" replace />
        )}
      </Route>
    </Switch>
  );
}
