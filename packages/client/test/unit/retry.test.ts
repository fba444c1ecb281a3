import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, isRetryableRequest } from '../../src/transport.js';
import type { RetryEvent } from '../../src/index.js';
import { apiError, json, networkError, ok, sequence, testClient } from './helpers.js';

/** Retries fast: delays of a few ms, and every delay recorded. */
function fastRetry(extra: Record<string, unknown> = {}) {
  const events: RetryEvent[] = [];
  return { events, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 4, onRetry: (e: RetryEvent) => events.push(e), ...extra } };
}

const getSuites = (client: ReturnType<typeof testClient>) => client.GET('/simulation_suites');

describe('retries', () => {
  it.each([429, 502, 503, 504])('retries a GET answered %i, then returns the success', async (status) => {
    const { fetch, sent } = sequence(json({}, status), json({}, status), ok({ items: [] }));
    const { retry, events } = fastRetry();
    const result = await getSuites(testClient(fetch, { retry }));
    expect(result.response.status).toBe(200);
    expect(sent).toHaveLength(3);
    expect(events.map((e) => [e.retry, e.response?.status])).toEqual([
      [1, status],
      [2, status],
    ]);
  });

  it('stops after maxRetries and returns the last error answer', async () => {
    const { fetch, sent } = sequence(apiError(503, 'rate_limited'));
    const { retry } = fastRetry({ maxRetries: 2 });
    const result = await getSuites(testClient(fetch, { retry }));
    expect(sent).toHaveLength(3);
    expect(result.response.status).toBe(503);
    expect(result.error).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it.each([400, 401, 404, 409, 422, 500])('does not retry %i', async (status) => {
    const { fetch, sent } = sequence(json({}, status), ok({}));
    await getSuites(testClient(fetch, { retry: fastRetry().retry }));
    expect(sent).toHaveLength(1);
  });

  it('retries network errors and rethrows the last one', async () => {
    const { fetch, sent } = sequence(networkError(), networkError(), ok({}));
    const result = await getSuites(testClient(fetch, { retry: fastRetry().retry }));
    expect(result.response.status).toBe(200);
    expect(sent).toHaveLength(3);

    const failing = sequence(networkError());
    await expect(getSuites(testClient(failing.fetch, { retry: fastRetry({ maxRetries: 1 }).retry }))).rejects.toThrow('fetch failed');
    expect(failing.sent).toHaveLength(2);
  });

  it('does not retry errors that are not network errors', async () => {
    const { fetch, sent } = sequence(new TypeError('Invalid URL'));
    await expect(getSuites(testClient(fetch, { retry: fastRetry().retry }))).rejects.toThrow('Invalid URL');
    expect(sent).toHaveLength(1);
  });

  it('does not retry a POST without an Idempotency-Key', async () => {
    const { fetch, sent } = sequence(json({}, 503), ok({}));
    const client = testClient(fetch, { retry: fastRetry().retry });
    const result = await client.POST('/simulation_scenarios', { body: { name: 'n', description: 'd' } });
    expect(result.response.status).toBe(503);
    expect(sent).toHaveLength(1);

    const failing = sequence(networkError(), ok({}));
    await expect(
      testClient(failing.fetch, { retry: fastRetry().retry }).POST('/simulations', {
        body: { simulation_case_id: 'c', target_agent_id: 'a', max_turns: 20 },
      }),
    ).rejects.toThrow('fetch failed');
    expect(failing.sent).toHaveLength(1);
  });

  it('retries a POST carrying an Idempotency-Key, re-sending the same body, key and request id', async () => {
    const { fetch, sent } = sequence(json({}, 502), networkError(), ok({ simulation_id: 's' }));
    const client = testClient(fetch, { retry: fastRetry().retry });
    const body = { simulation_case_id: 'c', target_agent_id: 'a', max_turns: 20 };
    const result = await client.POST('/simulations', { body, params: { header: { 'Idempotency-Key': 'key-1' } } });
    expect(result.response.status).toBe(200);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.body))).toEqual(new Set([JSON.stringify(body)]));
    expect(new Set(sent.map((s) => s.request.headers.get('idempotency-key')))).toEqual(new Set(['key-1']));
    expect(new Set(sent.map((s) => s.request.headers.get('x-request-id'))).size).toBe(1);
  });

  it('retries PUT and DELETE, which are idempotent', async () => {
    const put = sequence(json({}, 503), ok({}));
    await testClient(put.fetch, { retry: fastRetry().retry }).PUT('/simulation_scenarios/{scenario_id}', {
      params: { path: { scenario_id: 'x' } },
      body: { name: 'new' },
    });
    expect(put.sent.map((s) => s.body)).toEqual(['{"name":"new"}', '{"name":"new"}']);
    const del = sequence(json({}, 504), new Response(null, { status: 204 }));
    const result = await testClient(del.fetch, { retry: fastRetry().retry }).DELETE('/simulation_scenarios/{scenario_id}', {
      params: { path: { scenario_id: 'x' } },
    });
    expect(result.response.status).toBe(204);
    expect(del.sent).toHaveLength(2);
  });

  it('classifies requests by method and Idempotency-Key', () => {
    expect(isRetryableRequest(new Request('http://x', { method: 'GET' }))).toBe(true);
    expect(isRetryableRequest(new Request('http://x', { method: 'DELETE' }))).toBe(true);
    expect(isRetryableRequest(new Request('http://x', { method: 'POST' }))).toBe(false);
    expect(isRetryableRequest(new Request('http://x', { method: 'PATCH' }))).toBe(false);
    expect(isRetryableRequest(new Request('http://x', { method: 'POST', headers: { 'Idempotency-Key': 'k' } }))).toBe(true);
  });

  it('turns off with retry: false or maxRetries: 0', async () => {
    for (const retry of [false, { maxRetries: 0 }] as const) {
      const { fetch, sent } = sequence(json({}, 503), ok({}));
      await getSuites(testClient(fetch, { retry }));
      expect(sent).toHaveLength(1);
    }
  });
});

