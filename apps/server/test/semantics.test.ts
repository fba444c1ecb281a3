import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { apiClient, raw, seed, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';

/**
 * The behaviour of the reference API and of the decisions in spec/README.md. Runs stay queued here
 * (QueueOnlyEngine), so that counters and filters are exact; test/engine.test.ts runs them for real.
 */
let server: TestServer;
let api: ApiClient;

beforeAll(async () => {
  server = await startTestServer({ engine: () => new QueueOnlyEngine() });
  api = apiClient(server.url, server.key);
});
afterAll(() => server.stop());

const newAgent = async (name = 'Agent') => (await api.POST('/agents', { body: { name, prompt: 'You help callers.' } })).data!.response.id;

describe('paging', () => {
  it('pages in the items + total shape, newest first', async () => {
    for (const name of ['Paging one', 'Paging two', 'Paging three'])
      await api.POST('/simulation_scenarios', { body: { name, description: 'd' } });
    const first = (await api.GET('/simulation_scenarios', { params: { query: { search: 'paging', page_size: 2 } } })).data!.response;
    expect(first).toMatchObject({ total: 3, page_number: 1, page_size: 2 });
    expect(first.items.map((s) => s.name)).toEqual(['Paging three', 'Paging two']);
    const second = (await api.GET('/simulation_scenarios', { params: { query: { search: 'paging', page_size: 2, page_number: 2 } } })).data!
      .response;
    expect(second.items.map((s) => s.name)).toEqual(['Paging one']);
    const beyond = (await api.GET('/simulation_scenarios', { params: { query: { search: 'paging', page_number: 9 } } })).data!.response;
    expect(beyond).toMatchObject({ items: [], total: 3, page_number: 9, page_size: 10 });
  });

  it('pages in the pagination shape with limit and offset', async () => {
    const { suiteId } = await seed(api, 3);
    const page = (await api.GET('/simulation_cases', { params: { query: { suite_id: suiteId, page_size: 2, page_number: 2 } } })).data!
      .response;
    expect(page.pagination).toEqual({ total_records: 3, limit: 2, offset: 2 });
    expect(page.items.map((c) => c.name)).toEqual(['Case 1']);
  });
});

describe('filters', () => {
  it('searches names case-insensitively, also beyond ASCII', async () => {
    await api.POST('/simulation_scenarios', { body: { name: 'Ärger am Telefon', description: 'd' } });
    expect((await api.GET('/simulation_scenarios', { params: { query: { search: 'ÄRGER' } } })).data!.response.total).toBe(1);
    expect((await api.GET('/simulation_scenarios', { params: { query: { search: 'nothing like this' } } })).data!.response.total).toBe(0);
  });

  it('bounds created_at inclusively with start_date and end_date, in any offset', async () => {
    const created = (await api.POST('/simulation_scenarios', { body: { name: 'Dated', description: 'd' } })).data!.response;
    const at = created.created_at;
    const query = (q: Record<string, string>) => api.GET('/simulation_scenarios', { params: { query: { search: 'Dated', ...q } } });
    expect((await query({ start_date: at, end_date: at })).data!.response.total).toBe(1);
    expect((await query({ start_date: new Date(Date.parse(at) + 1).toISOString() })).data!.response.total).toBe(0);
    expect((await query({ end_date: new Date(Date.parse(at) - 1).toISOString() })).data!.response.total).toBe(0);
    const shifted = new Date(Date.parse(at)).toISOString().replace('Z', '+00:00');
    expect((await query({ start_date: shifted })).data!.response.total).toBe(1);
  });

  it('filters suites by several model_ids', async () => {
    const [a, b, c] = [await newAgent('A'), await newAgent('B'), await newAgent('C')];
    for (const model_id of [a, b, c]) await api.POST('/simulation_suites', { body: { name: `Suite of ${model_id}`, model_id } });
    const found = (await api.GET('/simulation_suites', { params: { query: { model_ids: [a, c] } } })).data!.response;
    expect(found.items.map((s) => s.model_id).sort()).toEqual([a, c].sort());
    expect((await api.GET('/simulation_suites', { params: { query: { model_ids: [`${a},${c}`] } } })).data!.response.total).toBe(0);
  });

  it('filters cases by type and suite', async () => {
    const { suiteId } = await seed(api, 1);
    await api.POST('/simulation_cases', {
      body: { name: 'Agent based', prompt: 'p', success_criteria: ['c'], call_success_type: 'any', type: 'agent_based', suite_id: suiteId },
    });
    const typed = (await api.GET('/simulation_cases', { params: { query: { suite_id: suiteId, simulation_case_type: 'agent_based' } } }))
      .data!.response;
    expect(typed.items.map((c) => c.name)).toEqual(['Agent based']);
    expect(
      (await api.GET('/simulation_cases', { params: { query: { suite_id: suiteId, simulation_case_type: 'custom' } } })).data!.response
        .pagination.total_records,
    ).toBe(1);
  });

  it('filters simulations and sessions by status, agent and session', async () => {
    const { agentId, suiteId } = await seed(api, 2);
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
      })
    ).data!;
    const list = (q: Record<string, string>) => api.GET('/simulations', { params: { query: q } });
    expect((await list({ simulation_session_id: session_id })).data!.response.pagination.total_records).toBe(2);
    expect((await list({ simulation_session_id: session_id, status: 'completed' })).data!.response.items).toEqual([]);
    expect((await list({ target_agent_id: agentId })).data!.response.pagination.total_records).toBe(2);
    const sessions = (await api.GET('/simulations/sessions', { params: { query: { target_agent_id: agentId } } })).data!.response;
    expect(sessions.items.map((s) => s.simulation_session_id)).toEqual([session_id]);
    expect(
      (await api.GET('/simulations/sessions', { params: { query: { start_date: '2999-01-01T00:00:00Z' } } })).data!.response.items,
    ).toEqual([]);
  });
});

