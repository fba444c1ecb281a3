import { Redirect, Route, Switch } from 'wouter';
import { PageHeader } from './ui/index.js';
import { SessionPage } from './pages/sessions/SessionPage.js';
import { SuiteSessionsPage } from './pages/sessions/SuiteSessionsPage.js';
import { SimulationPage } from './pages/simulations/SimulationPage.js';

/**
 * The route table of the signed-in app. Each page's owner adds its own `<Route>` lines here (and
 * edits only those); `/sign-in` is outside, in app.tsx.
 */
export function AppRoutes() {
  return (
    <Switch>
      <Route path="/">
        <Redirect to="/suites" replace />
      </Route>
      <Route path="/suites/:id/sessions" component={SuiteSessionsPage} />
      <Route path="/sessions/:id" component={SessionPage} />
      <Route path="/simulations/:id" component={SimulationPage} />
      {/* Page routes go above this line; the catch-all stays last. */}
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

function NotFound() {
  return <PageHeader title="Page not found" description="No page has this address. Choose a section above." />;
}
