import { describe, expect, it } from 'vitest';
import { SpecValidator, escapePointer } from '@sims/testkit';

/**
 * The public reference (shared/reference/synthflow-v2-simulations.md), transcribed: every operation,
 * field, parameter, enum and limit it documents must be in the spec with a compatible type.
 */
const spec = new SpecValidator();
type Node = Record<string, unknown>;

const referenceOperations = [
  'POST /simulation_cases',
  'GET /simulation_cases',
  'GET /simulation_cases/{simulation_case_id}',
  'PUT /simulation_cases/{simulation_case_id}',
  'DELETE /simulation_cases/{simulation_case_id}',
  'POST /simulation_cases/generate',
  'GET /simulation_cases/by_agent',
  'POST /simulation_suites',
  'GET /simulation_suites',
  'GET /simulation_suites/{suite_id}',
  'PUT /simulation_suites/{suite_id}',
  'DELETE /simulation_suites/{suite_id}',
  'POST /simulation_suites/{suite_id}/execute',
  'POST /simulation_scenarios',
  'GET /simulation_scenarios',
  'GET /simulation_scenarios/{scenario_id}',
  'PUT /simulation_scenarios/{scenario_id}',
  'DELETE /simulation_scenarios/{scenario_id}',
  'POST /simulations',
  'GET /simulations/sessions',
  'GET /simulations/session/{simulation_session_id}',
  'GET /simulations',
  'GET /simulations/{simulation_id}',
];

/** Field → the JSON types the reference gives it (`?` = nullable). */
const referenceSchemas: Record<string, Record<string, string>> = {
  SimulationCaseReadOut: {
    simulation_case_id: 'string',
    workspace_id: 'string',
    suite_id: 'string?',
    name: 'string',
    prompt: 'string',
    type: 'string',
    success_criteria: 'array',
    call_success_type: 'string',
    base_agent: 'object?',
    created_at: 'string',
    updated_at: 'string',
  },
  SimulationCaseReadOutBaseAgent: {
    model_id: 'string',
    agent_name: 'string',
    agent_type: 'string',
    voice_engine_type: 'string',
    phone_number: 'string?',
    updated_at: 'string',
    image_url: 'string?',
  },
  SimulationSuiteReadOut: {
    id: 'string',
    name: 'string',
    model_id: 'string',
    workspace_id: 'string',
    language: 'string',
    cases: 'array',
    agent: 'object',
    created_at: 'string',
    updated_at: 'string',
  },
  SimulationSuiteListItem: {
    id: 'string',
    name: 'string',
    model_id: 'string',
    workspace_id: 'string',
    language: 'string',
    created_at: 'string',
    updated_at: 'string',
    case_summaries: 'array',
    agent: 'object',
  },
  AgentListItem: { id: 'string', name: 'string', avatar: 'string?' },
  SimulationCaseSummary: { simulation_case_id: 'string', name: 'string' },
  SimulationScenarioReadOut: {
    id: 'string',
    name: 'string',
    description: 'string',
    workspace_id: 'string',
    created_at: 'string',
    updated_at: 'string',
  },
  SimulationReadOut: {
    simulation_id: 'string',
    simulation_session_id: 'string',
    simulation_case_id: 'string',
    simulation_case_name: 'string?',
    simulation_case_prompt: 'string?',
    success_criteria: 'array?',
    call_success_type: 'string?',
    persona_agent_id: 'string?',
    persona_phone_number: 'string?',
    target_agent_id: 'string',
    agent_name: 'string?',
    agent_avatar_url: 'string?',
    target_phone_number: 'string?',
    target_call_id: 'string?',
    custom_variables: 'object?',
    status: 'string',
    workspace_id: 'string',
    created_at: 'string',
    updated_at: 'string',
    error_info: 'object?',
    recording_url: 'string?',
    timeline: 'array?',
    success_criteria_analysis: 'object?',
  },
  SimulationErrorInfo: { message: 'string', code: 'integer', type: 'string' },
  TimelineItem: { sender_type: 'string?', value: 'string?', type: 'string?', timestamp_datetime: 'string?', timestamp: 'string?' },
  SimulationSuccessCriteriaAnalysis: { success: 'boolean', evaluations: 'array' },
  SimulationSuccessCriteriaEvaluation: { success: 'boolean', reasoning: 'string' },
  SimulationSessionReadOut: {
    simulation_session_id: 'string',
    simulations: 'array',
    total_simulations: 'integer',
    completed_simulations: 'integer',
    failed_simulations: 'integer',
    pending_simulations: 'integer',
  },
  Pagination: { total_records: 'integer', limit: 'integer', offset: 'integer' },
  PaginatedSimulationSuitesList: { items: 'array', total: 'integer', page_number: 'integer', page_size: 'integer' },
  PaginatedSimulationScenariosList: { items: 'array', total: 'integer', page_number: 'integer', page_size: 'integer' },
  SimulationSuiteExecuteOut: { session_id: 'string', suite_id: 'string', suite_name: 'string', total_cases: 'integer', status: 'string' },
  SimulationCaseCreateIn: {
    name: 'string',
    prompt: 'string',
    type: 'string',
    success_criteria: 'array',
    call_success_type: 'string',
    suite_id: 'string',
    base_agent_id: 'string?',
  },
  SimulationCaseUpdateIn: {
    name: 'string?',
    prompt: 'string?',
    success_criteria: 'array?',
    call_success_type: 'string?',
    suite_id: 'string?',
  },
  SimulationCaseGenerateIn: { agent_id: 'string', suite_id: 'string', include_tests: 'array' },
  SimulationSuiteCreateIn: { name: 'string', model_id: 'string', language: 'string' },
  SimulationSuiteUpdateIn: { name: 'string?', model_id: 'string?' },
  SimulationScenarioCreateIn: { name: 'string', description: 'string' },
  SimulationScenarioUpdateIn: { name: 'string?', description: 'string?' },
  SimulationCreateIn: {
    simulation_case_id: 'string',
    target_agent_id: 'string',
    simulation_session_id: 'string?',
    custom_variables: 'object',
  },
};