describe('cases, suites and agents', () => {
  it('lists by_agent the cases based on the agent and the cases of its suites', async () => {
    const { agentId, caseIds } = await seed(api, 2);
    const other = await newAgent('Other');
    const based = (
      await api.POST('/simulation_cases', {
        body: { name: 'Based', prompt: 'p', success_criteria: ['c'], call_success_type: 'all', base_agent_id: agentId },
      })
    ).data!.response.simulation_case;
    expect(based.base_agent).toMatchObject({
      model_id: agentId,
      agent_name: 'Acme Support',
      voice_engine_type: 'builtin',
      agent_type: 'inbound',
    });
    const listed = (await api.GET('/simulation_cases/by_agent', { params: { query: { agent_id: agentId } } })).data!.response;
    expect(listed.map((c) => c.simulation_case_id)).toEqual([based.simulation_case_id, ...[...caseIds].reverse()]);
    expect((await api.GET('/simulation_cases/by_agent', { params: { query: { agent_id: other } } })).data!.response).toEqual([]);
  });

  it('answers a suite with its cases oldest first and its agent', async () => {
    const { suiteId, caseIds, agentId } = await seed(api, 3);
    const suite = (await api.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).data!.response;
    expect(suite.cases.map((c) => c.simulation_case_id)).toEqual(caseIds);
    expect(suite.agent).toEqual({ id: agentId, name: 'Acme Support', avatar: null });
    expect(suite.language).toBe('en-US');
  });

  it('moves a case between suites and out of them', async () => {
    const { suiteId, caseIds, agentId } = await seed(api, 1);
    const target = (await api.POST('/simulation_suites', { body: { name: 'Target', model_id: agentId } })).data!.response.id;
    const path = { simulation_case_id: caseIds[0]! };
    expect(
      (await api.PUT('/simulation_cases/{simulation_case_id}', { params: { path }, body: { suite_id: target } })).data!.response.suite_id,
    ).toBe(target);
    expect(
      (await api.PUT('/simulation_cases/{simulation_case_id}', { params: { path }, body: { name: null } })).data!.response,
    ).toMatchObject({ suite_id: target, name: 'Case 1' });
    expect(
      (await api.PUT('/simulation_cases/{simulation_case_id}', { params: { path }, body: { suite_id: null } })).data!.response.suite_id,
    ).toBeNull();
    expect((await api.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).data!.response.cases).toEqual([]);
    expect(
      (await api.PUT('/simulation_cases/{simulation_case_id}', { params: { path }, body: { suite_id: 'nope' } })).response.status,
    ).toBe(404);
  });

  it('deleting a suite deletes its cases; runs keep their history', async () => {
    const { suiteId, caseIds, agentId } = await seed(api, 2);
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
      })
    ).data!;
    expect((await api.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).response.status).toBe(204);
    for (const id of caseIds)
      expect(
        (await api.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } } })).response.status,
      ).toBe(404);
    const session = (
      await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: session_id } } })
    ).data!.response;
    expect(session).toMatchObject({ suite_id: suiteId, total_simulations: 2 });
    expect(session.simulations.map((s) => s.simulation_case_name)).toEqual(['Case 1', 'Case 2']);
    expect((await api.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).response.status).toBe(404);
  });

  it('simulations keep the case as it was when they started', async () => {
    const { caseIds, agentId } = await seed(api, 1);
    const started = (await api.POST('/simulations', { body: { simulation_case_id: caseIds[0]!, target_agent_id: agentId } })).data!
      .response;
    await api.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: caseIds[0]! } },
      body: { name: 'Renamed', success_criteria: ['New'] },
    });
    await api.PUT('/agents/{agent_id}', { params: { path: { agent_id: agentId } }, body: { name: 'Renamed agent' } });
    const read = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: started.simulation_id } } })).data!
      .response;
    expect(read).toMatchObject({
      simulation_case_name: 'Case 1',
      success_criteria: ['Agent offered a refund'],
      agent_name: 'Acme Support',
      call_success_type: 'all',
    });
  });

  it('a deleted agent leaves suites unbound and unexecutable, cases unbased, runs intact', async () => {
    const { suiteId, agentId } = await seed(api, 1);
    const based = (
      await api.POST('/simulation_cases', {
        body: { name: 'B', prompt: 'p', success_criteria: ['c'], call_success_type: 'all', base_agent_id: agentId },
      })
    ).data!.response.simulation_case;
    await api.DELETE('/agents/{agent_id}', { params: { path: { agent_id: agentId } } });
    expect((await api.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).data!.response).toMatchObject({
      model_id: agentId,
      agent: null,
    });
    expect(
      (await api.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: based.simulation_case_id } } }))
        .data!.response.base_agent,
    ).toBeNull();
    const executed = await api.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
    });
    expect(executed.response.status).toBe(404);
    expect((await api.GET('/simulation_cases/by_agent', { params: { query: { agent_id: agentId } } })).response.status).toBe(404);
  });

  it('rebinding a suite moves execution to the new agent', async () => {
    const { suiteId, agentId } = await seed(api, 1);
    const next = await newAgent('Next');
    expect(
      (await api.PUT('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } }, body: { model_id: 'nobody' } })).response
        .status,
    ).toBe(404);
    const rebound = (
      await api.PUT('/simulation_suites/{suite_id}', {
        params: { path: { suite_id: suiteId } },
        body: { model_id: next, language: 'de-DE' },
      })
    ).data!.response;
    expect(rebound).toMatchObject({ model_id: next, language: 'de-DE', agent: { id: next, name: 'Next', avatar: null } });
    const old = await api.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
    });
    expect(old.response.status).toBe(422);
    expect(old.error!.error.details).toEqual([{ location: 'query', field: 'target_agent_id', message: expect.stringContaining(next) }]);
    expect(
      (
        await api.POST('/simulation_suites/{suite_id}/execute', {
          params: { path: { suite_id: suiteId }, query: { target_agent_id: next } },
        })
      ).response.status,
    ).toBe(200);
  });
});

