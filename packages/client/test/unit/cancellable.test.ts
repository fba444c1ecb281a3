import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulationsClient } from '../../src/index.js';
import { hangingGlobalFetch } from './helpers.js';
import { ClientRequest } from '../../src/transport.js';

/**
 * An attempt listens to its request's own signal only when something can abort it: the client builds
 * each call's request itself (`ClientRequest`) and knows whether the caller gave a signal; a request a
 * middleware put in its place is always listened to.
 */
const original = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = original;
});

const clientWith = (timeoutMs: number) =>
  createSimulationsClient({ apiKey: 'sk_cancel', baseUrl: 'https://api.test/v2', timeoutMs, retry: false });

describe('abort wiring of an attempt', () => {
  it('adds no listener to the signal of a request built without one, and still times out', async () => {
    const calls = hangingGlobalFetch();
    const pending = clientWith(20).GET('/simulation_suites');
    const outcome = expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    await new Promise((resolve) => setImmediate(resolve));
    const request = calls[0]?.request as Request;
    expect(Object.getPrototypeOf(request)).toBe(ClientRequest.prototype);
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
    await outcome;
  });

  it("listens to a request carrying the caller's signal, and lets go of it when the attempt ends", async () => {
    const calls = hangingGlobalFetch();
    const controller = new AbortController();
    const pending = clientWith(60_000).GET('/simulation_suites', { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    const request = calls[0]?.request as Request;
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('user left'));
    await expect(pending).rejects.toThrow('user left');
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
  });

  it('honours the signal of a request that a middleware put in place of the built one', async () => {
    hangingGlobalFetch();
    const client = clientWith(60_000);
    const controller = new AbortController();
    client.use({ onRequest: ({ request }) => new Request(request, { signal: controller.signal }) });
    const pending = client.GET('/simulation_suites');
    setTimeout(() => controller.abort(new Error('middleware gave up')), 5);
    await expect(pending).rejects.toThrow('middleware gave up');
  });

  it('a copy of a cancellable ClientRequest is listened to and follows its abort; one given signal null is not', async () => {
    const calls = hangingGlobalFetch();
    const controller = new AbortController();
    const built = new ClientRequest('https://api.test/v2/simulation_suites', { signal: controller.signal });
    const replacements = [new ClientRequest(built), new ClientRequest(built, { signal: null })];
    const client = clientWith(50);
    client.use({ onRequest: () => replacements.shift() });
    const copy = client.GET('/simulation_suites');
    const detached = client.GET('/simulation_suites');
    const outcomes = [expect(copy).rejects.toThrow('stopped'), expect(detached).rejects.toMatchObject({ name: 'TimeoutError' })];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map(({ request }) => getEventListeners(request.signal, 'abort').length)).toEqual([1, 0]);
    controller.abort(new Error('stopped'));
    await Promise.all(outcomes);
  });
});
