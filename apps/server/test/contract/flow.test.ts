import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { SpecValidator } from '@sims/testkit';
import { responseProblems } from '../support/strict-spec.js';

/**
 * Every operation of the spec, against the real server behind `prism proxy --errors`: Prism rejects a
 * request that breaks the spec with 422 and turns a response that breaks it into a 500 carrying
 * `sl-violations`. So each assertion below also proves the exchange was valid.
 */
const spec = new SpecValidator();
const seen = new Set<string>();
const violations: string[] = [];

const byPath = new Map(spec.operations().map((op) => [`${op.method.toUpperCase()} ${op.path}`, op.operationId]));
const recorder: Middleware = {
  async onResponse({ request, schemaPath, response }) {
    const operationId = byPath.get(`${request.method} ${schemaPath}`) ?? `unknown ${request.method} ${schemaPath}`;
    seen.add(operationId);
    const header = response.headers.get('sl-violations');
    const where = `${request.method} ${schemaPath} → ${response.status}`;
    if (header || response.status >= 500) violations.push(`${where} ${header ?? ''}`);
    const text = await response.clone().text();
    // Prism checks types and required fields; this also refuses fields the spec does not declare.
    const problems = responseProblems(operationId, response.status, text ? JSON.parse(text) : undefined);
    if (problems.length) violations.push(`${where}: ${problems.join('; ')}`);
    return undefined;
  },
};

function client(key: string | undefined) {
  const c = createClient<paths>({ baseUrl: inject('apiUrl'), headers: key ? { Authorization: `Bearer ${key}` } : {} });
  c.use(recorder);
  return c;
}

const api = () => client(inject('apiKey'));
let agentId = '';
let suiteId = '';
let caseId = '';
let scenarioId = '';
let sessionId = '';
let simulationId = '';

beforeAll(async () => {
  const agent = await api().POST('/agents', {
    body: { name: 'Contract agent', prompt: 'You answer questions about orders.', connector: { kind: 'builtin' } },
  });
  expect(agent.response.status).toBe(200);
  agentId = agent.data!.response.id;
});

afterAll(() => {
  expect(violations).toEqual([]);
});