describe('checks, caller turns and connectors', () => {
  it('stores checks and caller turns on create; update with null keeps them, [] clears, a new list replaces', async () => {
    const checks = [
      { kind: 'tool_called' as const, name: 'lookup_order', arguments: { order_id: '12345' } },
      { kind: 'turns_at_most' as const, max: 4 },
    ];
    const created = (
      await api.POST('/simulation_cases', {
        body: {
          name: 'Scripted',
          prompt: 'p',
          success_criteria: ['c'],
          call_success_type: 'all',
          checks,
          caller_turns: ['Hi', 'Bye [END_CALL]'],
        },
      })
    ).data!.response.simulation_case;
    expect(created).toMatchObject({ checks, caller_turns: ['Hi', 'Bye [END_CALL]'] });
    const path = { params: { path: { simulation_case_id: created.simulation_case_id } } };
    expect(
      (await api.PUT('/simulation_cases/{simulation_case_id}', { ...path, body: { name: 'Renamed', checks: null, caller_turns: null } }))
        .data!.response,
    ).toMatchObject({ name: 'Renamed', checks, caller_turns: ['Hi', 'Bye [END_CALL]'] });
    expect(
      (
        await api.PUT('/simulation_cases/{simulation_case_id}', {
          ...path,
          body: { checks: [{ kind: 'ended_by', side: 'agent' }], caller_turns: [] },
        })
      ).data!.response,
    ).toMatchObject({ checks: [{ kind: 'ended_by', side: 'agent' }], caller_turns: [] });
    const plain = (
      await api.POST('/simulation_cases', { body: { name: 'Plain', prompt: 'p', success_criteria: ['c'], call_success_type: 'any' } })
    ).data!.response.simulation_case;
    expect(plain).toMatchObject({ checks: [], caller_turns: [] });
  });

  it('replaces a connector as a whole and never reads secrets back', async () => {
    const id = (await api.POST('/agents', { body: { name: 'Con', prompt: 'p' } })).data!.response.id;
    const path = { params: { path: { agent_id: id } } };
    expect((await api.GET('/agents/{agent_id}', path)).data!.response.connector).toEqual({ kind: 'builtin' });
    const updated = (
      await api.PUT('/agents/{agent_id}', {
        ...path,
        body: { connector: { kind: 'http', url: 'https://agents.example.org/turn', headers: { Authorization: 'Bearer s3cret' } } },
      })
    ).data!.response;
    expect(updated.connector).toEqual({
      kind: 'http',
      url: 'https://agents.example.org/turn',
      header_names: ['Authorization'],
      timeout_ms: null,
    });
    const listed = (await api.GET('/agents', { params: { query: { search: 'Con' } } })).data!.response.items.find((a) => a.id === id)!;
    expect(JSON.stringify(listed)).not.toContain('s3cret');
    const back = (
      await api.PUT('/agents/{agent_id}', { ...path, body: { connector: { kind: 'builtin', builtin: 'shop_support', latency_ms: 5 } } })
    ).data!.response;
    expect(back.connector).toEqual({ kind: 'builtin', builtin: 'shop_support', latency_ms: 5 });
  });
});

