import { Redirect, Route, Switch } from 'wouter';
import { PageHeader } from './ui/index.js';
import { AgentPage } from './pages/agents/agent-page.js';
import { AgentsPage } from './pages/agents/agents-page.js';
import { NewAgentPage } from './pages/agents/new-agent-page.js';
import { NewScenarioPage } from './pages/scenarios/new-scenario-page.js';
import { ScenarioPage } from './pages/scenarios/scenario-page.js';
import { ScenariosPage } from './pages/scenarios/scenarios-page.js';
import { SessionPage } from './pages/sessions/SessionPage.js';
import { SuiteSessionsPage } from './pages/sessions/SuiteSessionsPage.js';
import { SimulationPage } from './pages/simulations/SimulationPage.js';
import { CasePage } from './pages/cases/CasePage.js';
import { NewCasePage } from './pages/cases/NewCasePage.js';
import { RunPage } from './pages/run/RunPage.js';
import { GeneratePage } from './pages/suites/GeneratePage.js';
import { NewSuitePage } from './pages/suites/NewSuitePage.js';
import { SuitePage } from './pages/suites/SuitePage.js';
import { SuitesPage } from './pages/suites/SuitesPage.js';

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
      <Route path="/agents" component={AgentsPage} />
      <Route path="/agents/new" component={NewAgentPage} />
      <Route path="/agents/:id" component={AgentPage} />
      <Route path="/scenarios" component={ScenariosPage} />
      <Route path="/scenarios/new" component={NewScenarioPage} />
      <Route path="/scenarios/:id" component={ScenarioPage} />
      <Route path="/suites" component={SuitesPage} />
      <Route path="/suites/new" component={NewSuitePage} />
      <Route path="/suites/:id" component={SuitePage} />
      <Route path="/suites/:id/cases/new" component={NewCasePage} />
      <Route path="/suites/:id/generate" component={GeneratePage} />
      <Route path="/suites/:id/run" component={RunPage} />
      <Route path="/cases/:id" component={CasePage} />
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
