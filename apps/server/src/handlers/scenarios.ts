import { randomUUID } from 'node:crypto';
import type { ScenarioRecord } from '../storage/types.js';
import { notFound } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import { changes, dates, type Deps, found, now, ok, pageOf, paging } from './common.js';

type ScenarioHandlers = Pick<
  Handlers,
  'createSimulationScenario' | 'listSimulationScenarios' | 'getSimulationScenario' | 'updateSimulationScenario' | 'deleteSimulationScenario'
>;

export function scenarioHandlers({ storage }: Deps): ScenarioHandlers {
  const scenarioOr404 = async (workspace_id: string, id: string) =>
    found(await storage.scenarios.get(workspace_id, id), 'Simulation scenario', id);
  return {
    async createSimulationScenario({ workspace_id, body }) {
      const at = now();
      const scenario: ScenarioRecord = {
        id: randomUUID(),
        workspace_id,
        name: body.name,
        description: body.description,
        created_at: at,
        updated_at: at,
      };
      await storage.scenarios.create(scenario);
      return ok(scenario);
    },

    async listSimulationScenarios({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.scenarios.list(workspace_id, { search: query.search, ...dates(query) }, page);
      return ok(pageOf(items, total, page));
    },

    async getSimulationScenario({ workspace_id, params }) {
      return ok(await scenarioOr404(workspace_id, params.scenario_id));
    },

    async updateSimulationScenario({ workspace_id, params, body }) {
      await scenarioOr404(workspace_id, params.scenario_id);
      const scenario = await storage.scenarios.update(workspace_id, params.scenario_id, {
        ...changes(body, ['name', 'description']),
        updated_at: now(),
      });
      if (!scenario) throw notFound('Simulation scenario', params.scenario_id);
      return ok(scenario);
    },

    async deleteSimulationScenario({ workspace_id, params }) {
      if (!(await storage.scenarios.delete(workspace_id, params.scenario_id))) throw notFound('Simulation scenario', params.scenario_id);
      return { status: 204 };
    },
  };
}
