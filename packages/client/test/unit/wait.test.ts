import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulationsApiError, type SessionProgress } from '../../src/index.js';
import { apiError, caseReport, fakeFetch, json, ok, session, sessionReportOf, simulation, testClient } from './helpers.js';

const timeline = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ sender_type: i % 2 ? 'agent' : 'persona', value: `turn ${i}`, type: 'message' }));

describe('waitForSimulation', () => {
  it('polls until the simulation completes, reporting each change', async () => {
    const states = [
      simulation({ status: 'in-progress', timeline: [] }),
      simulation({ status: 'in-progress', timeline: [] }),
      simulation({ status: 'in-progress', timeline: timeline(2) }),
      simulation({ status: 'completed', timeline: timeline(4), success_criteria_analysis: { success: true, evaluations: [] } }),
    ];
    const { fetch, sent } = fakeFetch((_r, i) => ok(states[Math.min(i, states.length - 1)]));
    const seen: string[] = [];
    const result = await testClient(fetch).waitForSimulation('sim-1', {
      intervalMs: 1,
      onProgress: (s) => seen.push(`${s.status}/${s.timeline?.length}`),
    });
    expect(result.status).toBe('completed');
    expect(result.success_criteria_analysis?.success).toBe(true);
    expect(sent).toHaveLength(4);
    expect(sent[0]?.request.url).toBe('https://api.test/v2/simulations/sim-1');
    expect(seen).toEqual(['in-progress/0', 'in-progress/2', 'completed/4']);
  });

  it('returns a failed simulation as a result', async () => {
    const { fetch } = fakeFetch(() =>
      ok(simulation({ status: 'failed', error_info: { message: 'agent hung up', code: 424, type: 'agent_error' } })),
    );
    const result = await testClient(fetch).waitForSimulation('sim-1', { intervalMs: 1 });
    expect(result).toMatchObject({ status: 'failed', error_info: { type: 'agent_error' } });
  });

  it('rejects with SimulationsApiError when the simulation does not exist', async () => {
    const { fetch } = fakeFetch(() => apiError(404, 'not_found'));
    await expect(testClient(fetch).waitForSimulation('nope', { intervalMs: 1 })).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('aborts with the caller signal', async () => {
    const { fetch } = fakeFetch(() => ok(simulation()));
    const controller = new AbortController();
    const waiting = testClient(fetch).waitForSimulation('sim-1', { intervalMs: 5, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by user')), 20);
    await expect(waiting).rejects.toThrow('cancelled by user');
  });
});

describe('time-outs of the wait helpers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waitForSimulation gives up with a TimeoutError naming the last status', async () => {
    const { fetch, sent } = fakeFetch(() => ok(simulation({ status: 'in-progress' })));
    const waiting = testClient(fetch).waitForSimulation('sim-1', { intervalMs: 1_000, timeoutMs: 5_500 });
    const outcome = expect(waiting).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'simulation sim-1 was still in-progress after 5500 ms',
    });
    await vi.advanceTimersByTimeAsync(6_000);
    await outcome;
    expect(sent).toHaveLength(6);
  });

  it('waitForSession gives up with a TimeoutError, and a poll in flight is aborted', async () => {
    const { fetch, sent } = fakeFetch((request, index) =>
      index === 0
        ? ok(session({ completed: 0, failed: 0, pending: 2 }))
        : new Promise<Response>((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason))),
    );
    const waiting = testClient(fetch).waitForSession('sess-1', { intervalMs: 100, timeoutMs: 1_000 });
    const outcome = expect(waiting).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('session sess-1') });
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
    expect(sent).toHaveLength(2);
    expect(sent[1]?.request.signal.aborted).toBe(true);
  });
});

