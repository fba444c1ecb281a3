import { type components, type SimulationsClient, unwrap } from '@sims/client';

type CaseIn = components['schemas']['SimulationCaseCreateIn'];

/**
 * Two cases the builtin `shop_support` agent answers the same way every time, with no model: with no
 * judge the natural-language criterion is not evaluated, so the exact checks decide. The first
 * passes (`any`: the caller ends the call itself); the second fails (`all`: the agent never says sorry).
 */
export const PASSING_CASE = {
  name: 'Order status is looked up',
  prompt: 'You are Dana. You want to know where your order 12345 is.',
  caller_turns: ['Hi, where is my order?', "It's 12345.", "That's all, thank you. Goodbye. [END_CALL]"],
  success_criteria: ['The agent tells the caller when the order arrives'],
  call_success_type: 'any',
  checks: [{ kind: 'ended_by', side: 'persona' }],
} satisfies Omit<CaseIn, 'suite_id'>;

export const FAILING_CASE = {
  name: 'Angry caller is apologised to',
  prompt: 'You are furious because your order 56789 was cancelled without asking you.',
  caller_turns: ['My order 56789 was cancelled and nobody told me!', 'I want to talk to a real person right now.'],
  success_criteria: ['The agent apologises to the caller'],
  call_success_type: 'all',
  checks: [{ kind: 'contains', text: 'sorry', side: 'agent' }],
} satisfies Omit<CaseIn, 'suite_id'>;

export interface Seeded {
  agentId: string;
  scenarioId: string;
  suiteId: string;
  passingCaseId: string;
  failingCaseId: string;
  /** The suite's sessions, oldest first, each finished. */
  sessionIds: string[];
  /** The failing case's simulation in the latest session. */
  failedSimulationId: string;
}

/** The builtin shop agent, a scenario, a suite with the two cases, executed `sessions` times to the end (a trend and a baseline). */
export async function seedWorkspace(api: SimulationsClient, sessions = 2): Promise<Seeded> {
  const agent = await unwrap(
    api.POST('/agents', {
      body: {
        name: 'Northwind Shop support line',
        prompt: 'You are the phone support of Northwind Shop.',
        connector: { kind: 'builtin', builtin: 'shop_support' },
      },
    }),
  );
  const scenario = await unwrap(
    api.POST('/simulation_scenarios', {
      body: { name: 'Impatient caller', description: 'The caller is in a hurry and interrupts the agent when it talks for long.' },
    }),
  );
  const suite = await unwrap(api.POST('/simulation_suites', { body: { name: 'Northwind Shop — support line', model_id: agent.id } }));
  const passing = (await unwrap(api.POST('/simulation_cases', { body: { ...PASSING_CASE, suite_id: suite.id } }))).simulation_case;
  const failing = (await unwrap(api.POST('/simulation_cases', { body: { ...FAILING_CASE, suite_id: suite.id } }))).simulation_case;
  const sessionIds: string[] = [];
  let failedSimulationId = '';
  for (let i = 0; i < sessions; i += 1) {
    const run = await api.runSuite(suite.id, { targetAgentId: agent.id, maxTurns: 10, intervalMs: 100, timeoutMs: 60_000 });
    sessionIds.push(run.simulation_session_id);
    const failed = run.simulations.find((simulation) => simulation.simulation_case_id === failing.simulation_case_id);
    if (!failed) throw new Error('the failing case did not run');
    failedSimulationId = failed.simulation_id;
  }
  return {
    agentId: agent.id,
    scenarioId: scenario.id,
    suiteId: suite.id,
    passingCaseId: passing.simulation_case_id,
    failingCaseId: failing.simulation_case_id,
    sessionIds,
    failedSimulationId,
  };
}
