import { describe, expect, it } from 'vitest';
import { escapePointer, formatErrors, SpecValidator } from '@sims/testkit';
import { loadBundle } from '@sims/spec/runtime';
import { checkResponse } from '../fuzz/checks.js';
import { RequestGenerator } from '../fuzz/generator.js';
import { IdPool, KINDS } from '../fuzz/ids.js';
import { formatReport } from '../fuzz/report.js';
import { runFuzz } from '../fuzz/runner.js';
import { materialize, type WireResponse } from '../fuzz/wire.js';

const validator = new SpecValidator(loadBundle());
const generator = new RequestGenerator(validator);
const keys = { main: 'sk_main', foreign: 'sk_foreign' };

/** A pool of made-up ids, so that plans can be written without a server. */
function fakePool(): IdPool {
  const pool = new IdPool();
  KINDS.forEach((kind, k) => {
    for (let i = 0; i < 3; i += 1) {
      pool.addSeeded(kind, `0000000${k}-0000-4000-8000-00000000000${i}`);
      pool.addForeign(kind, `0000000${k}-0000-4000-8000-00000000010${i}`);
    }
  });
  return pool;
}

/** Where a parameter of an operation is defined in the spec (every one is a `$ref` to a component). */
function parameterPointer(operationId: string, name: string): string {
  const refs = (validator.operation(operationId).definition.parameters ?? []) as Array<{ $ref: string }>;
  const ref = refs.find((r) => validator.resolve<{ name: string }>(r).name === name);
  if (!ref?.$ref) throw new Error(`${operationId} ${name}: not a $ref`);
  return ref.$ref.slice(1);
}

const response = (
  status: number,
  body: unknown,
  headers: Record<string, string> = { 'x-request-id': 'req_1', 'content-type': 'application/json' },
): WireResponse => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  ms: 1,
});

const errorBody = (code: string, requestId = 'req_1') => ({ status: 'error', error: { code, message: 'm', request_id: requestId } });

describe('the request generator', () => {
  it('makes the same requests for a seed, other ones for another seed, whatever the order they are asked in', () => {
    const plans = (seed: number, indices: number[]) => indices.map((i) => JSON.stringify(generator.plan(seed, i)));
    const indices = Array.from({ length: 200 }, (_, i) => i);
    const first = plans(7, indices);
    expect(first).toEqual(plans(7, [...indices].reverse()).reverse());
    const other = plans(8, indices);
    expect(other.filter((plan, i) => plan === first[i]).length).toBeLessThan(20);
  });

  it('covers every operation, and every family of mutation, in 6,000 requests', () => {
    const shapes = new Set<string>();
    const operations = new Set<string>();
    for (let i = 0; i < 6_000; i += 1) {
      const plan = generator.plan(1, i);
      shapes.add(plan.shape);
      operations.add(plan.operationId);
    }
    expect([...operations].sort()).toEqual(generator.operations.map((op) => op.operationId).sort());
    for (const shape of [
      'valid',
      'path:bad-percent',
      'path:empty',
      'path:long',
      'path:unicode',
      'query:date-forms',
      'query:out-of-range',
      'query:repeated',
      'body:drop-key',
      'body:wrong-type',
      'body:malformed-json',
      'body:content-type',
      'body:unexpected-json',
      'body:oversize-array',
      'body:deep-nesting',
      'auth:missing',
      'auth:foreign',
      'header:idempotency-reuse',
    ]) {
      expect(shapes, shape).toContain(shape);
    }
  });

  it('makes valid requests that the spec accepts: bodies, query parameters and path ids', () => {
    const pool = fakePool();
    const invalid: string[] = [];
    let checked = 0;
    for (let i = 0; checked < 1_500; i += 1) {
      const plan = generator.plan(3, i);
      if (plan.shape !== 'valid') continue;
      checked += 1;
      const op = generator.operation(plan.operationId);
      const wire = materialize(plan, op, pool, keys);
      const definition = validator.operation(op.operationId).definition;
      if (wire.body !== undefined) {
        const requestBody = definition.requestBody as { $ref?: string };
        const base = requestBody.$ref?.slice(1) ?? `/paths/${escapePointer(op.path)}/${op.method}/requestBody`;
        const errors = validator.validateAt(`${base}/content/application~1json/schema`, JSON.parse(wire.body));
        if (errors.length) invalid.push(`#${i} ${op.operationId} body ${wire.body.slice(0, 200)}: ${formatErrors(errors)}`);
      }
      const query = new URL(wire.target, 'http://x').searchParams;
      for (const param of op.parameters.filter((p) => p.in === 'query')) {
        const values = query.getAll(param.name);
        if (!values.length) {
          if (param.required) invalid.push(`#${i} ${op.operationId} lacks ${param.name}`);
          continue;
        }
        const value = param.schema.type === 'array' ? values : param.schema.type === 'integer' ? Number(values[0]) : values[0];
        if (values.length > 1 && param.schema.type !== 'array') invalid.push(`#${i} ${op.operationId} repeats ${param.name}`);
        const errors = validator.validateAt(`${parameterPointer(op.operationId, param.name)}/schema`, value);
        if (errors.length) invalid.push(`#${i} ${op.operationId} ${param.name}=${JSON.stringify(value)}: ${formatErrors(errors)}`);
      }
      for (const [name, id] of Object.entries(wire.pathIds)) if (!id) invalid.push(`#${i} ${op.operationId} empty ${name}`);
    }
    expect(invalid, invalid.slice(0, 10).join('\n')).toEqual([]);
  });
});