describe('waitForSession', () => {
  it('reports completed, failed and pending as they change, and returns the finished session', async () => {
    const states = [
      session({ completed: 0, failed: 0, pending: 3 }),
      session({ completed: 1, failed: 0, pending: 2 }),
      session({ completed: 1, failed: 0, pending: 2 }),
      session({ completed: 2, failed: 1, pending: 0 }, [
        simulation({ status: 'completed' }),
        simulation({ status: 'completed' }),
        simulation({ status: 'failed' }),
      ]),
    ];
    const { fetch, sent } = fakeFetch((_r, i) => ok(states[i]));
    const progress: Array<Omit<SessionProgress, 'session'>> = [];
    const result = await testClient(fetch).waitForSession('sess-1', {
      intervalMs: 1,
      onProgress: ({ session: _s, ...counts }) => progress.push(counts),
    });
    expect(sent[0]?.request.url).toBe('https://api.test/v2/simulations/session/sess-1');
    expect(sent).toHaveLength(4);
    expect(progress).toEqual([
      { total: 3, completed: 0, failed: 0, pending: 3 },
      { total: 3, completed: 1, failed: 0, pending: 2 },
      { total: 3, completed: 2, failed: 1, pending: 0 },
    ]);
    expect(result.simulations.map((s) => s.status)).toEqual(['completed', 'completed', 'failed']);
  });
});

describe('runSuite', () => {
  it('executes the suite with an idempotency key, then waits for its session', async () => {
    const execution = { session_id: 'sess-9', suite_id: 'suite-1', suite_name: 'Refunds', total_cases: 2, status: 'started' };
    const report = sessionReportOf([caseReport({ runs: 1, passed_runs: 1 })]);
    const done = session({ completed: 2, failed: 0, pending: 0 }, [
      simulation({ status: 'completed' }),
      simulation({ status: 'completed' }),
    ]);
    const { fetch, sent } = fakeFetch((request, i) => {
      if (request.method === 'POST') return json(execution);
      if (request.url.endsWith('/report')) return ok(report);
      return ok(i === 1 ? session({ completed: 1, failed: 0, pending: 1 }) : done);
    });
    const started: string[] = [];
    const progress: number[] = [];
    const result = await testClient(fetch).runSuite('suite-1', {
      targetAgentId: 'agent-1',
      maxTurns: 12,
      intervalMs: 1,
      onStarted: (e) => started.push(e.session_id),
      onProgress: (p) => progress.push(p.pending),
    });
    const [execute, ...polls] = sent;
    expect(execute?.request.method).toBe('POST');
    expect(execute?.request.url).toBe('https://api.test/v2/simulation_suites/suite-1/execute?target_agent_id=agent-1&max_turns=12');
    expect(execute?.request.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
    expect(execute?.body).toBe('');
    expect(polls.map((p) => p.request.url)).toEqual([
      'https://api.test/v2/simulations/session/sess-9',
      'https://api.test/v2/simulations/session/sess-9',
      'https://api.test/v2/simulations/session/sess-9/report',
    ]);
    expect(started).toEqual(['sess-9']);
    expect(progress).toEqual([1, 0]);
    // Today's fields as they were, then the report; no baseline was asked for, so no comparison.
    expect(result).toEqual({ ...done, report, comparison: null });
  });

  it('sends the idempotency key given, omits max_turns when not set, and retries the execute safely', async () => {
    const execution = { session_id: 'sess-9', suite_id: 'suite-1', suite_name: 'Refunds', total_cases: 1, status: 'started' };
    const { fetch, sent } = fakeFetch((request, i) => {
      if (request.method === 'POST') return i === 0 ? json({}, 503) : json(execution);
      return ok(session({ completed: 1, failed: 0, pending: 0 }));
    });
    await testClient(fetch, { retry: { baseDelayMs: 1 } }).runSuite('suite-1', {
      targetAgentId: 'agent-1',
      idempotencyKey: 'run-42',
      intervalMs: 1,
    });
    expect(sent.map((s) => s.request.method)).toEqual(['POST', 'POST', 'GET', 'GET']);
    expect(sent[0]?.request.url).toBe('https://api.test/v2/simulation_suites/suite-1/execute?target_agent_id=agent-1');
    expect(sent.slice(0, 2).map((s) => s.request.headers.get('idempotency-key'))).toEqual(['run-42', 'run-42']);
  });

  it('rejects with SimulationsApiError when the suite cannot run', async () => {
    const { fetch, sent } = fakeFetch(() => apiError(409, 'conflict', { message: 'The suite has no cases' }));
    const error = await testClient(fetch)
      .runSuite('empty', { targetAgentId: 'a', intervalMs: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationsApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict' });
    expect(sent).toHaveLength(1);
  });
});
