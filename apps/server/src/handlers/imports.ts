import { randomUUID } from 'node:crypto';
import { invalid } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import { defaultName, defaultPrompt, toolFields } from '../import/case-fields.js';
import { readConversation } from '../import/read.js';
import { renderRecording } from '../import/recording.js';
import type { CaseRecord } from '../storage/types.js';
import { agentOr404, caseViews, type Deps, found, now } from './common.js';
import { assertSuiteRoom } from './limits.js';

type ImportHandlers = Pick<Handlers, 'importSimulationCase'>;

/** The criteria drafted by the engine's model; 422 on `/success_criteria` when there is none or it fails (the user can give them). */
async function draftedCriteria(engine: Deps['engine'], transcript: string, signal: AbortSignal): Promise<string[]> {
  let drafted: string[] | undefined;
  try {
    drafted = await engine.draftCriteria(transcript, signal);
  } catch (error) {
    throw invalid(
      'body',
      '/success_criteria',
      `could not be drafted by the model (${error instanceof Error ? error.message : String(error)}): give them`,
    );
  }
  if (!drafted?.length) {
    throw invalid(
      'body',
      '/success_criteria',
      'is required: this server has no model to draft criteria from the conversation, so give them',
    );
  }
  return drafted;
}

export function importHandlers(deps: Deps): ImportHandlers {
  const { storage } = deps;
  return {
    /**
     * A recorded call as a case of a suite (spec "Replay decisions"). The cheap checks come first
     * (the suite, its room, the base agent, then reading the conversation), so that a request that
     * will be refused never reaches a model.
     */
    async importSimulationCase({ workspace_id, body, signal }) {
      const suite = found(await storage.suites.get(workspace_id, body.suite_id), 'Simulation suite', body.suite_id);
      assertSuiteRoom(await storage.cases.countInSuite(workspace_id, suite.id), 1);
      if (body.base_agent_id) await agentOr404(deps, workspace_id, body.base_agent_id);
      const call = readConversation(body.conversation, body.format);
      const tools = body.tool_checks === false ? { checks: [], tool_mocks: [] } : toolFields(call);
      const criteria = body.success_criteria ?? (await draftedCriteria(deps.engine, renderRecording(call), signal));
      const at = now();
      const record: CaseRecord = {
        simulation_case_id: randomUUID(),
        workspace_id,
        suite_id: suite.id,
        name: body.name ?? defaultName(call),
        prompt: body.prompt ?? defaultPrompt(call),
        type: 'custom',
        success_criteria: criteria,
        call_success_type: body.call_success_type ?? 'all',
        checks: tools.checks,
        caller_turns: call.caller_turns,
        tool_mocks: tools.tool_mocks,
        expected_agent_turns: call.expected_agent_turns,
        base_agent_id: body.base_agent_id ?? null,
        created_at: at,
        updated_at: at,
      };
      await storage.cases.create(record);
      const [simulation_case] = await caseViews(deps, workspace_id, [record]);
      return {
        status: 201,
        body: {
          status: 'ok',
          response: {
            simulation_case: simulation_case!,
            import: {
              format: call.format,
              caller_turns: call.caller_turns.length,
              agent_turns: call.agent_turn_count,
              tool_calls: call.tool_calls.length,
              criteria_source: body.success_criteria ? 'given' : 'drafted',
            },
          },
        },
      };
    },
  };
}