/** Required request fields of the reference that the spec must still require (relaxations are listed in spec/README.md). */
const referenceRequired: Record<string, string[]> = {
  SimulationCaseCreateIn: ['name', 'prompt', 'success_criteria', 'call_success_type'],
  SimulationCaseGenerateIn: ['agent_id'],
  SimulationSuiteCreateIn: ['name', 'model_id'],
  SimulationScenarioCreateIn: ['name', 'description'],
  SimulationCreateIn: ['simulation_case_id', 'target_agent_id'],
};

const referenceEnums: Record<string, string[]> = {
  SimulationCaseType: ['custom', 'agent_based'],
  CallSuccessType: ['all', 'any'],
  SimulationStatus: ['in-progress', 'completed', 'failed'],
  SimulationCaseTestCategory: [
    'csat_score',
    'accuracy_of_responses',
    'script_compliance',
    'angry_user',
    'repetitive_phrases',
    'conversational_naturalness',
    'task_completion',
  ],
};

interface ParamExpectation {
  in: string;
  required?: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  array?: boolean;
}
const paging = {
  page_number: { in: 'query', default: 1, minimum: 1 },
  page_size: { in: 'query', default: 10, minimum: 1, maximum: 100 },
} satisfies Record<string, ParamExpectation>;
const dates = { start_date: { in: 'query' }, end_date: { in: 'query' } } satisfies Record<string, ParamExpectation>;

const referenceParameters: Record<string, Record<string, ParamExpectation>> = {
  listSimulationCases: {
    ...paging,
    search: { in: 'query' },
    simulation_case_type: { in: 'query', enum: ['custom', 'agent_based'] },
    suite_id: { in: 'query' },
  },
  getSimulationCase: { simulation_case_id: { in: 'path', required: true } },
  updateSimulationCase: { simulation_case_id: { in: 'path', required: true } },
  deleteSimulationCase: { simulation_case_id: { in: 'path', required: true } },
  listSimulationCasesByAgent: { agent_id: { in: 'query', required: true } },
  listSimulationSuites: { ...paging, search: { in: 'query' }, model_ids: { in: 'query', array: true }, ...dates },
  getSimulationSuite: { suite_id: { in: 'path', required: true } },
  updateSimulationSuite: { suite_id: { in: 'path', required: true } },
  deleteSimulationSuite: { suite_id: { in: 'path', required: true } },
  executeSimulationSuite: {
    suite_id: { in: 'path', required: true },
    target_agent_id: { in: 'query', required: true },
    max_turns: { in: 'query', default: 20, minimum: 10, maximum: 50 },
  },
  listSimulationScenarios: { ...paging, search: { in: 'query' }, ...dates },
  getSimulationScenario: { scenario_id: { in: 'path', required: true } },
  updateSimulationScenario: { scenario_id: { in: 'path', required: true } },
  deleteSimulationScenario: { scenario_id: { in: 'path', required: true } },
  listSimulationSessions: { ...paging, target_agent_id: { in: 'query' }, ...dates },
  getSimulationSession: { simulation_session_id: { in: 'path', required: true } },
  listSimulations: {
    ...paging,
    simulation_session_id: { in: 'query' },
    status: { in: 'query', enum: ['in-progress', 'completed', 'failed'] },
    ...dates,
    target_agent_id: { in: 'query' },
  },
  getSimulation: { simulation_id: { in: 'path', required: true } },
};

