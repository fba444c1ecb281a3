import { beforeAll, describe, expect, inject, it } from 'vitest';
import { formatErrors, SpecValidator } from '@sims/testkit';
import {
  createSimulationsClient,
  isAlreadyFinished,
  SimulationsApiError,
  unwrap,
  type SessionProgress,
  type SimulationsClient,
  type WebhookDelivery,
} from '../../src/index.js';

/**
 * The happy path of the whole API as a user walks it, each call using the ids answered by the ones
 * before: agent → suite → case → generated cases → scenario → webhook endpoint → execute → session →
 * simulation → lists → cancels → the endpoint's deliveries → deletes.
 * Every body is validated against the spec. It reads its server from `inject('apiUrl')`, so the same
 * file runs against the Prism mock (default) or a real server behind a Prism proxy
 * (`SIMS_CONTRACT_UPSTREAM`, see global-setup.ts); checks that need a server that keeps state run
 * only then (`apiStateful`).
 */

const spec = new SpecValidator();
let client: SimulationsClient;
let agentId: string;
let stateful: boolean;

/** Asserts a success answer of `operationId` and that its body is valid against the spec. */
function expectValid(operationId: string, result: { data?: unknown; error?: unknown; response: Response }, status = 200) {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.response.status).toBe(status);
  expect(result.response.headers.get('sl-violations')).toBeNull();
  expect(formatErrors(spec.validateResponse(operationId, status, result.data))).toBe('');
}

beforeAll(() => {
  client = createSimulationsClient({
    apiKey: inject('apiKey'),
    baseUrl: inject('apiUrl'),
    retry: { baseDelayMs: 50 },
    userAgent: 'sims-contract-flow',
  });
  stateful = inject('apiStateful');
});