describe('starting work', () => {
  it('executes a suite into a new session of queued simulations with max_turns', async () => {
    const { suiteId, agentId, caseIds } = await seed(api, 3);
    const executed = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId, max_turns: 35 } },
      })
    ).data!;
    expect(executed).toMatchObject({ suite_id: suiteId, suite_name: 'Support suite', total_cases: 3, status: 'started' });
    const session = (
      await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: executed.session_id } } })
    ).data!.response;
    expect(session).toMatchObject({
      total_simulations: 3,
      pending_simulations: 3,
      completed_simulations: 0,
      failed_simulations: 0,
      suite_id: suiteId,
      target_agent_id: agentId,
    });
    expect(session.simulations.map((s) => s.simulation_case_id)).toEqual(caseIds);
    for (const s of session.simulations)
      expect(s).toMatchObject({
        status: 'in-progress',
        started_at: null,
        finished_at: null,
        max_turns: 35,
        custom_variables: null,
        timeline: [],
      });
    const defaults = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
      })
    ).data!;
    const first = (await api.GET('/simulations', { params: { query: { simulation_session_id: defaults.session_id } } })).data!.response
      .items[0]!;
    expect(first.max_turns).toBe(20);
  });

  it('answers 409 for a suite without cases', async () => {
    const agentId = await newAgent();
    const suiteId = (await api.POST('/simulation_suites', { body: { name: 'Empty', model_id: agentId } })).data!.response.id;
    const executed = await api.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
    });
    expect(executed.response.status).toBe(409);
    expect(executed.error!.error.code).toBe('conflict');
  });

  it('adds a simulation to an existing session of the same agent only', async () => {
    const { suiteId, agentId, caseIds } = await seed(api, 1);
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
      })
    ).data!;
    const added = await api.POST('/simulations', {
      body: { simulation_case_id: caseIds[0]!, target_agent_id: agentId, simulation_session_id: session_id },
    });
    expect(added.data!.response.simulation_session_id).toBe(session_id);
    const other = await newAgent('Other');
    const refused = await api.POST('/simulations', {
      body: { simulation_case_id: caseIds[0]!, target_agent_id: other, simulation_session_id: session_id },
    });
    expect(refused.response.status).toBe(422);
    expect(
      (
        await api.POST('/simulations', {
          body: { simulation_case_id: caseIds[0]!, target_agent_id: agentId, simulation_session_id: 'nope' },
        })
      ).response.status,
    ).toBe(404);
    expect((await api.POST('/simulations', { body: { simulation_case_id: 'nope', target_agent_id: agentId } })).response.status).toBe(404);
    expect((await api.POST('/simulations', { body: { simulation_case_id: caseIds[0]!, target_agent_id: 'nope' } })).response.status).toBe(
      404,
    );
    const session = (
      await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: session_id } } })
    ).data!.response;
    expect(session.total_simulations).toBe(2);
  });

  it('hands every new simulation to the engine', async () => {
    const { suiteId, agentId, caseIds } = await seed(api, 2);
    const engine = server.engine as unknown as { submitted: readonly string[] };
    const before = engine.submitted.length;
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
      })
    ).data!;
    const single = (await api.POST('/simulations', { body: { simulation_case_id: caseIds[0]!, target_agent_id: agentId } })).data!.response;
    const ids = (await api.GET('/simulations', { params: { query: { simulation_session_id: session_id } } })).data!.response.items.map(
      (s) => s.simulation_id,
    );
    expect(engine.submitted.slice(before)).toEqual([...ids.reverse(), single.simulation_id]);
  });

  it('keeps session counters live as the engine records results', async () => {
    const { suiteId, agentId } = await seed(api, 3);
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
      })
    ).data!;
    const [a, b] = (await api.GET('/simulations', { params: { query: { simulation_session_id: session_id } } })).data!.response.items;
    const at = new Date().toISOString();
    await server.storage.simulations.markStarted(a!.simulation_id, at);
    await server.storage.simulations.appendTimeline(
      a!.simulation_id,
      [{ sender_type: 'persona', value: 'Hello', type: 'message', timestamp_datetime: at, timestamp: '0.00' }],
      at,
    );
    await server.storage.simulations.finish(
      a!.simulation_id,
      {
        status: 'completed',
        error_info: null,
        success_criteria_analysis: {
          success: true,
          evaluations: [{ success: true, reasoning: 'Offered a refund.', criterion: 'Agent offered a refund' }],
        },
      },
      at,
    );
    await server.storage.simulations.finish(
      b!.simulation_id,
      { status: 'failed', success_criteria_analysis: null, error_info: { code: 424, type: 'agent_error', message: 'No answer' } },
      at,
    );
    const session = await api.GET('/simulations/session/{simulation_session_id}', {
      params: { path: { simulation_session_id: session_id } },
    });
    expect(session.data!.response).toMatchObject({
      total_simulations: 3,
      completed_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 1,
    });
    expect(responseProblems('getSimulationSession', 200, session.data)).toEqual([]);
    const read = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: a!.simulation_id } } })).data!.response;
    expect(read).toMatchObject({ status: 'completed', started_at: at, finished_at: at, timeline: [{ value: 'Hello' }] });
    expect(
      (
        await api.GET('/simulations', { params: { query: { simulation_session_id: session_id, status: 'failed' } } })
      ).data!.response.items.map((s) => s.simulation_id),
    ).toEqual([b!.simulation_id]);
    const unfinished = await server.storage.simulations.listUnfinished(1000);
    expect(unfinished.map((s) => s.simulation_id)).not.toContain(a!.simulation_id);
  });
});