/** Success envelope of each operation: where the reference puts the payload. */
const referenceEnvelopes: Record<string, { status: string; payload: string | null }> = {
  createSimulationCase: { status: '200', payload: 'object:simulation_case' },
  listSimulationCases: { status: '200', payload: 'object:pagination,items' },
  getSimulationCase: { status: '200', payload: 'object:simulation_case_id' },
  updateSimulationCase: { status: '200', payload: 'object:simulation_case_id' },
  deleteSimulationCase: { status: '204', payload: null },
  listSimulationCasesByAgent: { status: '200', payload: 'array' },
  createSimulationSuite: { status: '200', payload: 'object:id,cases' },
  listSimulationSuites: { status: '200', payload: 'object:items,total,page_number,page_size' },
  getSimulationSuite: { status: '200', payload: 'object:id,cases' },
  updateSimulationSuite: { status: '200', payload: 'object:id,cases' },
  deleteSimulationSuite: { status: '204', payload: null },
  createSimulationScenario: { status: '200', payload: 'object:id,description' },
  listSimulationScenarios: { status: '200', payload: 'object:items,total,page_number,page_size' },
  getSimulationScenario: { status: '200', payload: 'object:id,description' },
  updateSimulationScenario: { status: '200', payload: 'object:id,description' },
  deleteSimulationScenario: { status: '204', payload: null },
  startSimulation: { status: '200', payload: 'object:simulation_id' },
  listSimulationSessions: { status: '200', payload: 'object:pagination,items' },
  getSimulationSession: { status: '200', payload: 'object:simulation_session_id,simulations' },
  listSimulations: { status: '200', payload: 'object:pagination,items' },
  getSimulation: { status: '200', payload: 'object:simulation_id' },
};

/** The JSON types a schema admits, following `$ref`, `oneOf` and `anyOf`. */
function typesOf(node: unknown): Set<string> {
  const schema = spec.resolve<Node>(node);
  const types = new Set<string>();
  for (const key of ['oneOf', 'anyOf'] as const) {
    for (const branch of (schema[key] as unknown[] | undefined) ?? []) for (const t of typesOf(branch)) types.add(t);
  }
  const declared = schema.type;
  if (Array.isArray(declared)) for (const t of declared) types.add(String(t));
  else if (typeof declared === 'string') types.add(declared);
  return types;
}

const schemaNamed = (name: string) => spec.resolve<Node>(spec.at(`/components/schemas/${name}`));

