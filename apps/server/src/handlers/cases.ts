import { randomUUID } from 'node:crypto';
import { TEST_CATEGORIES } from '@sims/engine';
import type { CaseRecord, ScenarioRecord } from '../storage/types.js';
import { notFound } from '../http/errors.js';
import type { GenerateEvent, Handlers } from '../http/types.js';
import { agentOr404, caseViews, changes, type Deps, found, now, ok, okText, paginatedText, paging } from './common.js';
import { assertSuiteRoom } from './limits.js';
import { caseView } from '../views.js';

type CaseHandlers = Pick<
  Handlers,
  | 'createSimulationCase'
  | 'listSimulationCases'
  | 'getSimulationCase'
  | 'updateSimulationCase'
  | 'deleteSimulationCase'
  | 'generateSimulationCases'
  | 'listSimulationCasesByAgent'
>;

/** `by_agent` is unpaginated in the reference API; the spec caps it. */
const BY_AGENT_LIMIT = 1000;

export function caseHandlers(deps: Deps): CaseHandlers {
  const { storage } = deps;
  const caseOr404 = async (workspace_id: string, id: string) => found(await storage.cases.get(workspace_id, id), 'Simulation case', id);
  const suiteOr404 = async (workspace_id: string, id: string) => found(await storage.suites.get(workspace_id, id), 'Simulation suite', id);
  const one = async (workspace_id: string, record: CaseRecord) => (await caseViews(deps, workspace_id, [record]))[0]!;

  return {
    async createSimulationCase({ workspace_id, body }) {
      if (body.suite_id) {
        await suiteOr404(workspace_id, body.suite_id);
        assertSuiteRoom(await storage.cases.countInSuite(workspace_id, body.suite_id), 1);
      }
      if (body.base_agent_id) await agentOr404(deps, workspace_id, body.base_agent_id);
      const at = now();
      const record: CaseRecord = {
        simulation_case_id: randomUUID(),
        workspace_id,
        suite_id: body.suite_id ?? null,
        name: body.name,
        prompt: body.prompt,
        type: body.type ?? 'custom',
        success_criteria: body.success_criteria,
        call_success_type: body.call_success_type,
        checks: body.checks ?? [],
        caller_turns: body.caller_turns ?? [],
        tool_mocks: body.tool_mocks ?? [],
        expected_agent_turns: body.expected_agent_turns ?? [],
        base_agent_id: body.base_agent_id ?? null,
        created_at: at,
        updated_at: at,
      };
      await storage.cases.create(record);
      return ok({ simulation_case: await one(workspace_id, record) });
    },

    async listSimulationCases({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.cases.readOutPage(
        workspace_id,
        {
          search: query.search,
          simulation_case_type: query.simulation_case_type,
          suite_id: query.suite_id,
        },
        page,
      );
      return okText(paginatedText(items, total, page));
    },

    async getSimulationCase({ workspace_id, params }) {
      return okText(
        found(await storage.cases.readOut(workspace_id, params.simulation_case_id), 'Simulation case', params.simulation_case_id),
      );
    },

    async updateSimulationCase({ workspace_id, params, body }) {
      const current = await caseOr404(workspace_id, params.simulation_case_id);
      const patch: Partial<CaseRecord> = {
        ...changes(body, [
          'name',
          'prompt',
          'success_criteria',
          'call_success_type',
          'checks',
          'caller_turns',
          'tool_mocks',
          'expected_agent_turns',
        ]),
        updated_at: now(),
      };
      // `suite_id: null` takes the case out of its suite; omitted keeps it.
      if (body.suite_id === null) patch.suite_id = null;
      else if (body.suite_id !== undefined) {
        patch.suite_id = (await suiteOr404(workspace_id, body.suite_id)).id;
        if (patch.suite_id !== current.suite_id) assertSuiteRoom(await storage.cases.countInSuite(workspace_id, patch.suite_id), 1);
      }
      const record = await storage.cases.update(workspace_id, params.simulation_case_id, patch);
      if (!record) throw notFound('Simulation case', params.simulation_case_id);
      return ok(await one(workspace_id, record));
    },

    async deleteSimulationCase({ workspace_id, params }) {
      if (!(await storage.cases.delete(workspace_id, params.simulation_case_id)))
        throw notFound('Simulation case', params.simulation_case_id);
      return { status: 204 };
    },

    async listSimulationCasesByAgent({ workspace_id, query }) {
      await agentOr404(deps, workspace_id, query.agent_id);
      const cases = await storage.cases.listByAgent(workspace_id, query.agent_id, BY_AGENT_LIMIT);
      return ok(await caseViews(deps, workspace_id, cases));
    },

    async generateSimulationCases({ workspace_id, body, signal }) {
      const agent = await agentOr404(deps, workspace_id, body.agent_id);
      const suite = body.suite_id ? await suiteOr404(workspace_id, body.suite_id) : undefined;
      let scenarios: ScenarioRecord[];
      if (body.scenario_ids === undefined) {
        scenarios = await storage.scenarios.all(workspace_id);
      } else {
        scenarios = [];
        for (const id of body.scenario_ids) {
          scenarios.push(found(await storage.scenarios.get(workspace_id, id), 'Simulation scenario', id));
        }
      }
      const plan = await deps.engine.planCases({
        workspace_id,
        agent,
        scenarios,
        categories: body.include_tests ?? [...TEST_CATEGORIES],
        language: suite?.language ?? 'en-US',
        signal,
      });
      if (suite) assertSuiteRoom(await storage.cases.countInSuite(workspace_id, suite.id), plan.total);
      const agents = new Map([[agent.id, agent]]);
      async function* events(): AsyncGenerator<GenerateEvent> {
        const ids: string[] = [];
        yield { type: 'progress', message: `Planning ${plan.total} cases for ${agent.name}`, completed: 0, total: plan.total };
        try {
          for await (const draft of plan.drafts) {
            const at = now();
            const record: CaseRecord = {
              simulation_case_id: randomUUID(),
              workspace_id,
              suite_id: suite?.id ?? null,
              name: draft.name,
              prompt: draft.prompt,
              type: 'agent_based',
              success_criteria: draft.success_criteria,
              call_success_type: draft.call_success_type,
              checks: draft.checks,
              caller_turns: draft.caller_turns,
              tool_mocks: [],
              expected_agent_turns: [],
              base_agent_id: agent.id,
              created_at: at,
              updated_at: at,
            };
            await storage.cases.create(record);
            ids.push(record.simulation_case_id);
            yield { type: 'case', category: draft.category, scenario_id: draft.scenario_id, simulation_case: caseView(record, agents) };
            yield { type: 'progress', message: `Generated ${ids.length} of ${plan.total} cases`, completed: ids.length, total: plan.total };
          }
        } catch (error) {
          yield { type: 'error', error: { code: 'generator_failed', message: error instanceof Error ? error.message : String(error) } };
          return;
        }
        yield { type: 'done', simulation_case_ids: ids };
      }
      return { status: 200, ndjson: events() };
    },
  };
}
