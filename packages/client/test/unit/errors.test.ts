import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseRetryAfter, SimulationsApiError, unwrap, type Schemas } from '../../src/index.js';
import { apiError, fakeFetch, json, ok, testClient } from './helpers.js';

const getSuite = (client: ReturnType<typeof testClient>) =>
  client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: 's1' } } });

async function rejection(promise: Promise<unknown>): Promise<SimulationsApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SimulationsApiError);
  return error as SimulationsApiError;
}

describe('unwrap', () => {
  it('returns the payload inside the { status, response } envelope', async () => {
    const { fetch } = fakeFetch(() => ok({ id: 's1', name: 'Refunds' }));
    const suite = await unwrap(getSuite(testClient(fetch)));
    expectTypeOf(suite).toEqualTypeOf<Schemas['SimulationSuiteReadOut']>();
    expect(suite).toEqual({ id: 's1', name: 'Refunds' });
  });

  it('returns the un-wrapped body of executeSimulationSuite as it is', async () => {
    const body = { session_id: 'x', suite_id: 's', suite_name: 'n', total_cases: 2, status: 'started' };
    const { fetch } = fakeFetch(() => json(body));
    const execution = await unwrap(
      testClient(fetch).POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: 's' }, query: { target_agent_id: 'a' } },
      }),
    );
    expectTypeOf(execution).toEqualTypeOf<Schemas['SimulationSuiteExecuteOut']>();
    expect(execution).toEqual(body);
  });

  it('returns undefined for a 204', async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    const result = await unwrap(testClient(fetch).DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: 's' } } }));
    expect(result).toBeUndefined();
  });

  it('accepts a result as well as a promise of one', async () => {
    const { fetch } = fakeFetch(() => ok([]));
    const result = await testClient(fetch).GET('/simulation_cases/by_agent', { params: { query: { agent_id: 'a' } } });
    expect(await unwrap(result)).toEqual([]);
  });

  it('throws one typed error with status, code, message, field details and request id', async () => {
    const details: Schemas['FieldError'][] = [{ location: 'query', field: 'page_size', message: 'must be <= 100' }];
    const { fetch } = fakeFetch(() =>
      apiError(422, 'validation_failed', { message: 'The request breaks 1 rule', details, request_id: 'req_body' }),
    );
    const error = await rejection(unwrap(getSuite(testClient(fetch))));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'SimulationsApiError', status: 422, code: 'validation_failed', requestId: 'req_body' });
    expect(error.details).toEqual(details);
    expect(error.apiMessage).toBe('The request breaks 1 rule');
    expect(error.message).toBe('The request breaks 1 rule (422 validation_failed)');
    expectTypeOf(error.code).toEqualTypeOf<Schemas['ErrorCode'] | 'server_error' | 'unknown_error'>();
  });

  it.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [404, 'not_found'],
    [408, 'request_timeout'],
    [409, 'conflict'],
    [413, 'payload_too_large'],
    [429, 'rate_limited'],
    [431, 'headers_too_large'],
  ] as const)('maps a %i error body to its code', async (status, code) => {
    const { fetch } = fakeFetch(() => apiError(status, code, {}, { 'Retry-After': '12' }));
    const error = await rejection(unwrap(getSuite(testClient(fetch))));
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.details).toEqual([]);
    expect(error.retryAfterMs).toBe(12_000);
  });

  it('falls back to the response header, then to the id the client sent, for the request id', async () => {
    const noBodyId = () => json({ status: 'error', error: { code: 'not_found', message: 'gone' } }, 404, { 'X-Request-Id': 'req_header' });
    expect((await rejection(unwrap(getSuite(testClient(fakeFetch(noBodyId).fetch))))).requestId).toBe('req_header');

    const nothing = fakeFetch(() => json({ status: 'error', error: { code: 'not_found', message: 'gone' } }, 404));
    const error = await rejection(unwrap(getSuite(testClient(nothing.fetch, { requestId: () => 'req_sent' }))));
    expect(error.requestId).toBe('req_sent');
    expect(nothing.sent[0]?.request.headers.get('x-request-id')).toBe('req_sent');
  });

  it('derives a code from the status when the body is not the API error body', async () => {
    const html = () =>
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } });
    const error = await rejection(unwrap(getSuite(testClient(fakeFetch(html).fetch))));
    expect(error).toMatchObject({
      status: 502,
      code: 'server_error',
      body: '<html>Bad gateway</html>',
      message: 'HTTP 502 Bad Gateway (502 server_error)',
    });
    const teapot = await rejection(unwrap(getSuite(testClient(fakeFetch(() => json({ oops: true }, 418)).fetch))));
    expect(teapot.code).toBe('unknown_error');
    const prism422 = await rejection(unwrap(getSuite(testClient(fakeFetch(() => json({ type: 'x', validation: [] }, 422)).fetch))));
    expect(prism422.code).toBe('validation_failed');
  });
});

describe('throwOnError', () => {
  it('rejects every call with an error answer, keeping success results as they are', async () => {
    const { fetch } = fakeFetch((request) =>
      request.url.endsWith('/ok') ? ok({ id: 'ok' }) : apiError(404, 'not_found', { request_id: 'req_404' }),
    );
    const client = testClient(fetch, { throwOnError: true });
    const error = await rejection(client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: 'missing' } } }));
    expect(error).toMatchObject({ status: 404, code: 'not_found', requestId: 'req_404' });
    const { data } = await client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: 'ok' } } });
    expect(data?.response).toEqual({ id: 'ok' });
  });

  it('keeps text bodies that are not JSON', async () => {
    const { fetch } = fakeFetch(() => new Response('upstream down', { status: 503 }));
    const error = await rejection(testClient(fetch, { throwOnError: true }).GET('/simulation_suites'));
    expect(error).toMatchObject({ status: 503, code: 'server_error', body: 'upstream down' });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});
