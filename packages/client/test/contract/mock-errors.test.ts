import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_STATUS } from '@sims/api-types/error-status';
import { formatErrors, SpecValidator } from '@sims/testkit';
import { createSimulationsClient, SimulationsApiError, unwrap, type ErrorCode, type SimulationsClient } from '../../src/index.js';
import { operationCalls } from './operations.js';

// Mock-only: Prism answers any declared response on `Prefer: code=…`; a real server would not.

// The code each status stands for, from the spec's x-status map (every code has its own status).
const CODE_BY_STATUS = Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code])) as Record<
  number,
  ErrorCode
>;

const spec = new SpecValidator();
let client: SimulationsClient;

beforeAll(() => {
  client = createSimulationsClient({ apiKey: 'sk_test_contract', baseUrl: inject('prismUrl'), retry: false });
});

const errorCases = spec.operations().flatMap((op) =>
  Object.keys(op.definition.responses as Record<string, unknown>)
    .map(Number)
    .filter((status) => status >= 400)
    .map((status) => ({ operationId: op.operationId, method: op.method, path: op.path, status })),
);

describe('every operation through the client', () => {
  it('the call table covers exactly the operations of the spec (the 23 of the reference and the additions)', () => {
    const fromSpec = spec
      .operations()
      .map((op) => op.operationId)
      .sort();
    expect(Object.keys(operationCalls).sort()).toEqual(fromSpec);
    expect(fromSpec.length).toBeGreaterThanOrEqual(23);
  });

  it('every operation declares error answers to ask for', () => {
    expect(new Set(errorCases.map((c) => c.operationId)).size).toBe(spec.operations().length);
  });
});

describe('error answers chosen with Prefer: code=… become one typed error', () => {
  it.each(errorCases)('$operationId ($method $path) answering $status', async ({ operationId, status }) => {
    const call = operationCalls[operationId];
    if (!call) throw new Error(`no call for ${operationId}`);
    const result = await call(client, { headers: { Prefer: `code=${status}` } });
    expect(result.response.status).toBe(status);
    expect(formatErrors(spec.validateResponse(operationId, status, result.error))).toBe('');

    const error = await unwrap(result).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SimulationsApiError);
    const apiError = error as SimulationsApiError;
    expect(apiError.status).toBe(status);
    expect(apiError.code).toBe(CODE_BY_STATUS[status]);
    expect(apiError.apiMessage.length).toBeGreaterThan(0);
    expect(apiError.requestId).toMatch(/\S/);
    expect(Array.isArray(apiError.details)).toBe(true);
    if (status === 429) expect(apiError.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('errors the mock derives from the request', () => {
  it('an invalid query answers validation_failed with field details', async () => {
    // The type allows any number; the spec allows 1–100.
    const result = await client.GET('/simulation_cases', { params: { query: { page_size: 101 } } });
    const error = await unwrap(result).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationsApiError);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((error as SimulationsApiError).details.length).toBeGreaterThan(0);
    expect(result.response.headers.get('sl-violations')).toContain('page_size');
  });

  it('a request without credentials answers unauthorized', async () => {
    const anonymous = createSimulationsClient({
      apiKey: 'sk_test_contract',
      baseUrl: inject('prismUrl'),
      retry: false,
      throwOnError: true,
    });
    anonymous.use({ onRequest: ({ request }) => void request.headers.delete('Authorization') });
    await expect(anonymous.GET('/simulation_suites')).rejects.toMatchObject({
      name: 'SimulationsApiError',
      status: 401,
      code: 'unauthorized',
    });
  });
});