describe('the response checks', () => {
  const op = (id: string) => generator.operation(id);

  it('pass an answer that keeps the contract', () => {
    const health = { status: 'ok', response: { version: '1.0.0', started_at: '2024-01-01T00:00:00.000Z' } };
    expect(checkResponse(validator, op('getHealth'), {}, response(200, health))).toEqual([]);
    expect(checkResponse(validator, op('getAgent'), {}, response(404, errorBody('not_found')))).toEqual([]);
    expect(checkResponse(validator, op('deleteAgent'), {}, response(204, '', { 'x-request-id': 'req_1' }))).toEqual([]);
  });

  it('catch a 5xx, an undeclared status, a framework error body and a missing request id', () => {
    const kinds = (id: string, r: WireResponse) =>
      checkResponse(validator, op(id), {}, r)
        .map((p) => p.kind)
        .sort();
    expect(kinds('getAgent', response(500, errorBody('internal_error')))).toEqual(['5xx', 'undeclared-status']);
    const fastify = {
      error: 'Bad Request',
      code: 'FST_ERR_BAD_URL',
      message: "'/v2/agents/%ZZ' is not a valid url component",
      statusCode: 400,
    };
    expect(kinds('getAgent', response(400, fastify, { 'content-type': 'application/json' }))).toEqual([
      'error-shape',
      'request-id-header',
      'undeclared-status',
    ]);
    expect(kinds('getAgent', response(404, errorBody('not_found', 'req_2')))).toEqual(['error-shape']);
  });

  it('catch a 2xx body that breaks its schema, a stream line that is no event, and an echo that is not', () => {
    const kinds = (id: string, r: WireResponse, sent = {}) => checkResponse(validator, op(id), sent, r).map((p) => p.kind);
    expect(kinds('getHealth', response(200, { status: 'ok', response: { version: 1 } }))).toEqual(['schema']);
    const stream = (lines: string) => response(200, lines, { 'x-request-id': 'req_1', 'content-type': 'application/x-ndjson' });
    expect(kinds('generateSimulationCases', stream('{"type":"done","simulation_case_ids":[]}\n'))).toEqual([]);
    expect(kinds('generateSimulationCases', stream('{"type":"progress"}\n{"type":"done","simulation_case_ids":[]}\n'))).toEqual(['schema']);
    expect(kinds('getAgent', response(404, errorBody('not_found')), { requestId: 'mine-1' })).toEqual(['request-id-header']);
  });

  it('catch an agent accepted with a connector URL the outbound guard must refuse', () => {
    const agent = {
      status: 'ok',
      response: {
        id: '00000000-0000-4000-8000-000000000000',
        workspace_id: 'w',
        name: 'a',
        prompt: 'p',
        connector: { kind: 'http', url: 'http://[::a9fe:a9fe]/', header_names: [] },
        agent_type: 'inbound',
        avatar_url: null,
        phone_number: null,
        created_at: '2024-01-01T00:00:00.000Z',
        updated_at: '2024-01-01T00:00:00.000Z',
      },
    };
    const sent = { body: { name: 'a', prompt: 'p', connector: { kind: 'http', url: 'http://[::a9fe:a9fe]/' } } };
    expect(checkResponse(validator, op('createAgent'), sent, response(200, agent)).map((p) => p.kind)).toContain('url-guard');
  });
});

describe('the fuzz slice', () => {
  it('answers 3,000 fixed-seed requests over every operation within the contract', async () => {
    const report = await runFuzz({ count: 3_000, seed: 20_240_901, concurrency: 8 });
    const problems = Object.values(report.problems).reduce((a, b) => a + b, 0);
    expect(problems, formatReport(report, { failures: 15 })).toBe(0);
    expect(report.requests).toBe(3_000);
    // The requests reached the handlers, not only validation: every operation answered a 2xx and a 4xx.
    for (const op of generator.operations) {
      const statuses = Object.keys(report.byOperation[op.operationId] ?? {}).map(Number);
      expect(
        statuses.some((s) => s >= 200 && s < 300),
        `${op.operationId} never succeeded`,
      ).toBe(true);
      if (op.operationId !== 'getHealth')
        expect(
          statuses.some((s) => s >= 400 && s < 500),
          `${op.operationId} never refused`,
        ).toBe(true);
    }
  }, 240_000);
});
