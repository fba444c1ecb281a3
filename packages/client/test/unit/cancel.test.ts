import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAlreadyFinished, SimulationsApiError, type RunSuiteCancel, type SimulationSessionCancel } from '../../src/index.js';
import { apiError, fakeFetch, json, ok, session, simulation, testClient } from './helpers.js';

const SESSION = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
const SIMULATION = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const base = 'https://api.test/v2';

const cancelledRun = simulation({
  status: 'failed',
  error_info: { code: 499, type: 'cancelled', message: 'The simulation was cancelled.' },
});
const cancelOut: SimulationSessionCancel = {
  simulation_session_id: SESSION,
  cancelled_simulations: 2,
  cancelled_at: '2026-11-20T09:21:02Z',
  total_simulations: 3,
  completed_simulations: 1,
  failed_simulations: 2,
  pending_simulations: 0,
};

/** The 409 the server answers for a cancel that changes nothing. */
const finished = () => apiError(409, 'conflict', { message: 'The simulation has already finished (completed).' });

describe('cancelSimulation', () => {
  it('POSTs to the cancel of the simulation, without a body, and resolves to the simulation inside the envelope', async () => {
    const { fetch, sent } = fakeFetch(() => ok(cancelledRun));
    expect(await testClient(fetch).cancelSimulation(SIMULATION)).toEqual(cancelledRun);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.request.method).toBe('POST');
    expect(sent[0]?.request.url).toBe(`${base}/simulations/${SIMULATION}/cancel`);
    expect(sent[0]?.request.headers.get('authorization')).toBe('Bearer sk_test_unit');
    expect(sent[0]?.body).toBe('');
  });

  it('rejects with SimulationsApiError: 409 for a finished simulation (isAlreadyFinished), 404 for an unknown one', async () => {
    const answers = [finished(), apiError(404, 'not_found')];
    const { fetch } = fakeFetch((_request, i) => answers[i] ?? json({}, 500));
    const client = testClient(fetch);
    const conflict = await client.cancelSimulation(SIMULATION).catch((e: unknown) => e);
    const missing = await client.cancelSimulation('nope').catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(SimulationsApiError);
    expect(conflict).toMatchObject({ status: 409, code: 'conflict', apiMessage: 'The simulation has already finished (completed).' });
    expect(isAlreadyFinished(conflict)).toBe(true);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect(isAlreadyFinished(missing)).toBe(false);
  });

  it('is sent once: a POST without an idempotency key is not retried, even on a 503', async () => {
    const { fetch, sent } = fakeFetch(() => json({}, 503));
    const client = testClient(fetch, { retry: { baseDelayMs: 1 } });
    await expect(client.cancelSimulation(SIMULATION)).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(1);
  });
});

describe('cancelSession', () => {
  it('POSTs to the cancel of the session, without a body, and resolves to what it cancelled and the counters after', async () => {
    const { fetch, sent } = fakeFetch(() => ok(cancelOut));
    expect(await testClient(fetch).cancelSession(SESSION)).toEqual(cancelOut);
    expect(sent.map((s) => `${s.request.method} ${s.request.url}`)).toEqual([`POST ${base}/simulations/session/${SESSION}/cancel`]);
    expect(sent[0]?.body).toBe('');
  });

  it('a 409 (nothing in progress) is recognised by isAlreadyFinished; a 409 of another call is not', async () => {
    const { fetch } = fakeFetch(() => apiError(409, 'conflict'));
    const client = testClient(fetch);
    const cancel = await client.cancelSession(SESSION).catch((e: unknown) => e);
    // compareSessions answers 409 while a session still runs: the opposite of finished.
    const compare = await client.compareSessions(SESSION).catch((e: unknown) => e);
    expect(cancel).toBeInstanceOf(SimulationsApiError);
    expect(compare).toBeInstanceOf(SimulationsApiError);
    expect([isAlreadyFinished(cancel), isAlreadyFinished(compare)]).toEqual([true, false]);
    expect(isAlreadyFinished(new Error('409'))).toBe(false);
    expect(isAlreadyFinished(undefined)).toBe(false);
  });

  it("passes the caller's signal on to the request it sends", async () => {
    const { fetch, sent } = fakeFetch((request) => (request.signal.aborted ? Promise.reject(request.signal.reason) : ok(cancelOut)));
    const controller = new AbortController();
    controller.abort(new Error('not now'));
    await expect(testClient(fetch).cancelSession(SESSION, { signal: controller.signal })).rejects.toThrow('not now');
    expect(sent[0]?.request.signal.aborted).toBe(true);
  });
});

