import { describe, expect, it } from 'vitest';
import { isNoBaseline, SimulationsApiError } from '../../src/index.js';
import { apiError, caseReport, comparison, fakeFetch, json, ok, session, sessionReportOf, simulation, testClient } from './helpers.js';

const SESSION = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
const BASELINE = '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b';
const base = 'https://api.test/v2/simulations/session';

/** The 404 the server answers for `baseline=last` when the suite has no earlier finished session. */
const noBaseline = () =>
  apiError(404, 'not_found', {
    message: 'No earlier finished session of this suite to compare with.',
    details: [{ location: 'query', field: 'baseline', message: 'no earlier finished session of the suite' }],
  });

describe('sessionReport', () => {
  it('GETs the report of the session and resolves to the report inside the envelope', async () => {
    const report = sessionReportOf([caseReport({ passed_runs: 2, failed_runs: 1, pass_rate: 2 / 3, outcome: 'flaky', flaky: true })]);
    const { fetch, sent } = fakeFetch(() => ok(report));
    expect(await testClient(fetch).sessionReport(SESSION)).toEqual(report);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.request.method).toBe('GET');
    expect(sent[0]?.request.url).toBe(`${base}/${SESSION}/report`);
    expect(sent[0]?.request.headers.get('authorization')).toBe('Bearer sk_test_unit');
  });

  it('rejects with SimulationsApiError for an unknown session', async () => {
    const { fetch } = fakeFetch(() => apiError(404, 'not_found'));
    await expect(testClient(fetch).sessionReport('nope')).rejects.toMatchObject({ name: 'SimulationsApiError', status: 404 });
  });

  it("passes the caller's signal on to the request it sends", async () => {
    // A fetch rejects a request whose signal has aborted, with the signal's reason.
    const { fetch, sent } = fakeFetch((request) =>
      request.signal.aborted ? Promise.reject(request.signal.reason) : ok(sessionReportOf([])),
    );
    const controller = new AbortController();
    controller.abort(new Error('cancelled by user'));
    await expect(testClient(fetch).sessionReport(SESSION, { signal: controller.signal })).rejects.toThrow('cancelled by user');
    expect(sent[0]?.request.signal.aborted).toBe(true);
  });
});

describe('compareSessions', () => {
  it('sends no baseline by default (the server takes last) and a given one as the query parameter', async () => {
    const answer = comparison({ verdict: 'regressed' });
    const { fetch, sent } = fakeFetch(() => ok(answer));
    const client = testClient(fetch);
    expect(await client.compareSessions(SESSION)).toEqual(answer);
    await client.compareSessions(SESSION, { baseline: 'last' });
    await client.compareSessions(SESSION, { baseline: BASELINE });
    expect(sent.map((s) => s.request.url)).toEqual([
      `${base}/${SESSION}/comparison`,
      `${base}/${SESSION}/comparison?baseline=last`,
      `${base}/${SESSION}/comparison?baseline=${BASELINE}`,
    ]);
  });

  it('rejects with SimulationsApiError for every error answer: no baseline, still running, another suite', async () => {
    const answers = [noBaseline(), apiError(409, 'conflict'), apiError(422, 'validation_failed')];
    const { fetch } = fakeFetch((_request, i) => answers[i] ?? json({}, 500));
    const client = testClient(fetch);
    const errors = [];
    for (let i = 0; i < answers.length; i++) errors.push(await client.compareSessions(SESSION).catch((e: unknown) => e));
    expect(errors.map((e) => (e as SimulationsApiError).status)).toEqual([404, 409, 422]);
    expect(errors.every((e) => e instanceof SimulationsApiError)).toBe(true);
    expect(errors.map(isNoBaseline)).toEqual([true, false, false]);
  });

  it('isNoBaseline is false for a 404 about the session itself and for anything not an API error', async () => {
    const { fetch } = fakeFetch(() =>
      apiError(404, 'not_found', { details: [{ location: 'path', field: 'simulation_session_id', message: 'unknown' }] }),
    );
    const error = await testClient(fetch)
      .compareSessions('nope')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationsApiError);
    expect(isNoBaseline(error)).toBe(false);
    expect(isNoBaseline(new Error('baseline'))).toBe(false);
  });
});

