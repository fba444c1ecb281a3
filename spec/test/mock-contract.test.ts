import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SpecValidator, formatErrors } from '@sims/testkit';
import { referenceRequests } from './reference-requests.js';

const AUTH = { Authorization: 'Bearer sk_test_contract' };
let base: string;
let spec: SpecValidator;

beforeAll(() => {
  base = inject('prismUrl');
  spec = new SpecValidator();
});

async function send(method: string, url: string, init: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...AUTH, ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(base + url, { method: method.toUpperCase(), headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const json = type.includes('application/json') && text ? (JSON.parse(text) as unknown) : undefined;
  return { response, text, json };
}

describe('the mock serves every operation of the contract', () => {
  it('covers exactly the operations of the spec', () => {
    const fromSpec = spec
      .operations()
      .map((op) => op.operationId)
      .sort();
    expect(referenceRequests.map((r) => r.operationId).sort()).toEqual(fromSpec);
    expect(fromSpec.length).toBeGreaterThanOrEqual(23);
  });

  it.each(referenceRequests)('$operationId: $method $url answers $status with a body valid against the spec', async (req) => {
    expect(spec.operation(req.operationId)).toMatchObject({ method: req.method, path: req.path });
    const { response, text, json } = await send(req.method, req.url, { body: req.body });
    expect(response.status, text.slice(0, 500)).toBe(req.status);
    expect(response.headers.get('sl-violations')).toBeNull();
    if (req.status === 204) {
      expect(text).toBe('');
      return;
    }
    if (req.mediaType === 'application/x-ndjson') {
      expect(response.headers.get('content-type')).toContain('application/x-ndjson');
      expect(spec.validateResponse(req.operationId, req.status, text, req.mediaType)).toEqual([]);
      const lines = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string });
      for (const line of lines) {
        expect(formatErrors(spec.validateSchema('SimulationCaseGenerateEvent', line))).toBe('');
      }
      expect(lines.at(-1)?.type).toBe('done');
      return;
    }
    const errors = spec.validateResponse(req.operationId, req.status, json);
    expect(formatErrors(errors)).toBe('');
  });
});

describe('authentication', () => {
  const someOperations = referenceRequests.filter((_, i) => i % 4 === 0);

  it.each(someOperations)('$operationId without credentials answers 401 with the error body', async (req) => {
    const response = await fetch(base + req.url, {
      method: req.method.toUpperCase(),
      headers: req.body ? { 'Content-Type': 'application/json' } : {},
      body: req.body ? JSON.stringify(req.body) : undefined,
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(formatErrors(spec.validateResponse(req.operationId, 401, body))).toBe('');
  });

  it.each(['Basic dXNlcjpwYXNz', 'Token sk_test', 'sk_test_no_scheme'])(
    'a malformed Authorization header (%s) answers 401',
    async (value) => {
      const response = await fetch(`${base}/simulation_suites`, { headers: { Authorization: value } });
      expect(response.status).toBe(401);
    },
  );
});

describe('invalid requests answer the declared 4xx with validation details', () => {
  const cases = [
    { what: 'page_size above 100', method: 'get', url: '/simulation_cases?page_size=101', field: 'page_size' },
    { what: 'page_size below 1', method: 'get', url: '/simulation_suites?page_size=0', field: 'page_size' },
    { what: 'page_number of the wrong type', method: 'get', url: '/simulations?page_number=first', field: 'page_number' },
    { what: 'an unknown status filter', method: 'get', url: '/simulations?status=queued', field: 'status' },
    { what: 'a date that is not ISO 8601', method: 'get', url: '/simulation_scenarios?start_date=yesterday', field: 'start_date' },
    {
      what: 'max_turns out of range',
      method: 'post',
      url: '/simulation_suites/s/execute?target_agent_id=a&max_turns=51',
      field: 'max_turns',
    },
    { what: 'a missing required query parameter', method: 'post', url: '/simulation_suites/s/execute', field: 'target_agent_id' },
    {
      what: 'a missing required body field',
      method: 'post',
      url: '/simulation_cases',
      body: { name: 'x', prompt: 'y', call_success_type: 'all' },
      field: 'success_criteria',
    },
    {
      what: 'a body field of the wrong type',
      method: 'post',
      url: '/simulation_suites',
      body: { name: 'x', model_id: 42 },
      field: 'model_id',
    },
    {
      what: 'an unknown enum value in the body',
      method: 'post',
      url: '/simulation_cases/generate',
      body: { agent_id: 'a', include_tests: ['happiness'] },
      field: 'include_tests',
    },
    { what: 'an unknown body field', method: 'put', url: '/simulation_scenarios/x', body: { title: 'x' }, field: 'title' },
    {
      what: 'the locale multi',
      method: 'post',
      url: '/simulation_suites',
      body: { name: 'x', model_id: 'a', language: 'multi' },
      field: 'language',
    },
  ] as const;

  it.each(cases)('$what answers 422 naming $field', async (c) => {
    const opts = 'body' in c ? { body: c.body } : {};
    const { response, json } = await send(c.method, c.url, opts);
    expect(response.status).toBe(422);
    const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as Array<{ location: string[]; message: string }>;
    expect(violations.length).toBeGreaterThan(0);
    expect(JSON.stringify(violations)).toContain(c.field);
    const body = json as { error: { code: string; details: unknown[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.length).toBeGreaterThan(0);
  });

  it('a body that is not JSON answers 400', async () => {
    const { response } = await send('post', '/simulation_scenarios', { rawBody: '{"name": "x",' });
    expect(response.status).toBe(400);
  });
});

describe('declared error responses can be requested with Prefer', () => {
  const errorCases = [
    { operationId: 'getSimulation', url: '/simulations/missing', status: 404, code: 'not_found' },
    {
      operationId: 'executeSimulationSuite',
      url: '/simulation_suites/s/execute?target_agent_id=a',
      method: 'post',
      status: 409,
      code: 'conflict',
    },
    {
      operationId: 'createSimulationCase',
      url: '/simulation_cases',
      method: 'post',
      status: 413,
      code: 'payload_too_large',
      body: { name: 'a', prompt: 'b', success_criteria: ['c'], call_success_type: 'any' },
    },
    { operationId: 'listSimulationSuites', url: '/simulation_suites', status: 429, code: 'rate_limited' },
    {
      operationId: 'startSimulation',
      url: '/simulations',
      method: 'post',
      status: 400,
      code: 'bad_request',
      body: { simulation_case_id: 'c', target_agent_id: 'a' },
    },
  ];

  it.each(errorCases)('$operationId with Prefer: code=$status answers the error body', async (c) => {
    const { response, json } = await send(c.method ?? 'get', c.url, { body: c.body, headers: { Prefer: `code=${c.status}` } });
    expect(response.status).toBe(c.status);
    expect((json as { error: { code: string } }).error.code).toBe(c.code);
    expect(formatErrors(spec.validateResponse(c.operationId, c.status, json))).toBe('');
    if (c.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