describe('the real server through prism proxy --errors', () => {
  it('answers health without a key', async () => {
    const { data, response } = await client(undefined).GET('/health');
    expect(response.status).toBe(200);
    expect(data?.status).toBe('ok');
  });

  it('manages agents', async () => {
    const c = api();
    const list = await c.GET('/agents', { params: { query: { page_size: 5, search: 'contract' } } });
    expect(list.data?.response.items.map((a) => a.id)).toContain(agentId);
    expect((await c.GET('/agents/{agent_id}', { params: { path: { agent_id: agentId } } })).data?.response.name).toBe('Contract agent');
    const updated = await c.PUT('/agents/{agent_id}', {
      params: { path: { agent_id: agentId } },
      body: { avatar_url: 'https://example.com/a.png' },
    });
    expect(updated.data?.response.avatar_url).toBe('https://example.com/a.png');
    const spare = (await c.POST('/agents', { body: { name: 'Spare', prompt: 'p' } })).data!.response;
    expect(spare.signing_secret).toMatch(/^whsec_/);
    const rotated = await c.POST('/agents/{agent_id}/rotate_signing_secret', { params: { path: { agent_id: spare.id } } });
    expect(rotated.response.status).toBe(200);
    expect(rotated.data?.response.agent_id).toBe(spare.id);
    expect(rotated.data?.response.signing_secret).not.toBe(spare.signing_secret);
    expect((await c.DELETE('/agents/{agent_id}', { params: { path: { agent_id: spare.id } } })).response.status).toBe(204);
    expect((await c.GET('/agents/{agent_id}', { params: { path: { agent_id: spare.id } } })).response.status).toBe(404);
  });

  it('manages suites, cases and scenarios', async () => {
    const c = api();
    const suite = await c.POST('/simulation_suites', { body: { name: 'Contract suite', model_id: agentId, language: 'en-US' } });
    expect(suite.response.status).toBe(200);
    suiteId = suite.data!.response.id;
    const created = await c.POST('/simulation_cases', {
      body: {
        name: 'Refund',
        prompt: 'You want a refund for order {{order_id}}.',
        success_criteria: ['Agent offered a refund'],
        call_success_type: 'all',
        suite_id: suiteId,
        base_agent_id: agentId,
        type: 'custom',
      },
    });
    expect(created.response.status).toBe(200);
    caseId = created.data!.response.simulation_case.simulation_case_id;
    expect(created.data!.response.simulation_case.base_agent?.model_id).toBe(agentId);

    expect(
      (await c.GET('/simulation_cases', { params: { query: { suite_id: suiteId, simulation_case_type: 'custom', search: 'ref' } } })).data
        ?.response.items,
    ).toHaveLength(1);
    expect(
      (await c.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: caseId } } })).data?.response.name,
    ).toBe('Refund');
    const renamed = await c.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: caseId } },
      body: { name: 'Refund request' },
    });
    expect(renamed.data?.response.name).toBe('Refund request');
    expect(
      (await c.GET('/simulation_cases/by_agent', { params: { query: { agent_id: agentId } } })).data?.response.map(
        (x) => x.simulation_case_id,
      ),
    ).toContain(caseId);

    expect(
      (await c.GET('/simulation_suites', { params: { query: { model_ids: [agentId], page_size: 100 } } })).data?.response.items[0]
        ?.case_summaries,
    ).toHaveLength(1);
    expect((await c.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).data?.response.cases).toHaveLength(
      1,
    );
    expect(
      (await c.PUT('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } }, body: { name: 'Renamed suite' } })).data
        ?.response.name,
    ).toBe('Renamed suite');

    const scenario = await c.POST('/simulation_scenarios', {
      body: { name: 'Changes mind', description: 'The caller changes the request half-way.' },
    });
    scenarioId = scenario.data!.response.id;
    expect(
      (await c.GET('/simulation_scenarios', { params: { query: { search: 'mind', start_date: '2000-01-01T00:00:00Z' } } })).data?.response
        .total,
    ).toBeGreaterThanOrEqual(1);
    expect((await c.GET('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: scenarioId } } })).data?.response.id).toBe(
      scenarioId,
    );
    expect(
      (
        await c.PUT('/simulation_scenarios/{scenario_id}', {
          params: { path: { scenario_id: scenarioId } },
          body: { description: 'Twice.' },
        })
      ).data?.response.description,
    ).toBe('Twice.');
  });

  it('generates cases as an NDJSON stream', async () => {
    const response = await fetch(`${inject('apiUrl')}/simulation_cases/generate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'contract-generate' },
      body: JSON.stringify({
        agent_id: agentId,
        suite_id: suiteId,
        include_tests: ['task_completion', 'angry_user'],
        scenario_ids: [scenarioId],
      }),
    });
    seen.add('generateSimulationCases');
    expect(response.status, response.headers.get('sl-violations') ?? '').toBe(200);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    for (const line of lines) expect(spec.validateSchema('SimulationCaseGenerateEvent', line)).toEqual([]);
    expect(lines.filter((l) => l.type === 'case')).toHaveLength(3);
    expect(lines.at(-1)?.type).toBe('done');
  });

  it('starts work and reads sessions and simulations', async () => {
    const c = api();
    const executed = await c.POST('/simulation_suites/{suite_id}/execute', {
      params: {
        path: { suite_id: suiteId },
        query: { target_agent_id: agentId, max_turns: 30 },
        header: { 'Idempotency-Key': 'contract-execute' },
      },
    });
    expect(executed.response.status).toBe(200);
    expect(executed.data).toMatchObject({ suite_id: suiteId, total_cases: 4, status: 'started' });
    sessionId = executed.data!.session_id;

    const started = await c.POST('/simulations', {
      body: {
        simulation_case_id: caseId,
        target_agent_id: agentId,
        simulation_session_id: sessionId,
        custom_variables: { order_id: '42' },
        max_turns: 10,
      },
    });
    expect(started.response.status).toBe(200);
    simulationId = started.data!.response.simulation_id;
    expect(started.data!.response).toMatchObject({
      status: 'in-progress',
      started_at: null,
      max_turns: 10,
      simulation_case_name: 'Refund request',
    });

    // The real engine runs them (builtin agent, offline persona): wait until the session is done;
    // every read on the way, with partial timelines, goes through Prism's validation too.
    let session = await c.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: sessionId } } });
    expect(session.data?.response.total_simulations).toBe(5);
    for (let i = 0; i < 600 && session.data!.response.pending_simulations > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      session = await c.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: sessionId } } });
    }
    const done = session.data!.response;
    expect(done).toMatchObject({ total_simulations: 5, pending_simulations: 0 });
    expect(done.completed_simulations + done.failed_simulations).toBe(5);
    for (const s of done.simulations) {
      expect(s.started_at).not.toBeNull();
      expect(s.finished_at).not.toBeNull();
      expect(s.timeline!.length).toBeGreaterThan(0);
    }
    expect(
      (await c.GET('/simulations/sessions', { params: { query: { target_agent_id: agentId } } })).data?.response.items[0]
        ?.simulation_session_id,
    ).toBe(sessionId);
    const list = await c.GET('/simulations', { params: { query: { simulation_session_id: sessionId, page_size: 2, page_number: 2 } } });
    expect(list.data?.response.pagination).toEqual({ total_records: 5, limit: 2, offset: 2 });
    expect(
      (await c.GET('/simulations', { params: { query: { simulation_session_id: sessionId, status: 'in-progress' } } })).data?.response
        .pagination.total_records,
    ).toBe(0);
    expect(
      (await c.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulationId } } })).data?.response.custom_variables,
    ).toEqual({ order_id: '42' });
  });

  it('reports sessions and compares one with the last finished session of its suite', async () => {
    const c = api();
    const first = await c.GET('/simulations/session/{simulation_session_id}/report', {
      params: { path: { simulation_session_id: sessionId } },
    });
    expect(first.data?.response).toMatchObject({ simulation_session_id: sessionId, finished: true, total_simulations: 5 });
    expect(first.data!.response.cases.reduce((sum, r) => sum + r.runs, 0)).toBe(5);
    const none = await c.GET('/simulations/session/{simulation_session_id}/comparison', {
      params: { path: { simulation_session_id: sessionId } },
    });
    expect(none.response.status).toBe(404);

    const again = await c.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId, iterations: 2 } },
    });
    const head = again.data!.session_id;
    let pending = 1;
    for (let i = 0; i < 600 && pending > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const report = await c.GET('/simulations/session/{simulation_session_id}/report', {
        params: { path: { simulation_session_id: head } },
      });
      pending = report.data!.response.pending_simulations;
    }
    expect(pending).toBe(0);
    const compared = await c.GET('/simulations/session/{simulation_session_id}/comparison', {
      params: { path: { simulation_session_id: head }, query: { baseline: 'last' } },
    });
    expect(compared.data?.response).toMatchObject({ simulation_session_id: head, baseline_session_id: sessionId, suite_id: suiteId });
    expect(compared.data!.response.cases).toHaveLength(4);
    for (const entry of compared.data!.response.cases) expect(entry.head?.runs).toBe(2);
  });

  it('cancels a simulation and a session, and answers 409 once nothing is left to cancel', async () => {
    const c = api();
    // An agent slow enough (ten seconds an answer) that its runs are still in progress when cancelled.
    const slow = (
      await c.POST('/agents', { body: { name: 'Slow agent', prompt: 'p', connector: { kind: 'builtin', latency_ms: 10_000 } } })
    ).data!.response.id;
    const start = async () =>
      (await c.POST('/simulations', { body: { simulation_case_id: caseId, target_agent_id: slow } })).data!.response;
    const one = await start();
    const cancelled = await c.POST('/simulations/{simulation_id}/cancel', { params: { path: { simulation_id: one.simulation_id } } });
    expect(cancelled.response.status).toBe(200);
    expect(cancelled.data!.response).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });
    const again = await c.POST('/simulations/{simulation_id}/cancel', { params: { path: { simulation_id: one.simulation_id } } });
    expect(again.response.status).toBe(409);
    expect(again.error?.error.code).toBe('conflict');

    const two = await start();
    const path = { simulation_session_id: two.simulation_session_id };
    const stopped = await c.POST('/simulations/session/{simulation_session_id}/cancel', { params: { path } });
    expect(stopped.response.status).toBe(200);
    expect(stopped.data!.response).toMatchObject({
      cancelled_simulations: 1,
      total_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 0,
    });
    const read = await c.GET('/simulations/session/{simulation_session_id}', { params: { path } });
    expect(read.data!.response.cancelled_at).toBe(stopped.data!.response.cancelled_at);
    expect((await c.POST('/simulations/session/{simulation_session_id}/cancel', { params: { path } })).response.status).toBe(409);
  });

  it('manages webhook endpoints, their delivery log and redelivery', async () => {
    const c = api();
    // Only session.cancelled, deleted at the end of this test: the one delivery below is all it ever gets.
    const created = await c.POST('/webhook_endpoints', {
      body: { url: 'https://hooks.example.org/contract', event_types: ['session.cancelled'], description: 'Contract' },
    });
    expect(created.response.status).toBe(200);
    const endpoint_id = created.data!.response.endpoint.id;
    expect(created.data!.response.secret).toMatch(/^whsec_/);
    const path = { endpoint_id };
    expect((await c.GET('/webhook_endpoints', { params: { query: { page_size: 5 } } })).data?.response.items.map((e) => e.id)).toContain(
      endpoint_id,
    );
    expect((await c.GET('/webhook_endpoints/{endpoint_id}', { params: { path } })).data?.response.description).toBe('Contract');
    const refused = await c.POST('/webhook_endpoints', { body: { url: 'http://127.0.0.1/hooks' } });
    expect(refused.response.status).toBe(422);

    // A session cancelled: its session.cancelled event is in the endpoint's log.
    const slow = (
      await c.POST('/agents', { body: { name: 'Slow hook agent', prompt: 'p', connector: { kind: 'builtin', latency_ms: 10_000 } } })
    ).data!.response.id;
    const run = (await c.POST('/simulations', { body: { simulation_case_id: caseId, target_agent_id: slow } })).data!.response;
    const cancelled = await c.POST('/simulations/session/{simulation_session_id}/cancel', {
      params: { path: { simulation_session_id: run.simulation_session_id } },
    });
    expect(cancelled.response.status).toBe(200);
    const log = await c.GET('/webhook_endpoints/{endpoint_id}/deliveries', { params: { path, query: { page_size: 10 } } });
    expect(log.data!.response.items.map((d) => d.event_type)).toEqual(['session.cancelled']);
    const delivery_id = log.data!.response.items[0]!.id;
    const redelivered = await c.POST('/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
      params: { path: { endpoint_id, delivery_id } },
    });
    expect(redelivered.data?.response).toMatchObject({ id: delivery_id, status: 'pending', attempt_count: 0 });

    const disabled = await c.PUT('/webhook_endpoints/{endpoint_id}', { params: { path }, body: { enabled: false } });
    expect(disabled.data?.response).toMatchObject({ enabled: false, disabled_reason: 'Disabled by updateWebhookEndpoint.' });
    const conflict = await c.POST('/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
      params: { path: { endpoint_id, delivery_id } },
    });
    expect(conflict.response.status).toBe(409);
    const rotated = await c.POST('/webhook_endpoints/{endpoint_id}/rotate_secret', { params: { path } });
    expect(rotated.data?.response.secret).not.toBe(created.data!.response.secret);
    expect((await c.DELETE('/webhook_endpoints/{endpoint_id}', { params: { path } })).response.status).toBe(204);
    expect((await c.GET('/webhook_endpoints/{endpoint_id}/deliveries', { params: { path } })).response.status).toBe(404);
  });

  it('answers the declared errors', async () => {
    const c = api();
    expect((await c.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: 'missing' } } })).error?.error.code).toBe(
      'not_found',
    );
    const mismatch = await c.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: suiteId }, query: { target_agent_id: 'another-agent' } },
    });
    expect(mismatch.response.status).toBe(422);
    const empty = (await c.POST('/simulation_suites', { body: { name: 'Empty', model_id: agentId } })).data!.response.id;
    expect(
      (
        await c.POST('/simulation_suites/{suite_id}/execute', {
          params: { path: { suite_id: empty }, query: { target_agent_id: agentId } },
        })
      ).response.status,
    ).toBe(409);
    const reused = await c.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: empty }, query: { target_agent_id: agentId }, header: { 'Idempotency-Key': 'contract-execute' } },
    });
    expect(reused.error?.error.code).toBe('conflict');
    const wrongKey = await client('sk_not_a_key').GET('/simulation_suites');
    expect(wrongKey.error?.error.code).toBe('unauthorized');
    expect((await c.GET('/simulation_cases/by_agent', { params: { query: { agent_id: 'nobody' } } })).response.status).toBe(404);
  });

  it('imports a recorded call as a case, and its replay records where the agent departed from the recording', async () => {
    const c = api();
    const replays = (await c.POST('/simulation_suites', { body: { name: 'Replays', model_id: agentId } })).data!.response.id;
    const imported = await c.POST('/simulation_cases/import', {
      params: { header: { 'Idempotency-Key': 'contract-import' } },
      body: {
        suite_id: replays,
        format: 'messages',
        conversation: [
          { role: 'assistant', content: 'Good morning, pharmacy desk.' },
          { role: 'user', content: 'Where is order 12345?' },
          {
            role: 'assistant',
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"12345"}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: '{"status":"shipped"}' },
          { role: 'assistant', content: 'It has shipped.' },
        ],
        success_criteria: ['Agent told the caller the order status'],
      },
    });
    expect(imported.response.status).toBe(201);
    expect(imported.data!.response.import).toEqual({
      format: 'messages',
      caller_turns: 1,
      agent_turns: 2,
      tool_calls: 1,
      criteria_source: 'given',
    });
    const recorded = imported.data!.response.simulation_case;
    expect(recorded).toMatchObject({
      caller_turns: ['Where is order 12345?'],
      expected_agent_turns: ['Good morning, pharmacy desk.', 'It has shipped.'],
      checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } }],
      tool_mocks: [{ name: 'lookup_order', arguments: { order_id: '12345' }, result: '{"status":"shipped"}' }],
    });
    const unreadable = await c.POST('/simulation_cases/import', {
      body: { suite_id: replays, conversation: 'Recorded Monday\nCaller: Hi', success_criteria: ['x'] },
    });
    expect(unreadable.response.status).toBe(422);
    expect(unreadable.error?.error.details).toEqual([
      { location: 'body', field: '/conversation', message: 'line 1: no "Caller:" or "Agent:" prefix, and no turn above it to continue' },
    ]);

    // The builtin agent greets otherwise than the recording: the replay diverges at reply 1.
    const started = await c.POST('/simulations', { body: { simulation_case_id: recorded.simulation_case_id, target_agent_id: agentId } });
    const path = { simulation_id: started.data!.response.simulation_id };
    let run = (await c.GET('/simulations/{simulation_id}', { params: { path } })).data!.response;
    for (let i = 0; i < 600 && run.status === 'in-progress'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = (await c.GET('/simulations/{simulation_id}', { params: { path } })).data!.response;
    }
    expect(run.status).toBe('completed');
    expect(run.divergence).toMatchObject({ turn: 1, expected: 'Good morning, pharmacy desk.', similarity: 0 });
    expect(run.timeline?.filter((e) => e.type === 'divergence')).toHaveLength(1);
    expect(run.timeline?.filter((e) => e.sender_type === 'persona' && e.type === 'message').map((e) => e.value)).toEqual([
      'Where is order 12345?',
    ]);
  });

  it('deletes, keeping run history', async () => {
    const c = api();
    expect(
      (await c.DELETE('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: caseId } } })).response.status,
    ).toBe(204);
    expect((await c.DELETE('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: scenarioId } } })).response.status).toBe(
      204,
    );
    expect((await c.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).response.status).toBe(204);
    const kept = await c.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulationId } } });
    expect(kept.data?.response).toMatchObject({ simulation_case_id: caseId, simulation_case_name: 'Refund request' });
  });

  it('exercised every operation of the spec, with no violation', () => {
    expect([...seen].sort()).toEqual(
      spec
        .operations()
        .map((op) => op.operationId)
        .sort(),
    );
    expect(violations).toEqual([]);
  });
});
