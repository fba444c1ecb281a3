import { vi } from 'vitest';
import { createSimulationsClient, type SimulationsClientOptions } from '../../src/index.js';
import type { Schemas } from '../../src/index.js';

interface Sent {
  request: Request;
  /** The body as sent, read before the handler runs. */
  body: string;
}

type Handler = (request: Request, index: number) => Response | Promise<Response>;

/** A `fetch` that records each `Request` it is given and answers with `handler`. */
export function fakeFetch(handler: Handler) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (request: Request) => {
    sent.push({ request, body: await request.clone().text() });
    return handler(request, sent.length - 1);
  });
  return { fetch, sent };
}

/** A `fetch` answering each call with the next answer of the list; the last one repeats. */
export function sequence(...answers: Array<Response | Error | (() => Response | Error)>) {
  return fakeFetch((_request, index) => {
    const next = answers[Math.min(index, answers.length - 1)];
    const answer = typeof next === 'function' ? next() : next;
    if (answer instanceof Error) throw answer;
    if (answer === undefined) throw new Error('no answer');
    return answer.clone();
  });
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export const ok = (payload: unknown, headers: Record<string, string> = {}) => json({ status: 'ok', response: payload }, 200, headers);

export function apiError(
  status: number,
  code: Schemas['ErrorCode'],
  extra: Partial<Schemas['Error']['error']> = {},
  headers: Record<string, string> = {},
) {
  return json({ status: 'error', error: { code, message: `${code} happened`, request_id: 'req_server', ...extra } }, status, headers);
}

/** A client on a fake base URL with retries off and no time-out unless the test sets them. */
export function testClient(fetch: SimulationsClientOptions['fetch'], options: Partial<SimulationsClientOptions> = {}) {
  return createSimulationsClient({
    apiKey: 'sk_test_unit',
    baseUrl: 'https://api.test/v2',
    retry: false,
    timeoutMs: 0,
    fetch,
    ...options,
  } as SimulationsClientOptions);
}

/** A network failure as undici reports it. */
/** A global fetch that never answers, rejects when `init.signal` (else the request's) aborts, and records what it got. */
export function hangingGlobalFetch() {
  const calls: { request: Request; init: RequestInit | undefined }[] = [];
  globalThis.fetch = ((request: Request, init?: RequestInit) => {
    calls.push({ request, init });
    const signal = init?.signal ?? request.signal;
    return new Promise<Response>((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }) as typeof globalThis.fetch;
  return calls;
}

export const networkError = () => new TypeError('fetch failed');

export function simulation(overrides: Partial<Schemas['SimulationReadOut']> = {}): Schemas['SimulationReadOut'] {
  return {
    simulation_id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
    simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    simulation_case_id: '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d',
    simulation_case_name: 'Handles refund request',
    simulation_case_prompt: 'You want a refund.',
    success_criteria: ['Agent acknowledged the refund request'],
    call_success_type: 'all',
    persona_agent_id: null,
    persona_phone_number: null,
    target_agent_id: '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
    agent_name: 'Acme Support',
    agent_avatar_url: null,
    target_phone_number: null,
    target_call_id: null,
    custom_variables: null,
    status: 'in-progress',
    workspace_id: 'ws',
    created_at: '2026-11-20T09:19:58Z',
    updated_at: '2026-11-20T09:19:58Z',
    error_info: null,
    recording_url: null,
    timeline: [],
    success_criteria_analysis: null,
    ...overrides,
  };
}

export function session(
  counts: { completed: number; failed: number; pending: number },
  simulations: Schemas['SimulationReadOut'][] = [],
): Schemas['SimulationSessionReadOut'] {
  return {
    simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    simulations,
    total_simulations: counts.completed + counts.failed + counts.pending,
    completed_simulations: counts.completed,
    failed_simulations: counts.failed,
    pending_simulations: counts.pending,
  };
}

export function caseReport(overrides: Partial<Schemas['SimulationCaseReport']> = {}): Schemas['SimulationCaseReport'] {
  return {
    simulation_case_id: '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d',
    simulation_case_name: 'Handles refund request',
    runs: 3,
    passed_runs: 3,
    failed_runs: 0,
    errored_runs: 0,
    pending_runs: 0,
    pass_rate: 1,
    outcome: 'passing',
    flaky: false,
    duration_ms: { median: 14_200, p95: 18_900 },
    turns: { median: 6, p95: 8 },
    criteria: [],
    ...overrides,
  };
}

/** A finished session's report over the given cases, its counters summed from them. */
export function sessionReportOf(cases: Schemas['SimulationCaseReport'][]): Schemas['SimulationSessionReport'] {
  const sum = (pick: (c: Schemas['SimulationCaseReport']) => number) => cases.reduce((total, c) => total + pick(c), 0);
  const finished = sum((c) => c.runs - c.pending_runs);
  const count = (outcome: Schemas['CaseOutcome']) => cases.filter((c) => c.outcome === outcome).length;
  return {
    simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    suite_id: '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f',
    target_agent_id: '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
    created_at: '2026-11-20T09:19:58Z',
    finished: sum((c) => c.pending_runs) === 0,
    total_simulations: sum((c) => c.runs),
    completed_simulations: sum((c) => c.passed_runs + c.failed_runs),
    failed_simulations: sum((c) => c.errored_runs),
    pending_simulations: sum((c) => c.pending_runs),
    passed_simulations: sum((c) => c.passed_runs),
    pass_rate: finished === 0 ? null : sum((c) => c.passed_runs) / finished,
    case_outcomes: { passing: count('passing'), failing: count('failing'), flaky: count('flaky'), pending: count('pending') },
    cases,
  };
}

export function comparison(overrides: Partial<Schemas['SimulationSessionComparison']> = {}): Schemas['SimulationSessionComparison'] {
  return {
    simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    baseline_session_id: '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b',
    suite_id: '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f',
    verdict: 'unchanged',
    baseline_pass_rate: 1,
    pass_rate: 1,
    pass_rate_delta: 0,
    summary: { newly_failing: 0, fixed: 0, still_failing: 0, still_passing: 1, flaky: 0, added: 0, removed: 0, regressed: 0, improved: 0 },
    cases: [],
    ...overrides,
  };
}