describe('runSuite cancels the session it started when its signal aborts', () => {
  const execution = { session_id: SESSION, suite_id: 'suite-1', suite_name: 'Refunds', total_cases: 3, status: 'started' };
  const running = session({ completed: 1, failed: 0, pending: 2 });
  const userLeft = new Error('user left');

  /**
   * A server whose session is still running; the caller aborts as the first read of the session is
   * answered, so the abort lands while `runSuite` waits. `cancel` answers the cancel request.
   */
  function server(cancel: (request: Request) => Response | Promise<Response>) {
    const controller = new AbortController();
    const { fetch, sent } = fakeFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith('/execute')) return json(execution);
      if (url.pathname.endsWith('/cancel')) return cancel(request);
      controller.abort(userLeft);
      return ok(running);
    });
    return { fetch, sent, signal: controller.signal };
  }

  it('sends one cancel of its session, reports the answer, then rejects with the abort reason', async () => {
    const { fetch, sent, signal } = server(() => ok(cancelOut));
    const outcomes: RunSuiteCancel[] = [];
    const run = testClient(fetch).runSuite('suite-1', {
      targetAgentId: 'agent-1',
      intervalMs: 60_000,
      signal,
      onCancel: (o) => outcomes.push(o),
    });
    await expect(run).rejects.toBe(userLeft);
    expect(sent.map((s) => `${s.request.method} ${s.request.url}`)).toEqual([
      `POST ${base}/simulation_suites/suite-1/execute?target_agent_id=agent-1`,
      `GET ${base}/simulations/session/${SESSION}`,
      `POST ${base}/simulations/session/${SESSION}/cancel`,
    ]);
    // The cancel has a signal of its own: the caller's has aborted.
    expect(sent[2]?.request.signal.aborted).toBe(false);
    expect(outcomes).toEqual([{ sessionId: SESSION, cancelled: cancelOut }]);
  });

  it('cancelOnAbort: false leaves the session running: no cancel request, the same rejection', async () => {
    const { fetch, sent, signal } = server(() => ok(cancelOut));
    const onCancel = vi.fn();
    const run = testClient(fetch).runSuite('suite-1', {
      targetAgentId: 'agent-1',
      intervalMs: 60_000,
      signal,
      cancelOnAbort: false,
      onCancel,
    });
    await expect(run).rejects.toBe(userLeft);
    expect(sent.map((s) => s.request.url)).not.toContain(`${base}/simulations/session/${SESSION}/cancel`);
    expect(sent).toHaveLength(2);
    expect(onCancel).not.toHaveBeenCalled();
  });

  it('a cancel that fails is reported, not thrown: a 409 for a session that had just finished, a 500', async () => {
    for (const [answer, status, finishedToo] of [
      [finished, 409, true],
      [() => apiError(500, 'internal_error'), 500, false],
    ] as const) {
      const { fetch, signal } = server(answer);
      const outcomes: RunSuiteCancel[] = [];
      const run = testClient(fetch).runSuite('suite-1', {
        targetAgentId: 'agent-1',
        intervalMs: 60_000,
        signal,
        onCancel: (o) => outcomes.push(o),
      });
      await expect(run).rejects.toBe(userLeft);
      expect(outcomes).toHaveLength(1);
      const outcome = outcomes[0] as { sessionId: string; error: unknown };
      expect(outcome.sessionId).toBe(SESSION);
      expect(outcome.error).toMatchObject({ name: 'SimulationsApiError', status });
      expect(isAlreadyFinished(outcome.error)).toBe(finishedToo);
    }
  });

  it('an abort before the execute call answered has no session to cancel', async () => {
    const controller = new AbortController();
    const { fetch, sent } = fakeFetch((request) => {
      controller.abort(userLeft);
      return Promise.reject(request.signal.aborted ? request.signal.reason : new Error('not aborted'));
    });
    const onCancel = vi.fn();
    await expect(testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', signal: controller.signal, onCancel })).rejects.toBe(
      userLeft,
    );
    expect(sent.map((s) => s.request.method)).toEqual(['POST']);
    expect(onCancel).not.toHaveBeenCalled();
  });

  it('an abort once the session has finished (while the report is read) cancels nothing', async () => {
    const controller = new AbortController();
    const { fetch, sent } = fakeFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith('/execute')) return json(execution);
      if (url.pathname.endsWith('/report')) {
        controller.abort(userLeft);
        return Promise.reject(userLeft);
      }
      return ok(session({ completed: 3, failed: 0, pending: 0 }));
    });
    const onCancel = vi.fn();
    await expect(testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', signal: controller.signal, onCancel })).rejects.toBe(
      userLeft,
    );
    expect(sent.map((s) => new URL(s.request.url).pathname.split('/').at(-1))).toEqual(['execute', SESSION, 'report']);
    expect(onCancel).not.toHaveBeenCalled();
  });

  it('an error of its own while the signal has not aborted cancels nothing', async () => {
    const { fetch, sent } = fakeFetch((request) =>
      new URL(request.url).pathname.endsWith('/execute') ? json(execution) : apiError(500, 'internal_error'),
    );
    const controller = new AbortController();
    await expect(testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', signal: controller.signal })).rejects.toMatchObject({
      status: 500,
    });
    expect(sent.map((s) => s.request.method)).toEqual(['POST', 'GET']);
  });
});

