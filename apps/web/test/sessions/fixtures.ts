import type { Schemas, Simulation, SimulationSession, SimulationSessionComparison, SimulationSessionReport } from '@sims/client';

/** Records in the spec's shapes (after its examples), for the fetch stubs of the session and simulation pages. */
export const SUITE_ID = '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f';
export const AGENT_ID = '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';
export const SESSION_ID = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
export const BASELINE_ID = '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b';
const CASE_REFUND = '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d';
const CASE_HOURS = '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
export const SIMULATION_ID = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

const usageOf = (calls: number): Schemas['ModelUsage'] => ({
  calls,
  prompt_tokens: calls * 100,
  completion_tokens: calls * 20,
  latency_ms: calls * 400,
});
const USAGE: Schemas['SimulationUsage'] = { persona: usageOf(3), agent: usageOf(4), judge: usageOf(1), total: usageOf(8) };

export function simulation(overrides: Partial<Simulation> = {}): Simulation {
  return {
    simulation_id: SIMULATION_ID,
    simulation_session_id: SESSION_ID,
    simulation_case_id: CASE_REFUND,
    simulation_case_name: 'Handles refund request',
    simulation_case_prompt: 'You are a customer who wants a refund for order #12345.',
    success_criteria: ['Agent acknowledged the refund request', 'Agent provided a resolution'],
    call_success_type: 'all',
    persona_agent_id: null,
    persona_phone_number: null,
    target_agent_id: AGENT_ID,
    agent_name: 'Acme Support',
    agent_avatar_url: null,
    target_phone_number: null,
    target_call_id: null,
    custom_variables: null,
    status: 'completed',
    workspace_id: 'ws_test',
    created_at: '2026-11-20T09:19:58Z',
    updated_at: '2026-11-20T09:20:16Z',
    error_info: null,
    recording_url: null,
    timeline: [
      {
        sender_type: 'agent',
        value: 'Thanks for calling Acme, this is Ava. How can I help?',
        type: 'message',
        timestamp: '0.00',
        timestamp_datetime: '2026-11-20T09:20:01Z',
      },
      {
        sender_type: 'persona',
        value: 'Hi, I want a refund for order 12345. It arrived broken.',
        type: 'message',
        timestamp: '3.10',
        timestamp_datetime: '2026-11-20T09:20:04Z',
      },
      {
        sender_type: 'agent',
        value: 'lookup_order {"order_id":"12345"}',
        type: 'tool_call',
        timestamp: '6.40',
        timestamp_datetime: '2026-11-20T09:20:07Z',
      },
      {
        sender_type: 'system',
        value: '{"status":"delivered","refundable":true}',
        type: 'tool_result',
        timestamp: '6.41',
        timestamp_datetime: '2026-11-20T09:20:07Z',
      },
      {
        sender_type: 'agent',
        value: 'I can only offer store credit for that order.',
        type: 'message',
        timestamp: '10.75',
        timestamp_datetime: '2026-11-20T09:20:11Z',
      },
      {
        sender_type: 'persona',
        value: 'caller ended the call',
        type: 'end_call',
        timestamp: '13.30',
        timestamp_datetime: '2026-11-20T09:20:14Z',
      },
    ],
    success_criteria_analysis: {
      success: false,
      evaluations: [
        {
          success: true,
          verdict: 'passed',
          criterion: 'Agent acknowledged the refund request',
          reasoning: 'The agent looked the order up.',
        },
        {
          success: false,
          verdict: 'failed',
          criterion: 'Agent provided a resolution',
          reasoning: 'The agent said "I can only offer store credit for that order" instead of a refund.',
        },
        {
          success: true,
          verdict: 'passed',
          criterion: 'the agent calls lookup_order',
          reasoning: 'The agent called lookup_order {"order_id":"12345"}.',
        },
      ],
    },
    max_turns: 20,
    iteration: 1,
    usage: USAGE,
    divergence: null,
    started_at: '2026-11-20T09:20:00Z',
    finished_at: '2026-11-20T09:20:16Z',
    ...overrides,
  };
}

