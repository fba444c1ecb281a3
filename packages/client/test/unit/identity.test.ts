import { describe, expect, it } from 'vitest';
import { SimulationsApiError, unwrap } from '../../src/index.js';
import { apiError, fakeFetch, ok, testClient } from './helpers.js';

/**
 * The API key and User-Agent are the client's default headers (a call's headers and middleware can
 * change them); the request id is set by the client's fetch on the request as every middleware left it.
 */
describe('identity headers', () => {
  it('keeps an X-Request-Id a middleware set, and lets a middleware see and change the default headers', async () => {
    const { fetch, sent } = fakeFetch(() => ok({}));
    const client = testClient(fetch, { userAgent: 'acme/1' });
    const seen: Array<string | null> = [];
    client.use({
      onRequest: ({ request }) => {
        seen.push(request.headers.get('authorization'), request.headers.get('user-agent'), request.headers.get('x-request-id'));
        request.headers.set('X-Request-Id', 'req_from_middleware');
        request.headers.set('Authorization', 'Bearer other');
      },
    });
    await client.GET('/simulation_suites');
    expect(seen).toEqual(['Bearer sk_test_unit', expect.stringMatching(/^acme\/1 sims-client\//), null]);
    const headers = sent[0]?.request.headers;
    expect(headers?.get('x-request-id')).toBe('req_from_middleware');
    expect(headers?.get('authorization')).toBe('Bearer other');
  });

  it("gives an error answer's SimulationsApiError the id it sent when the server echoed none", async () => {
    const { fetch, sent } = fakeFetch(
      () => new Response('{"status":"error"}', { status: 503, headers: { 'Content-Type': 'application/json' } }),
    );
    const error = await unwrap(testClient(fetch).GET('/simulation_suites')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationsApiError);
    expect((error as SimulationsApiError).requestId).toBe(sent[0]?.request.headers.get('x-request-id'));
    expect((error as SimulationsApiError).requestId).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('onResponse middleware sees the headers the client sent', async () => {
    const { fetch } = fakeFetch(() => apiError(404, 'not_found'));
    const client = testClient(fetch, { requestId: () => 'req_seen' });
    let seen: string | null = null;
    client.use({
      onResponse: ({ request }) => {
        seen = request.headers.get('x-request-id');
      },
    });
    await client.GET('/simulation_suites');
    expect(seen).toBe('req_seen');
  });
});
