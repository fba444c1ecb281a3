import { describe, expect, it } from 'vitest';
import { raw, seededServerForFile } from './support/server.js';
import { responseProblems, strictSpec } from './support/strict-spec.js';

/** Each malformed or invalid request answers the spec's error body with the right status and code, never a 500. */
const context = seededServerForFile();

interface Row {
  what: string;
  operationId?: string;
  method: string;
  url: string | (() => string);
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Expected `details[]` entry, as `location field`. */
  detail?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const validCase = { name: 'x', prompt: 'y', success_criteria: ['z'], call_success_type: 'all' };

// biome-ignore format: one line per case keeps the table readable (and greppable) as a table
const rows: Row[] = [
  { what: 'malformed JSON', operationId: 'createSimulationScenario', method: 'POST', url: '/simulation_scenarios', body: '{"name": "x",', status: 400, code: 'bad_request', detail: 'body ' },
  { what: 'a body that is not JSON at all', operationId: 'createAgent', method: 'POST', url: '/agents', body: 'name=x', status: 400, code: 'bad_request' },
  {
    what: 'a non-JSON content type', operationId: 'createAgent', method: 'POST', url: '/agents', body: 'hello',
    headers: { 'Content-Type': 'text/plain' }, status: 400, code: 'bad_request', detail: 'header Content-Type',
  },
  { what: 'a missing body', operationId: 'createSimulationSuite', method: 'POST', url: '/simulation_suites', status: 422, code: 'validation_failed', detail: 'body ' },
  { what: 'a JSON array for an object', operationId: 'createAgent', method: 'POST', url: '/agents', body: '[]', status: 422, code: 'validation_failed', detail: 'body ' },
  { what: 'a number for a string', operationId: 'createSimulationSuite', method: 'POST', url: '/simulation_suites', body: json({ name: 'x', model_id: 42 }), status: 422, code: 'validation_failed', detail: 'body /model_id' },
  { what: 'a string for an array', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, success_criteria: 'z' }), status: 422, code: 'validation_failed', detail: 'body /success_criteria' },
  { what: 'a missing required field', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ name: 'x', prompt: 'y', call_success_type: 'all' }), status: 422, code: 'validation_failed', detail: 'body /success_criteria' },
  { what: 'an unknown field', operationId: 'updateSimulationScenario', method: 'PUT', url: () => `/simulation_scenarios/${context.ids.scenarioId}`, body: json({ title: 'x' }), status: 422, code: 'validation_failed', detail: 'body /title' },
  { what: 'an unknown enum value', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, call_success_type: 'most' }), status: 422, code: 'validation_failed', detail: 'body /call_success_type' },
  { what: 'an empty criteria list', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, success_criteria: [] }), status: 422, code: 'validation_failed', detail: 'body /success_criteria' },
  { what: 'an unknown check kind', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, checks: [{ kind: 'sentiment', text: 'x' }] }), status: 422, code: 'validation_failed', detail: 'body /checks/0' },
  { what: 'a check pattern over 200 characters', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, checks: [{ kind: 'matches', pattern: 'a'.repeat(201) }] }), status: 422, code: 'validation_failed', detail: 'body /checks/0' },
  { what: 'an empty caller turn', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, caller_turns: [''] }), status: 422, code: 'validation_failed', detail: 'body /caller_turns/0' },
  { what: 'an http connector without url', operationId: 'createAgent', method: 'POST', url: '/agents', body: json({ name: 'a', prompt: 'p', connector: { kind: 'http' } }), status: 422, code: 'validation_failed', detail: 'body /connector' },
  { what: 'an unknown builtin agent', operationId: 'createAgent', method: 'POST', url: '/agents', body: json({ name: 'a', prompt: 'p', connector: { kind: 'builtin', builtin: 'nope' } }), status: 422, code: 'validation_failed', detail: 'body /connector' },
  { what: 'a loopback webhook URL (outbound guard)', operationId: 'createAgent', method: 'POST', url: '/agents', body: json({ name: 'a', prompt: 'p', connector: { kind: 'http', url: 'http://127.0.0.1:8080/x' } }), status: 422, code: 'validation_failed', detail: 'body /connector/url' },
  { what: 'a name over 200 characters', operationId: 'createAgent', method: 'POST', url: '/agents', body: json({ name: 'n'.repeat(201), prompt: 'p' }), status: 422, code: 'validation_failed', detail: 'body /name' },
  { what: 'the locale multi', operationId: 'createSimulationSuite', method: 'POST', url: '/simulation_suites', body: json({ name: 'x', model_id: 'a', language: 'multi' }), status: 422, code: 'validation_failed', detail: 'body /language' },
  { what: 'a custom variable name that cannot be a placeholder', operationId: 'startSimulation', method: 'POST', url: '/simulations', body: json({ simulation_case_id: 'c', target_agent_id: 'a', custom_variables: { 'not ok': 1 } }), status: 422, code: 'validation_failed', detail: 'body /custom_variables' },
  { what: 'max_turns in the body out of range', operationId: 'startSimulation', method: 'POST', url: '/simulations', body: json({ simulation_case_id: 'c', target_agent_id: 'a', max_turns: 9 }), status: 422, code: 'validation_failed', detail: 'body /max_turns' },
  { what: 'page_size over 100', operationId: 'listSimulationCases', method: 'GET', url: '/simulation_cases?page_size=101', status: 422, code: 'validation_failed', detail: 'query page_size' },
  { what: 'page_number 0', operationId: 'listSimulationSuites', method: 'GET', url: '/simulation_suites?page_number=0', status: 422, code: 'validation_failed', detail: 'query page_number' },
  { what: 'page_number that is not a number', operationId: 'listSimulations', method: 'GET', url: '/simulations?page_number=first', status: 422, code: 'validation_failed', detail: 'query page_number' },
  { what: 'an unknown status filter', operationId: 'listSimulations', method: 'GET', url: '/simulations?status=queued', status: 422, code: 'validation_failed', detail: 'query status' },
  { what: 'a date that is not ISO 8601', operationId: 'listSimulationScenarios', method: 'GET', url: '/simulation_scenarios?start_date=yesterday', status: 422, code: 'validation_failed', detail: 'query start_date' },
  { what: 'more than 50 model_ids', operationId: 'listSimulationSuites', method: 'GET', url: `/simulation_suites?${Array.from({ length: 51 }, (_, i) => `model_ids=m${i}`).join('&')}`, status: 422, code: 'validation_failed', detail: 'query model_ids' },
  { what: 'max_turns over 50', operationId: 'executeSimulationSuite', method: 'POST', url: '/simulation_suites/s/execute?target_agent_id=a&max_turns=51', status: 422, code: 'validation_failed', detail: 'query max_turns' },
  { what: 'a missing required query parameter', operationId: 'executeSimulationSuite', method: 'POST', url: '/simulation_suites/s/execute', status: 422, code: 'validation_failed', detail: 'query target_agent_id' },
  { what: 'a missing agent_id on by_agent', operationId: 'listSimulationCasesByAgent', method: 'GET', url: '/simulation_cases/by_agent', status: 422, code: 'validation_failed', detail: 'query agent_id' },
  {
    what: 'an Idempotency-Key over 255 characters', operationId: 'startSimulation', method: 'POST', url: '/simulations',
    body: json({ simulation_case_id: 'c', target_agent_id: 'a' }), headers: { 'Idempotency-Key': 'k'.repeat(256) }, status: 422, code: 'validation_failed', detail: 'header Idempotency-Key',
  },
  { what: 'a body over 1 MiB', operationId: 'createAgent', method: 'POST', url: '/agents', body: json({ name: 'n', prompt: 'p'.repeat(1024 * 1024) }), status: 413, code: 'payload_too_large' },
  { what: 'an unknown case id', operationId: 'getSimulationCase', method: 'GET', url: '/simulation_cases/9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d', status: 404, code: 'not_found' },
  { what: 'a placeholder id', operationId: 'getSimulationSuite', method: 'GET', url: '/simulation_suites/your-suite-id', status: 404, code: 'not_found' },
  { what: 'an unknown suite in the body', operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: json({ ...validCase, suite_id: 'your-suite-id' }), status: 404, code: 'not_found' },
  { what: 'an unknown agent in the body', operationId: 'createSimulationSuite', method: 'POST', url: '/simulation_suites', body: json({ name: 'x', model_id: 'your-agent-model-id' }), status: 404, code: 'not_found' },
  { what: 'an unknown scenario to generate from', operationId: 'generateSimulationCases', method: 'POST', url: '/simulation_cases/generate', body: '', status: 404, code: 'not_found' },
  { what: 'a path that is no operation', method: 'GET', url: '/simulation_things', status: 404, code: 'not_found' },
  { what: 'a method the path does not have', method: 'PATCH', url: '/simulations', body: '{}', status: 404, code: 'not_found' },
];

