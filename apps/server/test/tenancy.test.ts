import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecValidator } from '@sims/testkit';
import { apiClient, otherWorkspace, raw, seed, startTestServer, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';

/**
 * For every operation: no key and a wrong key answer 401; workspace B using workspace A's ids answers
 * 404, and B's lists never show A's records.
 */
const spec = new SpecValidator();
let server: TestServer;
let keyB: string;
let ids: Awaited<ReturnType<typeof seed>> & { sessionId: string; simulationId: string; endpointId: string };

beforeAll(async () => {
  server = await startTestServer();
  keyB = await otherWorkspace(server);
  const a = apiClient(server.url, server.key);
  const seeded = await seed(a);
  // A's webhook endpoint, disabled so that the run below leaves it no delivery to send anywhere.
  const endpoint = await a.POST('/webhook_endpoints', { body: { url: 'https://hooks.example.org/a' } });
  const endpointId = endpoint.data!.response.endpoint.id;
  await a.PUT('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: endpointId } }, body: { enabled: false } });
  const executed = await a.POST('/simulation_suites/{suite_id}/execute', {
    params: { path: { suite_id: seeded.suiteId }, query: { target_agent_id: seeded.agentId } },
  });
  const simulations = await a.GET('/simulations', { params: { query: { simulation_session_id: executed.data!.session_id } } });
  ids = {
    ...seeded,
    sessionId: executed.data!.session_id,
    simulationId: simulations.data!.response.items[0]!.simulation_id,
    endpointId,
  };
  // B has records of its own, so that empty lists below mean filtering, not an empty database.
  await seed(apiClient(server.url, keyB));
});

afterAll(() => server.stop());

type Request = { method: string; url: string; body?: unknown; list?: true };

/** A valid request of each operation that uses workspace A's ids wherever it takes one. */
function requests(): Record<string, Request> {
  const { agentId, suiteId, caseIds, scenarioId, sessionId, simulationId, endpointId } = ids;
  const endpoint = `/webhook_endpoints/${endpointId}`;
  const caseBody = { name: 'x', prompt: 'y', success_criteria: ['z'], call_success_type: 'all' };
  return {
    getHealth: { method: 'GET', url: '/health' },
    createAgent: { method: 'POST', url: '/agents', body: { name: 'n', prompt: 'p' } },
    listAgents: { method: 'GET', url: '/agents', list: true },
    getAgent: { method: 'GET', url: `/agents/${agentId}` },
    updateAgent: { method: 'PUT', url: `/agents/${agentId}`, body: { name: 'n' } },
    deleteAgent: { method: 'DELETE', url: `/agents/${agentId}` },
    rotateAgentSigningSecret: { method: 'POST', url: `/agents/${agentId}/rotate_signing_secret` },
    createSimulationCase: { method: 'POST', url: '/simulation_cases', body: { ...caseBody, suite_id: suiteId } },
    listSimulationCases: { method: 'GET', url: `/simulation_cases?suite_id=${suiteId}`, list: true },
    getSimulationCase: { method: 'GET', url: `/simulation_cases/${caseIds[0]}` },
    updateSimulationCase: { method: 'PUT', url: `/simulation_cases/${caseIds[0]}`, body: { name: 'n' } },
    deleteSimulationCase: { method: 'DELETE', url: `/simulation_cases/${caseIds[0]}` },
    generateSimulationCases: { method: 'POST', url: '/simulation_cases/generate', body: { agent_id: agentId } },
    importSimulationCase: {
      method: 'POST',
      url: '/simulation_cases/import',
      body: { suite_id: suiteId, conversation: 'Agent: Hello\nCaller: Hi', success_criteria: ['z'] },
    },
    listSimulationCasesByAgent: { method: 'GET', url: `/simulation_cases/by_agent?agent_id=${agentId}` },
    createSimulationSuite: { method: 'POST', url: '/simulation_suites', body: { name: 'n', model_id: agentId } },
    listSimulationSuites: { method: 'GET', url: `/simulation_suites?model_ids=${agentId}`, list: true },
    getSimulationSuite: { method: 'GET', url: `/simulation_suites/${suiteId}` },
    updateSimulationSuite: { method: 'PUT', url: `/simulation_suites/${suiteId}`, body: { name: 'n' } },
    deleteSimulationSuite: { method: 'DELETE', url: `/simulation_suites/${suiteId}` },
    executeSimulationSuite: { method: 'POST', url: `/simulation_suites/${suiteId}/execute?target_agent_id=${agentId}` },
    createSimulationScenario: { method: 'POST', url: '/simulation_scenarios', body: { name: 'n', description: 'd' } },
    listSimulationScenarios: { method: 'GET', url: '/simulation_scenarios', list: true },
    getSimulationScenario: { method: 'GET', url: `/simulation_scenarios/${scenarioId}` },
    updateSimulationScenario: { method: 'PUT', url: `/simulation_scenarios/${scenarioId}`, body: { name: 'n' } },
    deleteSimulationScenario: { method: 'DELETE', url: `/simulation_scenarios/${scenarioId}` },
    startSimulation: { method: 'POST', url: '/simulations', body: { simulation_case_id: caseIds[0], target_agent_id: agentId } },
    listSimulations: { method: 'GET', url: `/simulations?simulation_session_id=${sessionId}`, list: true },
    getSimulation: { method: 'GET', url: `/simulations/${simulationId}` },
    listSimulationSessions: { method: 'GET', url: `/simulations/sessions?target_agent_id=${agentId}`, list: true },
    getSimulationSession: { method: 'GET', url: `/simulations/session/${sessionId}` },
    getSimulationSessionReport: { method: 'GET', url: `/simulations/session/${sessionId}/report` },
    compareSimulationSessions: { method: 'GET', url: `/simulations/session/${sessionId}/comparison?baseline=${sessionId}` },
    cancelSimulation: { method: 'POST', url: `/simulations/${simulationId}/cancel` },
    cancelSimulationSession: { method: 'POST', url: `/simulations/session/${sessionId}/cancel` },
    createWebhookEndpoint: { method: 'POST', url: '/webhook_endpoints', body: { url: 'https://hooks.example.org/b' } },
    listWebhookEndpoints: { method: 'GET', url: '/webhook_endpoints', list: true },
    getWebhookEndpoint: { method: 'GET', url: endpoint },
    updateWebhookEndpoint: { method: 'PUT', url: endpoint, body: { enabled: true } },
    deleteWebhookEndpoint: { method: 'DELETE', url: endpoint },
    rotateWebhookEndpointSecret: { method: 'POST', url: `${endpoint}/rotate_secret` },
    listWebhookDeliveries: { method: 'GET', url: `${endpoint}/deliveries` },
    // The delivery's id is never reached: the endpoint is not B's.
    redeliverWebhookDelivery: { method: 'POST', url: `${endpoint}/deliveries/${randomUUID()}/redeliver` },
  };
}

const operations = spec.operations().map((op) => op.operationId);
const secured = operations.filter((id) => id !== 'getHealth');
/** Operations that refer to no id of A: B may call them and gets its own results. */
const noForeignIds = new Set([
  'getHealth',
  'createAgent',
  'createSimulationScenario',
  'createWebhookEndpoint',
  'listAgents',
  'listSimulationScenarios',
]);

describe('tenancy matrix', () => {
  it('has a request for every operation of the spec', () => {
    expect(Object.keys(requests()).sort()).toEqual([...operations].sort());
  });

  it.each(secured)('%s without a key answers 401', async (operationId) => {
    const req = requests()[operationId]!;
    const { status, json } = await raw(server.url + req.url, {
      method: req.method,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    expect(status).toBe(401);
    expect(json.error.code).toBe('unauthorized');
    expect(responseProblems(operationId, 401, json)).toEqual([]);
  });

  it.each(secured)('%s with a wrong key answers 401', async (operationId) => {
    const req = requests()[operationId]!;
    const { status, json } = await raw(server.url + req.url, {
      method: req.method,
      key: 'sk_wrong',
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    expect(status).toBe(401);
    expect(json.error.code).toBe('unauthorized');
  });

  it('getHealth needs no key', async () => {
    expect((await raw(`${server.url}/health`)).status).toBe(200);
  });

  it.each(operations.filter((id) => !noForeignIds.has(id)))(
    '%s with workspace A ids and workspace B key answers 404 or an empty list',
    async (operationId) => {
      const req = requests()[operationId]!;
      const { status, json } = await raw(server.url + req.url, {
        method: req.method,
        key: keyB,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
      });
      if (req.list) {
        expect(status).toBe(200);
        const page = json.response;
        expect(page.items).toEqual([]);
        expect(page.total ?? page.pagination.total_records).toBe(0);
      } else {
        expect(status).toBe(404);
        expect(json.error.code).toBe('not_found');
        expect(responseProblems(operationId, 404, json)).toEqual([]);
      }
    },
  );

  it("B's unfiltered lists never show A's records", async () => {
    const b = apiClient(server.url, keyB);
    const all = [
      ...(await b.GET('/agents', { params: { query: { page_size: 100 } } })).data!.response.items.map((x) => x.workspace_id),
      ...(await b.GET('/simulation_cases', { params: { query: { page_size: 100 } } })).data!.response.items.map((x) => x.workspace_id),
      ...(await b.GET('/simulation_suites', { params: { query: { page_size: 100 } } })).data!.response.items.map((x) => x.workspace_id),
      ...(await b.GET('/simulation_scenarios', { params: { query: { page_size: 100 } } })).data!.response.items.map((x) => x.workspace_id),
      ...(await b.GET('/simulations', { params: { query: { page_size: 100 } } })).data!.response.items.map((x) => x.workspace_id),
    ];
    expect(all.length).toBeGreaterThan(0);
    const a = (await apiClient(server.url, server.key).GET('/agents')).data!.response.items[0]!.workspace_id;
    expect(all).not.toContain(a);
    expect((await b.GET('/simulations/sessions')).data!.response.items).toEqual([]);
  });

  it("A's records are untouched by B's attempts", async () => {
    const a = apiClient(server.url, server.key);
    const endpoint = await a.GET('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: ids.endpointId } } });
    expect(endpoint.data?.response).toMatchObject({ url: 'https://hooks.example.org/a', enabled: false });
    expect((await a.GET('/agents/{agent_id}', { params: { path: { agent_id: ids.agentId } } })).data?.response.name).toBe('Acme Support');
    expect(
      (await a.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: ids.suiteId } } })).data?.response.cases,
    ).toHaveLength(2);
  });

  it('a revoked key answers 401', async () => {
    const keys = await server.storage.apiKeys.list();
    const b = keys.find((k) => keyB.startsWith(k.prefix))!;
    await server.storage.apiKeys.revoke(b.id, new Date().toISOString());
    expect((await raw(`${server.url}/agents`, { key: keyB })).status).toBe(401);
    expect((await raw(`${server.url}/agents`, { key: server.key })).status).toBe(200);
  });
});