describe('runSuite with iterations and a baseline', () => {
  const execution = { session_id: SESSION, suite_id: 'suite-1', suite_name: 'Refunds', total_cases: 1, status: 'started' };
  const done = session({ completed: 3, failed: 0, pending: 0 }, [
    simulation({ status: 'completed', iteration: 1 }),
    simulation({ status: 'completed', iteration: 2 }),
    simulation({ status: 'completed', iteration: 3 }),
  ]);
  const report = sessionReportOf([caseReport()]);

  /** Answers execute, the session, the report and the comparison by URL. */
  function server(compare: () => Response, reportAnswer: () => Response = () => ok(report)) {
    return fakeFetch((request) => {
      const url = new URL(request.url);
      if (request.method === 'POST') return json(execution);
      if (url.pathname.endsWith('/report')) return reportAnswer();
      if (url.pathname.endsWith('/comparison')) return compare();
      return ok(done);
    });
  }

  it('sends iterations, then reads the report and the comparison with the baseline once the session is finished', async () => {
    const answer = comparison({ verdict: 'improved' });
    const { fetch, sent } = server(() => ok(answer));
    const result = await testClient(fetch).runSuite('suite-1', {
      targetAgentId: 'agent-1',
      iterations: 3,
      baseline: BASELINE,
      intervalMs: 1,
    });
    expect(sent.map((s) => `${s.request.method} ${s.request.url}`)).toEqual([
      'POST https://api.test/v2/simulation_suites/suite-1/execute?target_agent_id=agent-1&iterations=3',
      `GET ${base}/${SESSION}`,
      `GET ${base}/${SESSION}/report`,
      `GET ${base}/${SESSION}/comparison?baseline=${BASELINE}`,
    ]);
    expect(result).toEqual({ ...done, report, comparison: answer });
  });

  it('baseline last on a suite without an earlier finished session: comparison null, not an error', async () => {
    const { fetch, sent } = server(noBaseline);
    const result = await testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', baseline: 'last', intervalMs: 1 });
    expect(sent.at(-1)?.request.url).toBe(`${base}/${SESSION}/comparison?baseline=last`);
    expect(result.comparison).toBeNull();
    expect(result.report).toEqual(report);
    expect(result.simulations).toHaveLength(3);
  });

  it('an explicit baseline that is not found stays an error, as do the other refusals of the comparison', async () => {
    for (const answer of [noBaseline, () => apiError(422, 'validation_failed'), () => apiError(409, 'conflict')]) {
      const { fetch } = server(answer);
      const error = await testClient(fetch)
        .runSuite('suite-1', { targetAgentId: 'agent-1', baseline: BASELINE, intervalMs: 1 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimulationsApiError);
    }
    const { fetch } = server(() => apiError(409, 'conflict'));
    await expect(
      testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', baseline: 'last', intervalMs: 1 }),
    ).rejects.toMatchObject({
      status: 409,
    });
  });

  it('a server without reports (404 for the report of the session it just served): report null; another error rejects', async () => {
    const { fetch } = server(
      () => ok(comparison()),
      () => apiError(404, 'not_found'),
    );
    const result = await testClient(fetch).runSuite('suite-1', { targetAgentId: 'agent-1', intervalMs: 1 });
    expect(result).toEqual({ ...done, report: null, comparison: null });
    const failing = server(
      () => ok(comparison()),
      () => apiError(500, 'internal_error'),
    );
    await expect(testClient(failing.fetch).runSuite('suite-1', { targetAgentId: 'agent-1', intervalMs: 1 })).rejects.toMatchObject({
      status: 500,
    });
  });
});
