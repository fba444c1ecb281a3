import { randomUUID } from 'node:crypto';
import type { SuiteRecord } from '../storage/types.js';
import { ApiError, invalid, notFound } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import { agentOr404, caseViews, changes, dates, type Deps, found, now, ok, pageOf, paging } from './common.js';
import { CASES_PER_SUITE } from './limits.js';
import { newRuns } from './runs.js';
import { suiteListItem, suiteView } from '../views.js';

type SuiteHandlers = Pick<
  Handlers,
  | 'createSimulationSuite'
  | 'listSimulationSuites'
  | 'getSimulationSuite'
  | 'updateSimulationSuite'
  | 'deleteSimulationSuite'
  | 'executeSimulationSuite'
>;

export function suiteHandlers(deps: Deps): SuiteHandlers {
  const { storage } = deps;
  const suiteOr404 = async (workspace_id: string, id: string) => found(await storage.suites.get(workspace_id, id), 'Simulation suite', id);
  const full = async (workspace_id: string, suite: SuiteRecord) =>
    suiteView(
      suite,
      await caseViews(deps, workspace_id, await storage.cases.listInSuites(workspace_id, [suite.id])),
      await storage.agents.get(workspace_id, suite.model_id),
    );

  return {
    async createSimulationSuite({ workspace_id, body }) {
      await agentOr404(deps, workspace_id, body.model_id);
      const at = now();
      const suite: SuiteRecord = {
        id: randomUUID(),
        workspace_id,
        name: body.name,
        model_id: body.model_id,
        language: body.language ?? 'en-US',
        created_at: at,
        updated_at: at,
      };
      await storage.suites.create(suite);
      return ok(await full(workspace_id, suite));
    },

    async listSimulationSuites({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.suites.list(
        workspace_id,
        { search: query.search, model_ids: query.model_ids, ...dates(query) },
        page,
      );
      const cases = await storage.cases.listInSuites(
        workspace_id,
        items.map((s) => s.id),
      );
      const agents = await storage.agents.getMany(
        workspace_id,
        items.map((s) => s.model_id),
      );
      const list = items.map((suite) =>
        suiteListItem(
          suite,
          cases.filter((c) => c.suite_id === suite.id),
          agents.get(suite.model_id),
        ),
      );
      return ok(pageOf(list, total, page));
    },

    async getSimulationSuite({ workspace_id, params }) {
      return ok(await full(workspace_id, await suiteOr404(workspace_id, params.suite_id)));
    },

    async updateSimulationSuite({ workspace_id, params, body }) {
      await suiteOr404(workspace_id, params.suite_id);
      if (body.model_id) await agentOr404(deps, workspace_id, body.model_id);
      const suite = await storage.suites.update(workspace_id, params.suite_id, {
        ...changes(body, ['name', 'model_id', 'language']),
        updated_at: now(),
      });
      if (!suite) throw notFound('Simulation suite', params.suite_id);
      return ok(await full(workspace_id, suite));
    },

    async deleteSimulationSuite({ workspace_id, params }) {
      if (!(await storage.suites.delete(workspace_id, params.suite_id))) throw notFound('Simulation suite', params.suite_id);
      return { status: 204 };
    },

    async executeSimulationSuite({ workspace_id, params, query }) {
      const suite = await suiteOr404(workspace_id, params.suite_id);
      if (query.target_agent_id !== suite.model_id) {
        throw invalid('query', 'target_agent_id', `must be the suite's own agent (model_id ${suite.model_id})`);
      }
      const agent = await agentOr404(deps, workspace_id, suite.model_id);
      // Suites made before the limit existed may hold more; they run once some cases move out.
      const held = await storage.cases.countInSuite(workspace_id, suite.id);
      if (held > CASES_PER_SUITE) {
        throw invalid(
          'path',
          'suite_id',
          `the suite holds ${held} cases; a suite runs at most ${CASES_PER_SUITE}: move some to another suite`,
        );
      }
      const cases = await storage.cases.listInSuites(workspace_id, [suite.id]);
      if (!cases.length) throw new ApiError('conflict', `Simulation suite ${suite.id} has no cases to execute.`);
      const { session, sessionId, simulations, inputs } = newRuns(workspace_id, agent, cases, {
        suite_id: suite.id,
        max_turns: query.max_turns ?? 20,
        iterations: query.iterations ?? 1,
        custom_variables: null,
      });
      await storage.sessions.createRuns(session, simulations, inputs);
      deps.engine.submit(simulations);
      return {
        status: 200,
        body: { session_id: sessionId, suite_id: suite.id, suite_name: suite.name, total_cases: cases.length, status: 'started' },
      };
    },
  };
}
