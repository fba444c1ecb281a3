import { randomUUID } from 'node:crypto';
import type { AgentRecord, CaseRecord, RunInput, SessionRecord, SimulationRecord } from '../storage/types.js';

interface RunOptions {
  suite_id: string | null;
  max_turns: number;
  /** How many times each case runs (issue 12): simulations 1…N of every case. */
  iterations: number;
  /** Runs the cases already have in the given session: their new runs are numbered after them. */
  earlierRuns?: number;
  custom_variables: SimulationRecord['custom_variables'];
  /** Add to this session instead of creating one. */
  session?: SessionRecord;
}

/**
 * New simulations of cases against an agent, queued (`in-progress`, `started_at: null`), each with a
 * copy of its case and of the agent's name and avatar, so that results keep their meaning after
 * either changes or is deleted. Also the new session, unless an existing one is given.
 */
export function newRuns(workspace_id: string, agent: AgentRecord, cases: CaseRecord[], options: RunOptions) {
  const at = new Date().toISOString();
  const session: SessionRecord = options.session ?? {
    simulation_session_id: randomUUID(),
    workspace_id,
    suite_id: options.suite_id,
    target_agent_id: agent.id,
    created_at: at,
    cancelled_at: null,
  };
  // Iteration by iteration, so that the first run of every case comes first: in a session read (the
  // oldest 100), and in the order the runs are queued.
  const runs = Array.from({ length: options.iterations }, (_, i) =>
    cases.map((c) => ({ c, iteration: (options.earlierRuns ?? 0) + i + 1 })),
  ).flat();
  const simulations = runs.map(
    ({ c, iteration }): SimulationRecord => ({
      simulation_id: randomUUID(),
      simulation_session_id: session.simulation_session_id,
      simulation_case_id: c.simulation_case_id,
      simulation_case_name: c.name,
      simulation_case_prompt: c.prompt,
      success_criteria: c.success_criteria,
      call_success_type: c.call_success_type,
      persona_agent_id: null,
      persona_phone_number: null,
      target_agent_id: agent.id,
      agent_name: agent.name,
      agent_avatar_url: agent.avatar_url,
      target_phone_number: agent.phone_number,
      target_call_id: null,
      custom_variables: options.custom_variables,
      status: 'in-progress',
      workspace_id,
      created_at: at,
      updated_at: at,
      error_info: null,
      recording_url: null,
      timeline: [],
      success_criteria_analysis: null,
      max_turns: options.max_turns,
      iteration,
      started_at: null,
      finished_at: null,
      usage: null,
      divergence: null,
    }),
  );
  const inputs = new Map<string, RunInput>(
    simulations.map((s, i) => {
      const { checks, caller_turns, tool_mocks, expected_agent_turns } = runs[i]!.c;
      return [s.simulation_id, { checks, caller_turns, tool_mocks, expected_agent_turns }];
    }),
  );
  return { session: options.session ? undefined : session, sessionId: session.simulation_session_id, simulations, inputs };
}
