/**
 * One valid request for each operation: the 23 of the reference in its order, then our additions. Bodies and queries are
 * the reference's own examples where it has them (placeholder ids such as `your-suite-id` included:
 * a client written against the reference must work unchanged).
 */
export interface ReferenceRequest {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** Reference path template. */
  path: string;
  /** Concrete URL path sent. */
  url: string;
  body?: unknown;
  status: number;
  mediaType?: string;
}

const SUITE = '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f';
const CASE = '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d';
const SCENARIO = '2d4f6a8c-0e1b-4c3d-8e5f-7a9b1c3d5e7f';
const SIMULATION = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const SESSION = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
const AGENT = '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';
const ENDPOINT = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';
const DELIVERY = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

export const referenceRequests: ReferenceRequest[] = [
  {
    operationId: 'createSimulationCase',
    method: 'post',
    path: '/simulation_cases',
    url: '/simulation_cases',
    status: 200,
    body: {
      name: 'Handles refund request',
      prompt: 'You are a customer who wants a refund for order #12345. You are frustrated but polite.',
      type: 'custom',
      success_criteria: ['Agent acknowledged the refund request', 'Agent asked for order details', 'Agent provided a resolution'],
      call_success_type: 'all',
      suite_id: 'your-suite-id',
      base_agent_id: 'your-agent-model-id',
    },
  },
  {
    operationId: 'listSimulationCases',
    method: 'get',
    path: '/simulation_cases',
    url: `/simulation_cases?page_number=1&page_size=10&search=refund&simulation_case_type=custom&suite_id=${SUITE}`,
    status: 200,
  },
  {
    operationId: 'getSimulationCase',
    method: 'get',
    path: '/simulation_cases/{simulation_case_id}',
    url: `/simulation_cases/${CASE}`,
    status: 200,
  },
  {
    operationId: 'updateSimulationCase',
    method: 'put',
    path: '/simulation_cases/{simulation_case_id}',
    url: `/simulation_cases/${CASE}`,
    status: 200,
    body: { name: 'Updated name', success_criteria: ['New criteria 1', 'New criteria 2'] },
  },
  {
    operationId: 'deleteSimulationCase',
    method: 'delete',
    path: '/simulation_cases/{simulation_case_id}',
    url: `/simulation_cases/${CASE}`,
    status: 204,
  },
  {
    operationId: 'generateSimulationCases',
    method: 'post',
    path: '/simulation_cases/generate',
    url: '/simulation_cases/generate',
    status: 200,
    mediaType: 'application/x-ndjson',
    body: { agent_id: 'your-agent-model-id', suite_id: 'your-suite-id' },
  },
  {
    operationId: 'listSimulationCasesByAgent',
    method: 'get',
    path: '/simulation_cases/by_agent',
    url: `/simulation_cases/by_agent?agent_id=${AGENT}`,
    status: 200,
  },
  {
    operationId: 'createSimulationSuite',
    method: 'post',
    path: '/simulation_suites',
    url: '/simulation_suites',
    status: 200,
    body: { name: 'Customer Support Tests', model_id: 'your-agent-model-id', language: 'en-US' },
  },
  {
    operationId: 'listSimulationSuites',
    method: 'get',
    path: '/simulation_suites',
    url: `/simulation_suites?page_number=2&page_size=100&search=support&model_ids=${AGENT}&model_ids=other-agent&start_date=2026-01-01T00:00:00Z&end_date=2026-12-31T23:59:59Z`,
    status: 200,
  },
  {
    operationId: 'getSimulationSuite',
    method: 'get',
    path: '/simulation_suites/{suite_id}',
    url: `/simulation_suites/${SUITE}`,
    status: 200,
  },
  {
    operationId: 'updateSimulationSuite',
    method: 'put',
    path: '/simulation_suites/{suite_id}',
    url: `/simulation_suites/${SUITE}`,
    status: 200,
    body: { name: 'Renamed Suite' },
  },
  {
    operationId: 'deleteSimulationSuite',
    method: 'delete',
    path: '/simulation_suites/{suite_id}',
    url: '/simulation_suites/suite_id',
    status: 204,
  },
  {
    operationId: 'executeSimulationSuite',
    method: 'post',
    path: '/simulation_suites/{suite_id}/execute',
    url: '/simulation_suites/your-suite-id/execute?target_agent_id=your-agent-model-id&max_turns=30',
    status: 200,
  },
  {
    operationId: 'createSimulationScenario',
    method: 'post',
    path: '/simulation_scenarios',
    url: '/simulation_scenarios',
    status: 200,
    body: { name: 'Caller changes their mind', description: 'The caller changes the request half-way.' },
  },
  {
    operationId: 'listSimulationScenarios',
    method: 'get',
    path: '/simulation_scenarios',
    url: '/simulation_scenarios?page_size=5&search=mind&start_date=2026-01-01T00:00:00Z',
    status: 200,
  },
  {
    operationId: 'getSimulationScenario',
    method: 'get',
    path: '/simulation_scenarios/{scenario_id}',
    url: `/simulation_scenarios/${SCENARIO}`,
    status: 200,
  },
  {
    operationId: 'updateSimulationScenario',
    method: 'put',
    path: '/simulation_scenarios/{scenario_id}',
    url: `/simulation_scenarios/${SCENARIO}`,
    status: 200,
    body: { description: 'The caller changes the request twice.' },
  },
  {
    operationId: 'deleteSimulationScenario',
    method: 'delete',
    path: '/simulation_scenarios/{scenario_id}',
    url: `/simulation_scenarios/${SCENARIO}`,
    status: 204,
  },
  {
    operationId: 'startSimulation',
    method: 'post',
    path: '/simulations',
    url: '/simulations',
    status: 200,
    body: {
      simulation_case_id: CASE,
      target_agent_id: AGENT,
      simulation_session_id: null,
      custom_variables: { customer_name: 'Dana', vip: true },
    },
  },
  {
    operationId: 'listSimulationSessions',
    method: 'get',
    path: '/simulations/sessions',
    url: `/simulations/sessions?page_number=1&page_size=10&target_agent_id=${AGENT}&end_date=2026-12-31T00:00:00Z`,
    status: 200,
  },
  {
    operationId: 'getSimulationSession',
    method: 'get',
    path: '/simulations/session/{simulation_session_id}',
    url: `/simulations/session/${SESSION}`,
    status: 200,
  },
  {
    operationId: 'listSimulations',
    method: 'get',
    path: '/simulations',
    url: `/simulations?page_number=1&page_size=10&simulation_session_id=${SESSION}&status=in-progress&start_date=2026-01-01T00:00:00Z&end_date=2026-12-31T00:00:00Z&target_agent_id=${AGENT}`,
    status: 200,
  },
  { operationId: 'getSimulation', method: 'get', path: '/simulations/{simulation_id}', url: `/simulations/${SIMULATION}`, status: 200 },
  // Additions to the reference API (not in its operation table).
  { operationId: 'getHealth', method: 'get', path: '/health', url: '/health', status: 200 },
  {
    operationId: 'createAgent',
    method: 'post',
    path: '/agents',
    url: '/agents',
    status: 200,
    body: { name: 'Acme Support', prompt: 'You are the support agent of Acme.', connector: { kind: 'builtin' }, agent_type: 'inbound' },
  },
  { operationId: 'listAgents', method: 'get', path: '/agents', url: '/agents?page_number=1&page_size=20&search=acme', status: 200 },
  { operationId: 'getAgent', method: 'get', path: '/agents/{agent_id}', url: `/agents/${AGENT}`, status: 200 },
  {
    operationId: 'updateAgent',
    method: 'put',
    path: '/agents/{agent_id}',
    url: `/agents/${AGENT}`,
    status: 200,
    body: { name: 'Acme Support (EU)', avatar_url: null },
  },
  { operationId: 'deleteAgent', method: 'delete', path: '/agents/{agent_id}', url: `/agents/${AGENT}`, status: 204 },
  {
    operationId: 'getSimulationSessionReport',
    method: 'get',
    path: '/simulations/session/{simulation_session_id}/report',
    url: `/simulations/session/${SESSION}/report`,
    status: 200,
  },
  {
    operationId: 'compareSimulationSessions',
    method: 'get',
    path: '/simulations/session/{simulation_session_id}/comparison',
    url: `/simulations/session/${SESSION}/comparison?baseline=last`,
    status: 200,
  },
  {
    operationId: 'cancelSimulation',
    method: 'post',
    path: '/simulations/{simulation_id}/cancel',
    url: `/simulations/${SIMULATION}/cancel`,
    status: 200,
  },
  {
    operationId: 'cancelSimulationSession',
    method: 'post',
    path: '/simulations/session/{simulation_session_id}/cancel',
    url: `/simulations/session/${SESSION}/cancel`,
    status: 200,
  },
  {
    operationId: 'rotateAgentSigningSecret',
    method: 'post',
    path: '/agents/{agent_id}/rotate_signing_secret',
    url: `/agents/${AGENT}/rotate_signing_secret`,
    status: 200,
  },
  {
    operationId: 'createWebhookEndpoint',
    method: 'post',
    path: '/webhook_endpoints',
    url: '/webhook_endpoints',
    status: 200,
    body: { url: 'https://hooks.example.org/sims', event_types: ['session.completed'], description: 'CI dashboard' },
  },
  { operationId: 'listWebhookEndpoints', method: 'get', path: '/webhook_endpoints', url: '/webhook_endpoints?page_size=10', status: 200 },
  {
    operationId: 'getWebhookEndpoint',
    method: 'get',
    path: '/webhook_endpoints/{endpoint_id}',
    url: `/webhook_endpoints/${ENDPOINT}`,
    status: 200,
  },
  {
    operationId: 'updateWebhookEndpoint',
    method: 'put',
    path: '/webhook_endpoints/{endpoint_id}',
    url: `/webhook_endpoints/${ENDPOINT}`,
    status: 200,
    body: { enabled: true },
  },
  {
    operationId: 'deleteWebhookEndpoint',
    method: 'delete',
    path: '/webhook_endpoints/{endpoint_id}',
    url: `/webhook_endpoints/${ENDPOINT}`,
    status: 204,
  },
  {
    operationId: 'rotateWebhookEndpointSecret',
    method: 'post',
    path: '/webhook_endpoints/{endpoint_id}/rotate_secret',
    url: `/webhook_endpoints/${ENDPOINT}/rotate_secret`,
    status: 200,
  },
  {
    operationId: 'listWebhookDeliveries',
    method: 'get',
    path: '/webhook_endpoints/{endpoint_id}/deliveries',
    url: `/webhook_endpoints/${ENDPOINT}/deliveries?status=delivered`,
    status: 200,
  },
  {
    operationId: 'redeliverWebhookDelivery',
    method: 'post',
    path: '/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver',
    url: `/webhook_endpoints/${ENDPOINT}/deliveries/${DELIVERY}/redeliver`,
    status: 200,
  },
  {
    operationId: 'importSimulationCase',
    method: 'post',
    path: '/simulation_cases/import',
    url: '/simulation_cases/import',
    status: 201,
    body: {
      suite_id: SUITE,
      conversation: 'Agent: Thanks for calling Acme, how can I help?\nCaller: Hi, where is my order?\nAgent: It arrives Thursday.',
      success_criteria: ['Agent told the caller when the order arrives'],
    },
  },
];
