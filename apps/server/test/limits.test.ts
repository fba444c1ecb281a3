import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { CASES_PER_SUITE, CUSTOM_VARIABLES_BYTES, MAX_ITERATIONS, SIMULATIONS_PER_SESSION } from '../src/handlers/limits.js';
import { apiClient, raw, startTestServer, type ApiClient, type TestServer } from './support/server.js';

/** Issue 9, item 3: a suite, a session and a page of sessions are bounded. */
let server: TestServer;
let client: ApiClient;
let agentId: string;

beforeAll(async () => {
  server = await startTestServer({ engine: () => new QueueOnlyEngine() });
  client = apiClient(server.url, server.key);
  agentId = (await client.POST('/agents', { body: { name: 'Bounded', prompt: 'You help with orders and refunds.' } })).data!.response.id;
});
afterAll(() => server.stop());

const newSuite = async (name: string) => (await client.POST('/simulation_suites', { body: { name, model_id: agentId } })).data!.response.id;

const caseBody = (n: number, suite_id?: string | null) => ({
  name: `Case ${n}`,
  prompt: 'The caller asks where order 12345 is.',
  success_criteria: ['The agent gives a date'],
  call_success_type: 'all' as const,
  ...(suite_id === undefined ? {} : { suite_id }),
});

async function fill(suiteId: string, count: number) {
  for (let n = 0; n < count; n += 1) {
    const { response } = await client.POST('/simulation_cases', { body: caseBody(n, suiteId) });
    expect(response.status).toBe(200);
  }
}

const expectLimit = (result: { status: number; json: any }, field: string) => {
  expect(result.status).toBe(422);
  expect(result.json.error.code).toBe('validation_failed');
  expect(result.json.error.details).toEqual([
    expect.objectContaining({ location: 'body', field, message: expect.stringContaining(`(${CASES_PER_SUITE})`) }),
  ]);
};

describe('a suite holds at most 100 cases', () => {
  let full: string;
  beforeAll(async () => {
    full = await newSuite('Full');
    await fill(full, CASES_PER_SUITE);
  });

  it('creating one more in the full suite answers 422 on /suite_id and saves nothing', async () => {
    const result = await raw(`${server.url}/simulation_cases`, {
      method: 'POST',
      key: server.key,
      body: JSON.stringify(caseBody(101, full)),
    });
    expectLimit(result, '/suite_id');
    const listed = await client.GET('/simulation_cases', { params: { query: { suite_id: full, page_size: 1 } } });
    expect(listed.data!.response.pagination.total_records).toBe(CASES_PER_SUITE);
  });

  it('moving a case into the full suite answers 422; re-saving a case already in it does not', async () => {
    const loose = (await client.POST('/simulation_cases', { body: caseBody(0) })).data!.response.simulation_case.simulation_case_id;
    const moved = await raw(`${server.url}/simulation_cases/${loose}`, {
      method: 'PUT',
      key: server.key,
      body: JSON.stringify({ suite_id: full }),
    });
    expectLimit(moved, '/suite_id');
    const inside = (await client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: full } } })).data!.response.cases[0]!;
    const resaved = await client.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: inside.simulation_case_id } },
      body: { suite_id: full, name: 'Renamed' },
    });
    expect(resaved.response.status).toBe(200);
  });

  it('generation that would overflow the suite answers 422 before generating anything', async () => {
    const nearly = await newSuite('Nearly full');
    await fill(nearly, CASES_PER_SUITE - 2);
    const result = await raw(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      key: server.key,
      body: JSON.stringify({
        agent_id: agentId,
        suite_id: nearly,
        include_tests: ['angry_user', 'task_completion', 'script_compliance'],
        scenario_ids: [],
      }),
    });
    expect(result.status).toBe(422);
    expect(result.json.error.details[0].field).toBe('/suite_id');
    const suite = await client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: nearly } } });
    expect(suite.data!.response.cases).toHaveLength(CASES_PER_SUITE - 2);
  });

  it('the full suite still executes, into a session of 100 simulations', async () => {
    const executed = await client.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: full }, query: { target_agent_id: agentId } },
    });
    expect(executed.data!.total_cases).toBe(CASES_PER_SUITE);
  });
});

