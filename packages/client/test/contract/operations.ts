import type { SimulationsClient } from '../../src/index.js';

/** What a call may add: headers (such as `Prefer: code=404` for the mock). */
export interface CallInit {
  headers?: Record<string, string>;
}

const id = '00000000-0000-4000-8000-000000000000';

/**
 * One typed call through the client for each operation of the spec, with valid placeholder
 * arguments: the mock-only tests use it to ask every operation for each of its error answers.
 */
export const operationCalls: Record<
  string,
  (client: SimulationsClient, init: CallInit) => Promise<{ data?: unknown; error?: unknown; response: Response }>
> = {
  listSimulationCases: (c, init) => c.GET('/simulation_cases', { params: { query: { page_size: 10 } }, ...init }),
  createSimulationCase: (c, init) =>
    c.POST('/simulation_cases', { body: { name: 'n', prompt: 'p', success_criteria: ['c'], call_success_type: 'any' }, ...init }),
  generateSimulationCases: (c, init) => c.POST('/simulation_cases/generate', { body: { agent_id: id }, ...init }),
  importSimulationCase: (c, init) =>
    c.POST('/simulation_cases/import', {
      body: { suite_id: id, conversation: 'Agent: Hello\nCaller: Hi', success_criteria: ['c'] },
      ...init,
    }),
  listSimulationCasesByAgent: (c, init) => c.GET('/simulation_cases/by_agent', { params: { query: { agent_id: id } }, ...init }),
  getSimulationCase: (c, init) =>
    c.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } }, ...init }),
  updateSimulationCase: (c, init) =>
    c.PUT('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } }, body: { name: 'n' }, ...init }),
  deleteSimulationCase: (c, init) =>
    c.DELETE('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } }, ...init }),
  listSimulationSuites: (c, init) => c.GET('/simulation_suites', { ...init }),
  createSimulationSuite: (c, init) => c.POST('/simulation_suites', { body: { name: 'n', model_id: id }, ...init }),
  getSimulationSuite: (c, init) => c.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } }, ...init }),
  updateSimulationSuite: (c, init) =>
    c.PUT('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } }, body: { name: 'n' }, ...init }),
  deleteSimulationSuite: (c, init) => c.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } }, ...init }),
  executeSimulationSuite: (c, init) =>
    c.POST('/simulation_suites/{suite_id}/execute', { params: { path: { suite_id: id }, query: { target_agent_id: id } }, ...init }),
  listSimulationScenarios: (c, init) => c.GET('/simulation_scenarios', { ...init }),
  createSimulationScenario: (c, init) => c.POST('/simulation_scenarios', { body: { name: 'n', description: 'd' }, ...init }),
  getSimulationScenario: (c, init) => c.GET('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } }, ...init }),
  updateSimulationScenario: (c, init) =>
    c.PUT('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } }, body: { description: 'd' }, ...init }),
  deleteSimulationScenario: (c, init) =>
    c.DELETE('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } }, ...init }),
  listSimulations: (c, init) => c.GET('/simulations', { params: { query: { status: 'completed' } }, ...init }),
  startSimulation: (c, init) => c.POST('/simulations', { body: { simulation_case_id: id, target_agent_id: id }, ...init }),
  listSimulationSessions: (c, init) => c.GET('/simulations/sessions', { ...init }),
  getSimulationSession: (c, init) =>
    c.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: id } }, ...init }),
  getSimulationSessionReport: (c, init) =>
    c.GET('/simulations/session/{simulation_session_id}/report', { params: { path: { simulation_session_id: id } }, ...init }),
  compareSimulationSessions: (c, init) =>
    c.GET('/simulations/session/{simulation_session_id}/comparison', {
      params: { path: { simulation_session_id: id }, query: { baseline: 'last' } },
      ...init,
    }),
  cancelSimulationSession: (c, init) =>
    c.POST('/simulations/session/{simulation_session_id}/cancel', { params: { path: { simulation_session_id: id } }, ...init }),
  getSimulation: (c, init) => c.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } }, ...init }),
  cancelSimulation: (c, init) => c.POST('/simulations/{simulation_id}/cancel', { params: { path: { simulation_id: id } }, ...init }),
  listAgents: (c, init) => c.GET('/agents', { params: { query: { search: 'acme' } }, ...init }),
  createAgent: (c, init) => c.POST('/agents', { body: { name: 'n', prompt: 'p' }, ...init }),
  getAgent: (c, init) => c.GET('/agents/{agent_id}', { params: { path: { agent_id: id } }, ...init }),
  updateAgent: (c, init) => c.PUT('/agents/{agent_id}', { params: { path: { agent_id: id } }, body: { name: 'n' }, ...init }),
  deleteAgent: (c, init) => c.DELETE('/agents/{agent_id}', { params: { path: { agent_id: id } }, ...init }),
  rotateAgentSigningSecret: (c, init) =>
    c.POST('/agents/{agent_id}/rotate_signing_secret', { params: { path: { agent_id: id } }, ...init }),
  getHealth: (c, init) => c.GET('/health', { ...init }),
  listWebhookEndpoints: (c, init) => c.GET('/webhook_endpoints', { params: { query: { page_size: 10 } }, ...init }),
  createWebhookEndpoint: (c, init) =>
    c.POST('/webhook_endpoints', { body: { url: 'https://hooks.example.org/sims', event_types: ['session.completed'] }, ...init }),
  getWebhookEndpoint: (c, init) => c.GET('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } }, ...init }),
  updateWebhookEndpoint: (c, init) =>
    c.PUT('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } }, body: { enabled: true }, ...init }),
  deleteWebhookEndpoint: (c, init) => c.DELETE('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } }, ...init }),
  rotateWebhookEndpointSecret: (c, init) =>
    c.POST('/webhook_endpoints/{endpoint_id}/rotate_secret', { params: { path: { endpoint_id: id } }, ...init }),
  listWebhookDeliveries: (c, init) =>
    c.GET('/webhook_endpoints/{endpoint_id}/deliveries', { params: { path: { endpoint_id: id }, query: { status: 'failed' } }, ...init }),
  redeliverWebhookDelivery: (c, init) =>
    c.POST('/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
      params: { path: { endpoint_id: id, delivery_id: id } },
      ...init,
    }),
};