describe('the deadlines of runSuite and its cancel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const execution = { session_id: SESSION, suite_id: 'suite-1', suite_name: 'Refunds', total_cases: 1, status: 'started' };

  it('a cancel that does not answer is given up after cancelTimeoutMs, reported as a TimeoutError; the abort still rejects', async () => {
    const controller = new AbortController();
    const userLeft = new Error('user left');
    const { fetch, sent } = fakeFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith('/execute')) return json(execution);
      if (url.pathname.endsWith('/cancel')) {
        return new Promise<Response>((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
      }
      controller.abort(userLeft);
      return ok(session({ completed: 0, failed: 0, pending: 1 }));
    });
    const outcomes: RunSuiteCancel[] = [];
    const run = testClient(fetch).runSuite('suite-1', {
      targetAgentId: 'agent-1',
      signal: controller.signal,
      cancelTimeoutMs: 1_000,
      onCancel: (o) => outcomes.push(o),
    });
    const outcome = expect(run).rejects.toBe(userLeft);
    await vi.advanceTimersByTimeAsync(999);
    expect(outcomes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    expect(sent.at(-1)?.request.signal.aborted).toBe(true);
    expect(outcomes).toHaveLength(1);
    expect((outcomes[0] as { error: unknown }).error).toMatchObject({
      name: 'TimeoutError',
      message: `the cancel of session ${SESSION} got no answer within 1000 ms`,
    });
  });

  it('timeoutMs running out does not cancel: the session keeps running', async () => {
    const { fetch, sent } = fakeFetch((request) =>
      new URL(request.url).pathname.endsWith('/execute') ? json(execution) : ok(session({ completed: 0, failed: 0, pending: 1 })),
    );
    const run = testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', intervalMs: 100, timeoutMs: 1_000 });
    const outcome = expect(run).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
    expect(sent.filter((s) => s.request.url.endsWith('/cancel'))).toEqual([]);
  });
});