describe.sequential('the contract flow through the client', () => {
  const ids = { suite: '', case: '', scenario: '', session: '', head: '', simulation: '', endpoint: '', generated: [] as string[] };
  let secret = '';

  it('getHealth', async () => {
    expectValid('getHealth', await client.GET('/health'));
  });

  it('createAgent, the agent under test', async () => {
    const result = await client.POST('/agents', {
      body: {
        name: 'Contract flow agent',
        prompt: 'You are the support agent of Acme. Help callers with refunds.',
        connector: { kind: 'builtin' },
      },
    });
    expectValid('createAgent', result);
    agentId = (await unwrap(result)).id;
    expect(agentId).toBeTruthy();
  });

  it('getAgent', async () => {
    const result = await client.GET('/agents/{agent_id}', { params: { path: { agent_id: agentId } } });
    expectValid('getAgent', result);
    if (stateful) expect((await unwrap(result)).id).toBe(agentId);
  });

  it('updateAgent', async () => {
    const result = await client.PUT('/agents/{agent_id}', {
      params: { path: { agent_id: agentId } },
      body: { agent_type: 'inbound', phone_number: null },
    });
    expectValid('updateAgent', result);
  });

  it('listAgents, through the paginator', async () => {
    const result = await client.GET('/agents', { params: { query: { page_size: 5 } } });
    expectValid('listAgents', result);
    const agents = [];
    for await (const item of client.paginate('/agents', { maxPages: 20 }).items()) agents.push(item);
    expect(agents.length).toBeGreaterThan(0);
    if (stateful) expect(agents.map((a) => a.id)).toContain(agentId);
  });

  it('createSimulationSuite', async () => {
    const result = await client.POST('/simulation_suites', { body: { name: 'Contract flow', model_id: agentId, language: 'en-US' } });
    expectValid('createSimulationSuite', result);
    ids.suite = (await unwrap(result)).id;
    expect(ids.suite).toBeTruthy();
  });

  it('createSimulationCase in the suite', async () => {
    const result = await client.POST('/simulation_cases', {
      body: {
        name: 'Refund request',
        prompt: 'You are a customer who wants a refund for order #12345.',
        type: 'custom',
        success_criteria: ['Agent acknowledged the refund request', 'Agent asked for order details'],
        call_success_type: 'all',
        suite_id: ids.suite,
        base_agent_id: agentId,
      },
    });
    expectValid('createSimulationCase', result);
    const created = (await unwrap(result)).simulation_case;
    ids.case = created.simulation_case_id;
    if (stateful) expect(created.suite_id).toBe(ids.suite);
  });

  it('getSimulationCase', async () => {
    const result = await client.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: ids.case } } });
    expectValid('getSimulationCase', result);
    if (stateful) expect((await unwrap(result)).simulation_case_id).toBe(ids.case);
  });

  it('updateSimulationCase', async () => {
    const result = await client.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: ids.case } },
      body: { name: 'Refund request (polite)', call_success_type: 'any' },
    });
    expectValid('updateSimulationCase', result);
    if (stateful) expect(await unwrap(result)).toMatchObject({ name: 'Refund request (polite)', call_success_type: 'any' });
  });

  it('listSimulationCases of the suite, through the paginator', async () => {
    const result = await client.GET('/simulation_cases', { params: { query: { suite_id: ids.suite, page_size: 10 } } });
    expectValid('listSimulationCases', result);
    const cases = [];
    for await (const item of client.paginate('/simulation_cases', { query: { suite_id: ids.suite }, pageSize: 10, maxPages: 5 }).items())
      cases.push(item);
    expect(cases.length).toBeGreaterThan(0);
    if (stateful) expect(cases.map((c) => c.simulation_case_id)).toContain(ids.case);
  });

  it('listSimulationCasesByAgent', async () => {
    const result = await client.GET('/simulation_cases/by_agent', { params: { query: { agent_id: agentId } } });
    expectValid('listSimulationCasesByAgent', result);
    if (stateful) expect((await unwrap(result)).map((c) => c.simulation_case_id)).toContain(ids.case);
  });

  it('generateSimulationCases, read as a stream of typed events', async () => {
    const events = [];
    for await (const event of client.generateCases({
      agent_id: agentId,
      suite_id: ids.suite,
      include_tests: ['angry_user'],
      scenario_ids: [],
    })) {
      expect(formatErrors(spec.validateSchema('SimulationCaseGenerateEvent', event))).toBe('');
      events.push(event);
    }
    const last = events.at(-1);
    expect(last?.type).toBe('done');
    if (last?.type === 'done') ids.generated = last.simulation_case_ids;
    const cases = events.flatMap((e) => (e.type === 'case' ? [e.simulation_case.simulation_case_id] : []));
    expect(ids.generated).toEqual(cases);
  });

  it('getSimulationSuite', async () => {
    const result = await client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: ids.suite } } });
    expectValid('getSimulationSuite', result);
    if (stateful) expect((await unwrap(result)).cases.map((c) => c.simulation_case_id)).toContain(ids.case);
  });

  it('updateSimulationSuite', async () => {
    const result = await client.PUT('/simulation_suites/{suite_id}', {
      params: { path: { suite_id: ids.suite } },
      body: { name: 'Contract flow (renamed)' },
    });
    expectValid('updateSimulationSuite', result);
    if (stateful) expect((await unwrap(result)).name).toBe('Contract flow (renamed)');
  });

  it('listSimulationSuites, through the paginator', async () => {
    const result = await client.GET('/simulation_suites', { params: { query: { model_ids: [agentId], page_size: 5 } } });
    expectValid('listSimulationSuites', result);
    const suites = [];
    for await (const page of client.paginate('/simulation_suites', { query: { model_ids: [agentId] }, maxPages: 5 }))
      suites.push(...page.items);
    expect(suites.length).toBeGreaterThan(0);
    if (stateful) expect(suites.map((s) => s.id)).toContain(ids.suite);
  });

  it('createSimulationScenario', async () => {
    const result = await client.POST('/simulation_scenarios', {
      body: { name: 'Wrong order number', description: 'The caller gives an order number that does not exist.' },
    });
    expectValid('createSimulationScenario', result);
    ids.scenario = (await unwrap(result)).id;
  });

  it('getSimulationScenario', async () => {
    const result = await client.GET('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: ids.scenario } } });
    expectValid('getSimulationScenario', result);
    if (stateful) expect((await unwrap(result)).id).toBe(ids.scenario);
  });

  it('updateSimulationScenario', async () => {
    const result = await client.PUT('/simulation_scenarios/{scenario_id}', {
      params: { path: { scenario_id: ids.scenario } },
      body: { description: 'The caller gives an order number of another customer.' },
    });
    expectValid('updateSimulationScenario', result);
  });

  it('listSimulationScenarios, through the paginator', async () => {
    const result = await client.GET('/simulation_scenarios', { params: { query: { search: 'order', page_size: 5 } } });
    expectValid('listSimulationScenarios', result);
    const scenarios = [];
    for await (const item of client.paginate('/simulation_scenarios', { query: { search: 'order' }, maxPages: 5 }).items())
      scenarios.push(item);
    if (stateful) expect(scenarios.map((s) => s.id)).toContain(ids.scenario);
  });

  it('createWebhookEndpoint for every event, before the suite runs so that its events are written for it; the secret shown once', async () => {
    const result = await client.POST('/webhook_endpoints', {
      body: { url: 'https://hooks.example.org/sims', description: 'Contract flow' },
    });
    expectValid('createWebhookEndpoint', result);
    const created = await unwrap(result);
    ids.endpoint = created.endpoint.id;
    secret = created.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    if (stateful) {
      expect(created.endpoint).toMatchObject({ url: 'https://hooks.example.org/sims', description: 'Contract flow', enabled: true });
      expect([...created.endpoint.event_types].sort()).toEqual([
        'session.cancelled',
        'session.completed',
        'simulation.completed',
        'simulation.failed',
      ]);
    }
  });

  it('executeSimulationSuite', async () => {
    const result = await client.POST('/simulation_suites/{suite_id}/execute', {
      params: {
        path: { suite_id: ids.suite },
        query: { target_agent_id: agentId, max_turns: 10 },
        header: { 'Idempotency-Key': `flow-${Date.now()}` },
      },
    });
    expectValid('executeSimulationSuite', result);
    const execution = await unwrap(result);
    expect(execution.status).toBe('started');
    ids.session = execution.session_id;
    if (stateful) expect(execution.suite_id).toBe(ids.suite);
  });

  it('getSimulationSession, then waitForSession until no simulation is pending', async () => {
    const result = await client.GET('/simulations/session/{simulation_session_id}', {
      params: { path: { simulation_session_id: ids.session } },
    });
    expectValid('getSimulationSession', result);
    const progress: SessionProgress[] = [];
    const session = await client.waitForSession(ids.session, {
      intervalMs: 500,
      timeoutMs: 10 * 60_000,
      onProgress: (p) => progress.push(p),
    });
    expect(session.pending_simulations).toBe(0);
    expect(session.total_simulations).toBe(session.completed_simulations + session.failed_simulations);
    expect(progress.at(-1)?.pending).toBe(0);
    expect(formatErrors(spec.validateSchema('SimulationSessionReadOut', session))).toBe('');
  });

  it('startSimulation of the case in that session', async () => {
    const result = await client.POST('/simulations', {
      body: {
        simulation_case_id: ids.case,
        target_agent_id: agentId,
        simulation_session_id: ids.session,
        max_turns: 10,
        custom_variables: { customer_name: 'Dana' },
      },
      params: { header: { 'Idempotency-Key': `flow-sim-${Date.now()}` } },
    });
    expectValid('startSimulation', result);
    const started = await unwrap(result);
    ids.simulation = started.simulation_id;
    if (stateful) expect(started).toMatchObject({ simulation_case_id: ids.case, simulation_session_id: ids.session });
  });

  it('getSimulation, then waitForSimulation until it ends', async () => {
    const result = await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: ids.simulation } } });
    expectValid('getSimulation', result);
    const statuses: string[] = [];
    const simulation = await client.waitForSimulation(ids.simulation, {
      intervalMs: 500,
      timeoutMs: 10 * 60_000,
      onProgress: (s) => statuses.push(s.status),
    });
    expect(['completed', 'failed']).toContain(simulation.status);
    expect(statuses.at(-1)).toBe(simulation.status);
    expect(formatErrors(spec.validateSchema('SimulationReadOut', simulation))).toBe('');
  });

  it('cancelSimulation and cancelSimulationSession: the mock answers them cancelled; a real server refuses both, the runs having finished', async () => {
    const simulation = await client.POST('/simulations/{simulation_id}/cancel', { params: { path: { simulation_id: ids.simulation } } });
    const session = await client.POST('/simulations/session/{simulation_session_id}/cancel', {
      params: { path: { simulation_session_id: ids.session } },
    });
    if (!stateful) {
      expectValid('cancelSimulation', simulation);
      expectValid('cancelSimulationSession', session);
      expect(await client.cancelSimulation(ids.simulation)).toMatchObject({
        status: 'failed',
        error_info: { code: 499, type: 'cancelled' },
      });
      const cancelled = await client.cancelSession(ids.session);
      expect(formatErrors(spec.validateSchema('SimulationSessionCancelOut', cancelled))).toBe('');
      expect(cancelled.pending_simulations).toBe(0);
      return;
    }
    // Both waited above until nothing was in progress: a cancel changes nothing and says so.
    for (const [operationId, result] of [
      ['cancelSimulation', simulation],
      ['cancelSimulationSession', session],
    ] as const) {
      expect(result.response.status).toBe(409);
      expect(formatErrors(spec.validateResponse(operationId, 409, result.error))).toBe('');
    }
    for (const cancel of [() => client.cancelSimulation(ids.simulation), () => client.cancelSession(ids.session)]) {
      const error = await cancel().catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 409, code: 'conflict' });
      expect(isAlreadyFinished(error)).toBe(true);
    }
  });

  it('listSimulations of the session, through the paginator', async () => {
    const result = await client.GET('/simulations', { params: { query: { simulation_session_id: ids.session, page_size: 10 } } });
    expectValid('listSimulations', result);
    const simulations = [];
    for await (const item of client.paginate('/simulations', { query: { simulation_session_id: ids.session }, maxPages: 5 }).items())
      simulations.push(item);
    expect(simulations.length).toBeGreaterThan(0);
    if (stateful) expect(simulations.map((s) => s.simulation_id)).toContain(ids.simulation);
  });

  it('listSimulationSessions, through the paginator', async () => {
    const result = await client.GET('/simulations/sessions', { params: { query: { target_agent_id: agentId, page_size: 10 } } });
    expectValid('listSimulationSessions', result);
    const sessions = [];
    for await (const item of client.paginate('/simulations/sessions', { query: { target_agent_id: agentId }, maxPages: 5 }).items())
      sessions.push(item);
    if (stateful) expect(sessions.map((s) => s.simulation_session_id)).toContain(ids.session);
  });

  it('getSimulationSessionReport, directly and through sessionReport', async () => {
    const result = await client.GET('/simulations/session/{simulation_session_id}/report', {
      params: { path: { simulation_session_id: ids.session } },
    });
    expectValid('getSimulationSessionReport', result);
    const report = await client.sessionReport(ids.session);
    expect(formatErrors(spec.validateSchema('SimulationSessionReport', report))).toBe('');
    if (stateful) expect(report).toMatchObject({ simulation_session_id: ids.session, finished: true });
  });

  it('runSuite executes the suite again with iterations and baseline last, and returns the session, its report and the comparison', async () => {
    const started: string[] = [];
    const session = await client.runSuite(ids.suite, {
      targetAgentId: agentId,
      maxTurns: 10,
      iterations: 2,
      baseline: 'last',
      intervalMs: 500,
      timeoutMs: 10 * 60_000,
      onStarted: (e) => started.push(e.session_id),
    });
    expect(started).toHaveLength(1);
    expect(session.pending_simulations).toBe(0);
    for (const simulation of session.simulations) expect(['completed', 'failed']).toContain(simulation.status);
    expect(formatErrors(spec.validateSchema('SimulationSessionReport', session.report))).toBe('');
    expect(formatErrors(spec.validateSchema('SimulationSessionComparison', session.comparison))).toBe('');
    if (stateful) {
      expect(session.simulation_session_id).toBe(started[0]);
      expect(session.report?.cases.every((c) => c.runs === 2)).toBe(true);
      // The first session of the suite, finished before this one, is the last baseline.
      expect(session.comparison?.baseline_session_id).toBe(ids.session);
    }
    ids.head = session.simulation_session_id;
  });

  it('compareSimulationSessions, directly and through compareSessions with a named baseline', async () => {
    const result = await client.GET('/simulations/session/{simulation_session_id}/comparison', {
      params: { path: { simulation_session_id: ids.head }, query: { baseline: ids.session } },
    });
    expectValid('compareSimulationSessions', result);
    const comparison = await client.compareSessions(ids.head, { baseline: ids.session });
    expect(formatErrors(spec.validateSchema('SimulationSessionComparison', comparison))).toBe('');
    expect(['regressed', 'improved', 'unchanged']).toContain(comparison.verdict);
    if (stateful) expect(comparison).toMatchObject({ simulation_session_id: ids.head, baseline_session_id: ids.session });
  });

  it('getWebhookEndpoint, never with its secret', async () => {
    const result = await client.GET('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: ids.endpoint } } });
    expectValid('getWebhookEndpoint', result);
    expect(JSON.stringify(result.data)).not.toContain('whsec_');
    if (stateful) expect((await unwrap(result)).id).toBe(ids.endpoint);
  });

  it('listWebhookEndpoints, through the paginator', async () => {
    const result = await client.GET('/webhook_endpoints', { params: { query: { page_size: 5 } } });
    expectValid('listWebhookEndpoints', result);
    const endpoints = [];
    for await (const item of client.paginate('/webhook_endpoints', { maxPages: 20 }).items()) endpoints.push(item);
    expect(endpoints.length).toBeGreaterThan(0);
    if (stateful) expect(endpoints.map((e) => e.id)).toContain(ids.endpoint);
  });

  const deliveries: WebhookDelivery[] = [];

  it('listWebhookDeliveries of the endpoint, through the paginator: the events of the runs above', async () => {
    const result = await client.GET('/webhook_endpoints/{endpoint_id}/deliveries', {
      params: { path: { endpoint_id: ids.endpoint }, query: { page_size: 10 } },
    });
    expectValid('listWebhookDeliveries', result);
    for await (const item of client
      .paginate('/webhook_endpoints/{endpoint_id}/deliveries', { path: { endpoint_id: ids.endpoint } })
      .items())
      deliveries.push(item);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) expect(formatErrors(spec.validateSchema('WebhookDelivery', delivery))).toBe('');
    if (stateful) {
      // Written in the transaction of each result: the session finished, so its event is there.
      expect(deliveries.every((d) => d.endpoint_id === ids.endpoint)).toBe(true);
      const sessionEvents = deliveries.filter((d) => d.payload.type === 'session.completed');
      expect(sessionEvents.map((d) => d.payload.type === 'session.completed' && d.payload.data.simulation_session_id)).toContain(
        ids.session,
      );
    }
    const filtered = await client.GET('/webhook_endpoints/{endpoint_id}/deliveries', {
      params: { path: { endpoint_id: ids.endpoint }, query: { status: 'delivered' } },
    });
    expectValid('listWebhookDeliveries', filtered);
    if (stateful) expect((await unwrap(filtered)).items.every((d) => d.status === 'delivered')).toBe(true);
  });

  it('redeliverWebhookDelivery while the endpoint is enabled', async () => {
    const delivery = deliveries[0];
    if (!delivery) throw new Error('no delivery to send again');
    const result = await client.POST('/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
      params: { path: { endpoint_id: ids.endpoint, delivery_id: delivery.id } },
    });
    expectValid('redeliverWebhookDelivery', result);
    if (stateful) expect(await unwrap(result)).toMatchObject({ id: delivery.id, event_id: delivery.event_id, status: 'pending' });
  });

  it('updateWebhookEndpoint disables it (a real server then refuses a redelivery) and enables it again', async () => {
    const disabled = await client.PUT('/webhook_endpoints/{endpoint_id}', {
      params: { path: { endpoint_id: ids.endpoint } },
      body: { enabled: false, description: 'Contract flow (paused)' },
    });
    expectValid('updateWebhookEndpoint', disabled);
    if (stateful) {
      expect(await unwrap(disabled)).toMatchObject({ enabled: false, description: 'Contract flow (paused)' });
      const delivery = deliveries[0];
      const refused = await client.POST('/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
        params: { path: { endpoint_id: ids.endpoint, delivery_id: delivery?.id ?? '' } },
      });
      expect(refused.response.status).toBe(409);
      expect(formatErrors(spec.validateResponse('redeliverWebhookDelivery', 409, refused.error))).toBe('');
    }
    const enabled = await client.PUT('/webhook_endpoints/{endpoint_id}', {
      params: { path: { endpoint_id: ids.endpoint } },
      body: { enabled: true, event_types: ['session.completed', 'session.cancelled'] },
    });
    expectValid('updateWebhookEndpoint', enabled);
    if (stateful) {
      expect(await unwrap(enabled)).toMatchObject({ enabled: true, disabled_reason: null, description: 'Contract flow (paused)' });
      expect((await unwrap(enabled)).event_types).toEqual(['session.completed', 'session.cancelled']);
    }
  });

  it('rotateWebhookEndpointSecret answers a new secret, once', async () => {
    const result = await client.POST('/webhook_endpoints/{endpoint_id}/rotate_secret', { params: { path: { endpoint_id: ids.endpoint } } });
    expectValid('rotateWebhookEndpointSecret', result);
    const rotated = await unwrap(result);
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    if (stateful) {
      expect(rotated.endpoint.id).toBe(ids.endpoint);
      expect(rotated.secret).not.toBe(secret);
    }
  });

  it('deleteWebhookEndpoint, after which it is gone', async () => {
    const result = await client.DELETE('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: ids.endpoint } } });
    expectValid('deleteWebhookEndpoint', result, 204);
    if (stateful) {
      const gone = await unwrap(client.GET('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: ids.endpoint } } })).catch(
        (e: unknown) => e,
      );
      expect(gone).toMatchObject({ status: 404, code: 'not_found' });
    }
  });

  it('deleteSimulationCase', async () => {
    const result = await client.DELETE('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: ids.case } } });
    expectValid('deleteSimulationCase', result, 204);
  });

  it('deleteSimulationScenario', async () => {
    const result = await client.DELETE('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: ids.scenario } } });
    expectValid('deleteSimulationScenario', result, 204);
  });

  it('deleteSimulationSuite, after which it is gone', async () => {
    const result = await client.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: ids.suite } } });
    expectValid('deleteSimulationSuite', result, 204);
    if (stateful) {
      const gone = await unwrap(client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: ids.suite } } })).catch(
        (e: unknown) => e,
      );
      expect(gone).toBeInstanceOf(SimulationsApiError);
      expect(gone).toMatchObject({ status: 404, code: 'not_found' });
    }
  });

  it('deleteAgent', async () => {
    const result = await client.DELETE('/agents/{agent_id}', { params: { path: { agent_id: agentId } } });
    expectValid('deleteAgent', result, 204);
  });
});