describe('a session holds at most 2,000 simulations, and a read of it embeds the oldest 100', () => {
  it('a full suite run 20 times fills a session; one more simulation answers 422 on /simulation_session_id', async () => {
    expect(SIMULATIONS_PER_SESSION).toBe(CASES_PER_SUITE * MAX_ITERATIONS);
    const suite = await newSuite('Session filler');
    await fill(suite, CASES_PER_SUITE);
    const executed = await client.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: suite }, query: { target_agent_id: agentId, iterations: MAX_ITERATIONS } },
    });
    expect(executed.data!.total_cases).toBe(CASES_PER_SUITE);
    const session = executed.data!.session_id;
    const caseId = (await client.POST('/simulation_cases', { body: caseBody(0) })).data!.response.simulation_case.simulation_case_id;
    const result = await raw(`${server.url}/simulations`, {
      method: 'POST',
      key: server.key,
      body: JSON.stringify({ simulation_case_id: caseId, target_agent_id: agentId, simulation_session_id: session }),
    });
    expect(result.status).toBe(422);
    expect(result.json.error.details).toEqual([
      expect.objectContaining({ field: '/simulation_session_id', message: expect.stringContaining(`(${SIMULATIONS_PER_SESSION})`) }),
    ]);
    const read = await client.GET('/simulations/session/{simulation_session_id}', {
      params: { path: { simulation_session_id: session! } },
    });
    const view = read.data!.response;
    expect(view.total_simulations).toBe(SIMULATIONS_PER_SESSION);
    expect(view.pending_simulations).toBe(SIMULATIONS_PER_SESSION);
    expect(view.simulations).toHaveLength(100);
    // Iteration by iteration: the oldest 100 are the first run of every case, in the suite's order.
    expect(view.simulations.map((s) => s.iteration)).toEqual(Array(100).fill(1));
    expect(new Set(view.simulations.map((s) => s.simulation_case_id)).size).toBe(CASES_PER_SUITE);
    const all = await client.GET('/simulations', { params: { query: { simulation_session_id: session!, page_size: 1 } } });
    expect(all.data!.response.pagination.total_records).toBe(SIMULATIONS_PER_SESSION);
  });

  it('starting more iterations than the session has room for answers 422 and starts none of them', async () => {
    const suite = await newSuite('Nearly full session');
    await fill(suite, 99);
    const session = (
      await client.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suite }, query: { target_agent_id: agentId, iterations: MAX_ITERATIONS } },
      })
    ).data!.session_id!;
    const caseId = (await client.POST('/simulation_cases', { body: caseBody(1) })).data!.response.simulation_case.simulation_case_id;
    const start = (iterations: number) =>
      raw(`${server.url}/simulations`, {
        method: 'POST',
        key: server.key,
        body: JSON.stringify({ simulation_case_id: caseId, target_agent_id: agentId, simulation_session_id: session, iterations }),
      });
    const total = async () =>
      (await client.GET('/simulations', { params: { query: { simulation_session_id: session, page_size: 1 } } })).data!.response.pagination
        .total_records;
    expect((await start(MAX_ITERATIONS - 1)).status).toBe(200);
    expect(await total()).toBe(SIMULATIONS_PER_SESSION - 1);
    const over = await start(2);
    expect(over.status).toBe(422);
    expect(over.json.error.details).toEqual([
      expect.objectContaining({ field: '/simulation_session_id', message: expect.stringContaining('2 more would exceed') }),
    ]);
    expect(await total()).toBe(SIMULATIONS_PER_SESSION - 1);
    expect((await start(1)).status).toBe(200);
    expect(await total()).toBe(SIMULATIONS_PER_SESSION);
  });
});

describe('custom variables are at most 16 KiB as JSON', () => {
  it('a run with more answers 422 on /custom_variables; at the limit it starts', async () => {
    const caseId = (await client.POST('/simulation_cases', { body: caseBody(8) })).data!.response.simulation_case.simulation_case_id;
    // {"v":"…"} is 8 bytes around the value
    const at = { v: 'x'.repeat(CUSTOM_VARIABLES_BYTES - 8) };
    const over = { v: 'x'.repeat(CUSTOM_VARIABLES_BYTES - 7) };
    const send = (custom_variables: object) =>
      raw(`${server.url}/simulations`, {
        method: 'POST',
        key: server.key,
        body: JSON.stringify({ simulation_case_id: caseId, target_agent_id: agentId, custom_variables }),
      });
    const refused = await send(over);
    expect(refused.status).toBe(422);
    expect(refused.json.error.details).toEqual([expect.objectContaining({ field: '/custom_variables' })]);
    expect((await send(at)).status).toBe(200);
  });
});

describe('a page of sessions embeds summaries', () => {
  it('without timelines, copies of the case, variables or verdicts, which a read of one session has', async () => {
    const caseId = (await client.POST('/simulation_cases', { body: caseBody(7) })).data!.response.simulation_case.simulation_case_id;
    const started = (
      await client.POST('/simulations', {
        body: { simulation_case_id: caseId, target_agent_id: agentId, custom_variables: { name: 'Dana' } },
      })
    ).data!.response;
    // Queued runs have an empty timeline; give this one a conversation to leave out.
    await server.storage.simulations.appendTimeline(
      started.simulation_id,
      [
        {
          sender_type: 'persona',
          value: 'Where is my order?',
          type: 'message',
          timestamp: '0.0',
          timestamp_datetime: new Date().toISOString(),
        },
      ],
      new Date().toISOString(),
    );
    const page = await client.GET('/simulations/sessions', { params: { query: { page_size: 1 } } });
    const listed = page.data!.response.items[0]!;
    expect(listed.simulation_session_id).toBe(started.simulation_session_id);
    expect(listed.simulations[0]).toMatchObject({
      simulation_id: started.simulation_id,
      simulation_case_name: 'Case 7',
      status: 'in-progress',
      timeline: null,
      simulation_case_prompt: null,
      success_criteria: null,
      custom_variables: null,
      success_criteria_analysis: null,
    });
    const one = await client.GET('/simulations/session/{simulation_session_id}', {
      params: { path: { simulation_session_id: started.simulation_session_id } },
    });
    expect(one.data!.response.simulations[0]!.timeline).toHaveLength(1);
    expect(one.data!.response.simulations[0]).toMatchObject({
      simulation_case_prompt: 'The caller asks where order 12345 is.',
      success_criteria: ['The agent gives a date'],
      custom_variables: { name: 'Dana' },
    });
  });
});