describe('back-off', () => {
  it('doubles the delay for each retry, capped, with jitter within [half, full]', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5].map((i) => backoffDelay(i, 500, 8_000, low))).toEqual([250, 500, 1_000, 2_000, 4_000, 4_000]);
    expect([0, 1, 2, 3, 4, 5].map((i) => Math.round(backoffDelay(i, 500, 8_000, high)))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('waits the exponential delays between attempts', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const { fetch } = sequence(json({}, 503));
      const { retry, events } = fastRetry({ maxRetries: 4, baseDelayMs: 2, maxDelayMs: 10 });
      await getSuites(testClient(fetch, { retry }));
      // capped 2, 4, 8, 10 → 3/4 of each with random() = 0.5
      expect(events.map((e) => e.delayMs)).toEqual([1.5, 3, 6, 7.5]);
    } finally {
      random.mockRestore();
    }
  });
});

describe('Retry-After', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the seconds the server asks for before retrying', async () => {
    const { fetch, sent } = sequence(apiError(429, 'rate_limited', {}, { 'Retry-After': '3' }), ok({}));
    const { retry, events } = fastRetry();
    const pending = getSuites(testClient(fetch, { retry }));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const result = await pending;
    expect(sent).toHaveLength(2);
    expect(result.response.status).toBe(200);
    expect(events[0]?.delayMs).toBe(3_000);
  });

  it('accepts an HTTP date', async () => {
    const at = new Date(Date.now() + 5_000).toUTCString();
    const { fetch, sent } = sequence(json({}, 503, { 'Retry-After': at }), ok({}));
    const pending = getSuites(testClient(fetch, { retry: fastRetry().retry }));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await pending;
    expect(sent).toHaveLength(2);
  });

  it('gives up at once when Retry-After reaches past the time budget', async () => {
    const { fetch, sent } = sequence(apiError(429, 'rate_limited', {}, { 'Retry-After': '120' }), ok({}));
    const result = await getSuites(testClient(fetch, { retry: { maxElapsedMs: 60_000 } }));
    expect(result.response.status).toBe(429);
    expect(sent).toHaveLength(1);
  });

  it('bounds the total time of a call', async () => {
    const { fetch, sent } = sequence(json({}, 503, { 'Retry-After': '4' }));
    const pending = getSuites(testClient(fetch, { retry: { maxRetries: 10, maxElapsedMs: 10_000 } }));
    await vi.advanceTimersByTimeAsync(20_000);
    const result = await pending;
    // 0 s, 4 s, 8 s; a retry at 12 s would pass the 10 s budget.
    expect(sent).toHaveLength(3);
    expect(result.response.status).toBe(503);
  });

  it('stops waiting when the caller aborts during the back-off', async () => {
    const { fetch, sent } = sequence(json({}, 503, { 'Retry-After': '30' }), ok({}));
    const controller = new AbortController();
    const pending = testClient(fetch, { retry: fastRetry().retry }).GET('/simulation_suites', { signal: controller.signal });
    const outcome = expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await outcome;
    expect(sent).toHaveLength(1);
  });
});