const criteria = (passRate: number): SimulationSessionReport['cases'][number]['criteria'] => [
  {
    criterion: 'Agent provided a resolution',
    kind: 'criterion',
    evaluations: 2,
    passed: Math.round(passRate * 2),
    failed: 2 - Math.round(passRate * 2),
    not_evaluated: 0,
    pass_rate: passRate,
    top_failure_reasoning: passRate < 1 ? 'No resolution was confirmed with the caller.' : null,
    top_failure_count: passRate < 1 ? 1 : 0,
  },
];

export function report(finished: boolean): SimulationSessionReport {
  return {
    simulation_session_id: SESSION_ID,
    suite_id: SUITE_ID,
    target_agent_id: AGENT_ID,
    created_at: '2026-11-20T09:19:58Z',
    finished,
    total_simulations: 4,
    completed_simulations: finished ? 4 : 1,
    failed_simulations: 0,
    pending_simulations: finished ? 0 : 3,
    passed_simulations: finished ? 3 : 1,
    pass_rate: finished ? 0.75 : 1,
    case_outcomes: finished ? { passing: 1, failing: 0, flaky: 1, pending: 0 } : { passing: 1, failing: 0, flaky: 0, pending: 1 },
    cases: [
      {
        simulation_case_id: CASE_REFUND,
        simulation_case_name: 'Handles refund request',
        runs: 2,
        passed_runs: finished ? 1 : 0,
        failed_runs: finished ? 1 : 0,
        errored_runs: 0,
        pending_runs: finished ? 0 : 2,
        pass_rate: finished ? 0.5 : null,
        outcome: finished ? 'flaky' : 'pending',
        flaky: finished,
        duration_ms: finished ? { median: 14200, p95: 18900 } : null,
        turns: finished ? { median: 6, p95: 8 } : null,
        criteria: finished ? criteria(0.5) : [],
      },
      {
        simulation_case_id: CASE_HOURS,
        simulation_case_name: 'Asks for opening hours',
        runs: 2,
        passed_runs: finished ? 2 : 1,
        failed_runs: 0,
        errored_runs: 0,
        pending_runs: finished ? 0 : 1,
        pass_rate: 1,
        outcome: 'passing',
        flaky: false,
        duration_ms: { median: 8100, p95: 9400 },
        turns: { median: 4, p95: 4 },
        criteria: criteria(1),
      },
    ],
  };
}

export function session(overrides: Partial<SimulationSession> = {}): SimulationSession {
  return {
    simulation_session_id: SESSION_ID,
    simulations: [],
    total_simulations: 4,
    completed_simulations: 4,
    failed_simulations: 0,
    pending_simulations: 0,
    suite_id: SUITE_ID,
    target_agent_id: AGENT_ID,
    created_at: '2026-11-20T09:19:58Z',
    usage: USAGE,
    cancelled_at: null,
    ...overrides,
  };
}

export const COMPARISON: SimulationSessionComparison = {
  simulation_session_id: SESSION_ID,
  baseline_session_id: BASELINE_ID,
  suite_id: SUITE_ID,
  verdict: 'regressed',
  baseline_pass_rate: 1,
  pass_rate: 0.75,
  pass_rate_delta: -0.25,
  summary: { newly_failing: 1, fixed: 0, still_failing: 0, still_passing: 1, flaky: 0, added: 0, removed: 0, regressed: 1, improved: 0 },
  cases: [
    {
      simulation_case_id: CASE_REFUND,
      simulation_case_name: 'Handles refund request',
      change: 'newly_failing',
      trend: 'regressed',
      baseline: { runs: 2, passed_runs: 2, pass_rate: 1, outcome: 'passing' },
      head: { runs: 2, passed_runs: 0, pass_rate: 0, outcome: 'failing' },
      pass_rate_delta: -1,
      criteria: [
        { criterion: 'Agent provided a resolution', kind: 'criterion', baseline_pass_rate: 1, pass_rate: 0, delta: -1, trend: 'regressed' },
      ],
    },
    {
      simulation_case_id: CASE_HOURS,
      simulation_case_name: 'Asks for opening hours',
      change: 'still_passing',
      trend: 'unchanged',
      baseline: { runs: 2, passed_runs: 2, pass_rate: 1, outcome: 'passing' },
      head: { runs: 2, passed_runs: 2, pass_rate: 1, outcome: 'passing' },
      pass_rate_delta: 0,
      criteria: [],
    },
  ],
};

export const page = <T>(items: T[]) => ({ pagination: { total_records: items.length, limit: 100, offset: 0 }, items });
