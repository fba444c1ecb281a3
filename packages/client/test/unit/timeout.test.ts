import { describe, expect, it } from 'vitest';
import { fakeFetch, networkError, ok, testClient } from './helpers.js';

/** A fetch that never answers, but rejects as fetch does when the request's signal aborts. */
function hangingFetch(answerAfterAttempts = Infinity) {
  return fakeFetch((request, index) =>
    index >= answerAfterAttempts
      ? ok({})
      : new Promise<Response>((_resolve, reject) => {
          if (request.signal.aborted) reject(request.signal.reason);
          request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
        }),
  );
}

describe('time-outs', () => {
  it('aborts an attempt that gets no answer within timeoutMs with a TimeoutError', async () => {
    const { fetch, sent } = hangingFetch();
    const client = testClient(fetch, { timeoutMs: 20 });
    await expect(client.POST('/simulation_scenarios', { body: { name: 'n', description: 'd' } })).rejects.toMatchObject({
      name: 'TimeoutError',
      message: expect.stringMatching(/POST https:\/\/api\.test\/v2\/simulation_scenarios timed out after 20 ms/),
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.request.signal.aborted).toBe(true);
  });

  it('retries a timed-out idempotent request', async () => {
    const { fetch, sent } = hangingFetch(1);
    const client = testClient(fetch, { timeoutMs: 20, retry: { baseDelayMs: 1 } });
    const result = await client.GET('/simulation_suites');
    expect(result.response.status).toBe(200);
    expect(sent).toHaveLength(2);
  });

  it("ends with the caller's abort, not a time-out, and does not retry it", async () => {
    const { fetch, sent } = hangingFetch();
    const controller = new AbortController();
    const client = testClient(fetch, { timeoutMs: 60_000, retry: { baseDelayMs: 1 } });
    const pending = client.GET('/simulation_suites', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 5);
    await expect(pending).rejects.toThrow('user left');
    expect(sent).toHaveLength(1);
  });

  it('passes an already aborted signal straight through', async () => {
    const { fetch } = hangingFetch();
    const client = testClient(fetch, { timeoutMs: 60_000 });
    await expect(client.GET('/simulation_suites', { signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
  });

  it('does not time out answers that arrive in time, and leaves no timer behind', async () => {
    const { fetch } = fakeFetch(() => ok({}));
    const client = testClient(fetch, { timeoutMs: 1_000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => client.GET('/simulation_suites')));
    expect(results.every((r) => r.response.ok)).toBe(true);
  });

  it('with timeoutMs 0 sends the request untouched', async () => {
    const { fetch, sent } = fakeFetch(() => ok({}));
    const controller = new AbortController();
    await testClient(fetch, { timeoutMs: 0 }).GET('/simulation_suites', { signal: controller.signal });
    controller.abort();
    expect(sent[0]?.request.signal.aborted).toBe(true);
  });

  it('a network error still surfaces as the TypeError fetch threw', async () => {
    const { fetch } = fakeFetch(() => {
      throw networkError();
    });
    await expect(testClient(fetch, { timeoutMs: 1_000 }).GET('/simulation_suites')).rejects.toBeInstanceOf(TypeError);
  });
});