describe('bad input', () => {
  it.each(rows)('$what answers $status $code', async (row) => {
    const url = typeof row.url === 'function' ? row.url() : row.url;
    let body = row.body;
    if (row.what === 'an unknown scenario to generate from')
      body = json({ agent_id: context.ids.agentId, scenario_ids: ['missing-scenario'] });
    const {
      status,
      json: answer,
      response,
    } = await raw(context.server.url + url, { method: row.method, key: context.server.key, body, headers: row.headers });
    expect(status).toBe(row.status);
    expect(answer.error.code).toBe(row.code);
    expect(answer.error.request_id).toBe(response.headers.get('x-request-id'));
    if (row.detail) {
      expect(answer.error.details.map((d: { location: string; field: string }) => `${d.location} ${d.field}`)).toContain(row.detail);
    }
    const problems = row.operationId
      ? responseProblems(row.operationId, row.status, answer)
      : strictSpec.validateSchema('Error', answer).map((e) => e.message);
    expect(problems).toEqual([]);
  });

  it('never answers 500 to random garbage', async () => {
    const bodies = [
      'null',
      'true',
      '"text"',
      '1e309',
      '{"__proto__": {"x": 1}}',
      '{"name": null, "prompt": null}',
      '\u0000',
      '{"a":'.repeat(1000),
    ];
    for (const body of bodies) {
      const { status } = await raw(`${context.server.url}/agents`, { method: 'POST', key: context.server.key, body });
      expect([400, 422], body.slice(0, 20)).toContain(status);
    }
  });
});
