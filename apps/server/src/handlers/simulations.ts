import { invalid } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import { agentOr404, dates, type Deps, found, ok, paginated, paging } from './common.js';
import { assertSessionRoom, assertVariablesSize } from './limits.js';
import { newRuns } from './runs.js';
import type { SessionRecord } from '../storage/types.js';
import { sessionView } from '../views.js';

type SimulationHandlers = Pick<
  Handlers,
  'startSimulation' | 'listSimulations' | 'getSimulation' | 'listSimulationSessions' | 'getSimulationSession'
>;

export function simulationHandlers(deps: Deps): SimulationHandlers {
  const { storage } = deps;

  return {
    async startSimulation({ workspace_id, body }) {
      assertVariablesSize(body.custom_variables);
      const iterations = body.iterations ?? 1;
      const simulationCase = found(
        await storage.cases.get(workspace_id, body.simulation_case_id),
        'Simulation case',
        body.simulation_case_id,
      );
      const agent = await agentOr404(deps, workspace_id, body.target_agent_id);
      let existing: SessionRecord | undefined;
      let earlierRuns = 0;
      if (body.simulation_session_id) {
        existing = found(
          await storage.sessions.get(workspace_id, body.simulation_session_id),
          'Simulation session',
          body.simulation_session_id,
        );
        if (existing.target_agent_id !== agent.id) {
          throw invalid(
            'body',
            '/simulation_session_id',
            `the session runs against agent ${existing.target_agent_id ?? 'none'}, not ${agent.id}`,
          );
        }
        const runs = (await storage.sessions.outcomes(workspace_id, existing.simulation_session_id)) ?? [];
        assertSessionRoom(runs.length, iterations);
        earlierRuns = runs.filter((run) => run.simulation_case_id === simulationCase.simulation_case_id).length;
      }
      const { session, simulations, inputs } = newRuns(workspace_id, agent, [simulationCase], {
        suite_id: null,
        max_turns: body.max_turns ?? 20,
        iterations,
        earlierRuns,
        custom_variables: body.custom_variables ?? null,
        session: existing,
      });
      await storage.sessions.createRuns(session, simulations, inputs);
      deps.engine.submit(simulations);
      return ok(simulations[0]!);
    },

    async listSimulations({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.simulations.list(
        workspace_id,
        {
          simulation_session_id: query.simulation_session_id,
          status: query.status,
          target_agent_id: query.target_agent_id,
          ...dates(query),
        },
        page,
      );
      return ok(paginated(items, total, page));
    },

    async getSimulation({ workspace_id, params }) {
      const simulation = found(await storage.simulations.get(workspace_id, params.simulation_id), 'Simulation', params.simulation_id);
      return ok(simulation);
    },

    async listSimulationSessions({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.sessions.list(workspace_id, { target_agent_id: query.target_agent_id, ...dates(query) }, page);
      return ok(paginated(items.map(sessionView), total, page));
    },

    async getSimulationSession({ workspace_id, params }) {
      const session = found(
        await storage.sessions.view(workspace_id, params.simulation_session_id),
        'Simulation session',
        params.simulation_session_id,
      );
      return ok(sessionView(session));
    },
  };
}