describe('idempotency', () => {
  it('replays the first answer of start, execute and generate', async () => {
    const { suiteId, agentId, caseIds } = await seed(api, 1);
    const body = JSON.stringify({ simulation_case_id: caseIds[0], target_agent_id: agentId });
    const first = await raw(`${server.url}/simulations`, {
      method: 'POST',
      key: server.key,
      body,
      headers: { 'Idempotency-Key': 'start-1' },
    });
    const again = await raw(`${server.url}/simulations`, {
      method: 'POST',
      key: server.key,
      body,
      headers: { 'Idempotency-Key': 'start-1' },
    });
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    const other = await raw(`${server.url}/simulations`, {
      method: 'POST',
      key: server.key,
      body,
      headers: { 'Idempotency-Key': 'start-2' },
    });
    expect(other.json.response.simulation_id).not.toBe(first.json.response.simulation_id);

    const execute = `${server.url}/simulation_suites/${suiteId}/execute?target_agent_id=${agentId}`;
    const e1 = await raw(execute, { method: 'POST', key: server.key, headers: { 'Idempotency-Key': 'exec-1' } });
    const e2 = await raw(execute, { method: 'POST', key: server.key, headers: { 'Idempotency-Key': 'exec-1' } });
    expect(e2.json.session_id).toBe(e1.json.session_id);
    const sessions = (await api.GET('/simulations/sessions', { params: { query: { target_agent_id: agentId } } })).data!.response.items;
    expect(sessions.filter((s) => s.suite_id === suiteId)).toHaveLength(1);

    const generate = JSON.stringify({ agent_id: agentId, include_tests: ['csat_score'], scenario_ids: [] });
    const g1 = await raw(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      key: server.key,
      body: generate,
      headers: { 'Idempotency-Key': 'gen-1' },
    });
    const g2 = await raw(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      key: server.key,
      body: generate,
      headers: { 'Idempotency-Key': 'gen-1' },
    });
    expect(g2.response.headers.get('content-type')).toContain('application/x-ndjson');
    expect(g2.text).toBe(g1.text);
    expect(
      (await api.GET('/simulation_cases/by_agent', { params: { query: { agent_id: agentId } } })).data!.response.filter(
        (c) => c.type === 'agent_based',
      ),
    ).toHaveLength(1);
  });

  it('refuses the same key with another request, and keys are per workspace', async () => {
    const { agentId, caseIds } = await seed(api, 2);
    const send = (caseId: string, key = server.key) =>
      raw(`${server.url}/simulations`, {
        method: 'POST',
        key,
        body: JSON.stringify({ simulation_case_id: caseId, target_agent_id: agentId }),
        headers: { 'Idempotency-Key': 'shared' },
      });
    expect((await send(caseIds[0]!)).status).toBe(200);
    const conflict = await send(caseIds[1]!);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ code: 'conflict', details: [{ location: 'header', field: 'Idempotency-Key' }] });
    expect(responseProblems('startSimulation', 409, conflict.json)).toEqual([]);
  });

  it('does not keep a key whose request failed, so a corrected retry runs', async () => {
    const { agentId } = await seed(api, 1);
    const body = JSON.stringify({ simulation_case_id: 'not-yet', target_agent_id: agentId });
    const failed = await raw(`${server.url}/simulations`, {
      method: 'POST',
      key: server.key,
      body,
      headers: { 'Idempotency-Key': 'retry-me' },
    });
    expect(failed.status).toBe(404);
    const again = await raw(`${server.url}/simulations`, {
      method: 'POST',
      key: server.key,
      body,
      headers: { 'Idempotency-Key': 'retry-me' },
    });
    expect(again.status).toBe(404);
  });
});

describe('operations', () => {
  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const echoed = await raw(`${server.url}/simulations/missing`, { key: server.key, headers: { 'X-Request-Id': 'trace-123' } });
    expect(echoed.response.headers.get('x-request-id')).toBe('trace-123');
    expect(echoed.json.error.request_id).toBe('trace-123');
    const made = await raw(`${server.url}/agents`, { key: server.key, headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(made.response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
  });

  it('serves health, the docs page and the bundled spec without a key', async () => {
    const health = await raw(`${server.url}/health`);
    expect(responseProblems('getHealth', 200, health.json)).toEqual([]);
    expect((await raw(`${server.origin}/health`)).json.status).toBe('ok');
    const docs = await fetch(`${server.origin}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('Simulations API');
    const openapi = (await raw(`${server.origin}/openapi.json`)).json;
    expect(openapi.paths['/agents']).toBeDefined();
  });
});