describe('the spec holds everything the reference documents', () => {
  it('has the 23 operations of the reference with identical methods and paths', () => {
    const ours = spec.operations().map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(referenceOperations).toHaveLength(23);
    expect(ours).toEqual(expect.arrayContaining(referenceOperations));
  });

  it('lists the reference servers and the local server', () => {
    const urls = (spec.spec.servers as Array<{ url: string }>).map((s) => s.url);
    expect(urls).toEqual([
      'https://api.synthflow.ai/v2',
      'https://api.us.synthflow.ai/v2',
      'https://api.eu.synthflow.ai/v2',
      'http://localhost:4010/v2',
    ]);
  });

  it('secures every operation with bearer auth', () => {
    const schemes = (spec.spec.components as Node).securitySchemes as Record<string, Node>;
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.spec.security).toEqual([{ bearerAuth: [] }]);
    const unauthenticated = new Set(['getHealth']);
    for (const op of spec.operations().filter((o) => !unauthenticated.has(o.operationId))) {
      expect(op.definition.security, op.operationId).toBeUndefined();
    }
  });

  describe.each(Object.entries(referenceSchemas))('schema %s', (name, fields) => {
    it.each(Object.entries(fields))('has %s of type %s', (field, expected) => {
      const properties = schemaNamed(name).properties as Record<string, unknown>;
      expect(properties, `${name} is missing ${field}`).toHaveProperty([field]);
      const types = typesOf(properties[field]);
      const base = expected.replace('?', '');
      expect([...types], `${name}.${field}`).toContain(base);
      if (expected.endsWith('?')) expect([...types], `${name}.${field} must be nullable`).toContain('null');
    });
  });

  it.each(Object.entries(referenceRequired))('%s still requires what the reference requires', (name, required) => {
    expect(schemaNamed(name).required).toEqual(expect.arrayContaining(required));
  });

  it.each(Object.entries(referenceEnums))('enum %s has exactly the reference values', (name, values) => {
    expect(schemaNamed(name).enum).toEqual(values);
  });

  it('defaults the suite language to en-US and refuses multi', () => {
    const language = (schemaNamed('SimulationSuiteCreateIn').properties as Node).language as Node;
    expect(language.default).toBe('en-US');
    expect(spec.validateSchema('Locale', 'multi')).not.toEqual([]);
    for (const ok of ['en-US', 'es-ES', 'fr-FR', 'de', 'zh-Hant-TW']) expect(spec.validateSchema('Locale', ok), ok).toEqual([]);
  });

  describe.each(Object.entries(referenceParameters))('%s parameters', (operationId, parameters) => {
    it.each(Object.entries(parameters))('has %s as documented', (name, expected) => {
      const declared = [
        ...((spec.at(`/paths/${escapePointer(spec.operation(operationId).path)}`).parameters as unknown[]) ?? []),
        ...((spec.operation(operationId).definition.parameters as unknown[]) ?? []),
      ].map((p) => spec.resolve<Node>(p));
      const param = declared.find((p) => p.name === name && p.in === expected.in);
      expect(param, `${operationId} is missing ${expected.in} parameter ${name}`).toBeDefined();
      const schema = spec.resolve<Node>(param!.schema);
      expect(Boolean(param!.required), `${name} required`).toBe(Boolean(expected.required));
      if ('default' in expected) expect(schema.default).toBe(expected.default);
      if ('minimum' in expected) expect(schema.minimum).toBe(expected.minimum);
      if ('maximum' in expected) expect(schema.maximum).toBe(expected.maximum);
      if (expected.enum) expect(spec.resolve<Node>(schema).enum).toEqual(expected.enum);
      if (expected.array) {
        expect(schema.type).toBe('array');
        expect(param).toMatchObject({ style: 'form', explode: true });
      }
    });
  });

  it.each(Object.entries(referenceEnvelopes))('%s answers in the reference envelope', (operationId, { status, payload }) => {
    const responses = spec.operation(operationId).definition.responses as Record<string, unknown>;
    const response = spec.resolve<Node>(responses[status]);
    if (payload === null) {
      expect(response.content).toBeUndefined();
      return;
    }
    const body = spec.resolve<Node>(((response.content as Node)['application/json'] as Node).schema);
    expect(body.required).toEqual(['status', 'response']);
    const inner = spec.resolve<Node>((body.properties as Node).response);
    const [kind, keys] = payload.split(':');
    expect(inner.type).toBe(kind);
    for (const key of keys?.split(',') ?? []) expect(Object.keys(inner.properties as Node)).toContain(key);
  });

  it('answers execute un-wrapped and generate as NDJSON', () => {
    const execute = spec.operation('executeSimulationSuite').definition.responses as Record<string, Node>;
    const executeBody = spec.resolve<Node>((((execute['200'] as Node).content as Node)['application/json'] as Node).schema);
    expect(Object.keys(executeBody.properties as Node)).toEqual(['session_id', 'suite_id', 'suite_name', 'total_cases', 'status']);
    const generate = spec.operation('generateSimulationCases').definition.responses as Record<string, Node>;
    expect(Object.keys((generate['200'] as Node).content as Node)).toEqual(['application/x-ndjson']);
  });
});
