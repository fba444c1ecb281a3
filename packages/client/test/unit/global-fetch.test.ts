import { afterEach, describe, expect, it } from 'vitest';
import { createSimulationsClient } from '../../src/index.js';
import { hangingGlobalFetch } from './helpers.js';

/**
 * With no `fetch` option the client sends through the global fetch and hands it each attempt's
 * time-out signal in `init` (as `fetch(request, init)` reads it) rather than in a copy of the request.
 */
const original = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = original;
});

describe('the global fetch', () => {
  it('gets the time-out signal in init and the request as the middleware left it', async () => {
    const calls = hangingGlobalFetch();
    const client = createSimulationsClient({ apiKey: 'sk_global', baseUrl: 'https://api.test/v2', timeoutMs: 20, retry: false });
    await expect(client.GET('/simulation_suites')).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'GET https://api.test/v2/simulation_suites timed out after 20 ms',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init?.signal?.aborted).toBe(true);
    expect(calls[0]?.request.headers.get('authorization')).toBe('Bearer sk_global');
    expect(calls[0]?.request.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("ends with the caller's abort, not a time-out", async () => {
    hangingGlobalFetch();
    const client = createSimulationsClient({ apiKey: 'sk_global', baseUrl: 'https://api.test/v2', timeoutMs: 60_000, retry: false });
    const controller = new AbortController();
    const pending = client.GET('/simulation_suites', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 5);
    await expect(pending).rejects.toThrow('user left');
  });

  it('with timeoutMs 0 gets no init signal at all', async () => {
    let seen: RequestInit | undefined | 'unset' = 'unset';
    globalThis.fetch = (async (_request: Request, init?: RequestInit) => {
      seen = init;
      return new Response('{"status":"ok","response":{}}', { headers: { 'Content-Type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const client = createSimulationsClient({ apiKey: 'sk_global', baseUrl: 'https://api.test/v2', timeoutMs: 0, retry: false });
    expect((await client.GET('/simulation_suites')).response.ok).toBe(true);
    expect(seen).toBeUndefined();
  });
});
