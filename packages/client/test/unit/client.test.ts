import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSimulationsClient, REGION_BASE_URLS, VERSION, type SimulationsClientOptions } from '../../src/index.js';
import { fakeFetch, ok, testClient } from './helpers.js';

const echo = () => fakeFetch(() => ok({}));

describe('createSimulationsClient', () => {
  it('sends the API key as a bearer token on every request', async () => {
    const { fetch, sent } = echo();
    const client = testClient(fetch, { apiKey: 'sk_live_123' });
    await client.GET('/simulation_suites');
    await client.POST('/simulation_scenarios', { body: { name: 'n', description: 'd' } });
    expect(sent.map((s) => s.request.headers.get('authorization'))).toEqual(['Bearer sk_live_123', 'Bearer sk_live_123']);
  });

  it.each([
    ['global', 'https://api.synthflow.ai/v2/simulations/abc'],
    ['us', 'https://api.us.synthflow.ai/v2/simulations/abc'],
    ['eu', 'https://api.eu.synthflow.ai/v2/simulations/abc'],
  ] as const)('region %s calls %s', async (region, url) => {
    const { fetch, sent } = echo();
    const client = createSimulationsClient({ apiKey: 'k', region, fetch, retry: false });
    await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: 'abc' } } });
    expect(sent[0]?.request.url).toBe(url);
    expect(REGION_BASE_URLS[region]).toBe(url.replace('/simulations/abc', ''));
  });

  it('defaults to the global region', async () => {
    const { fetch, sent } = echo();
    await createSimulationsClient({ apiKey: 'k', fetch }).GET('/simulation_scenarios');
    expect(sent[0]?.request.url).toBe('https://api.synthflow.ai/v2/simulation_scenarios');
  });

  it('takes a base URL instead of a region, with or without a trailing slash', async () => {
    const { fetch, sent } = echo();
    await createSimulationsClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:4010/', fetch }).GET('/simulations/sessions');
    expect(sent[0]?.request.url).toBe('http://127.0.0.1:4010/simulations/sessions');
  });

  it('refuses a missing API key, an unknown region and a base URL together with a region', () => {
    expect(() => createSimulationsClient({ apiKey: '' })).toThrow(/apiKey is required/);
    expect(() => createSimulationsClient({ apiKey: 'k', region: 'mars' } as unknown as SimulationsClientOptions)).toThrow(/unknown region/);
    expect(() =>
      createSimulationsClient({ apiKey: 'k', region: 'eu', baseUrl: 'http://x' } as unknown as SimulationsClientOptions),
    ).toThrow(/not both/);
  });

  it('serialises path, query (arrays exploded) and JSON bodies as the spec describes', async () => {
    const { fetch, sent } = echo();
    const client = testClient(fetch);
    await client.GET('/simulation_suites', { params: { query: { model_ids: ['a', 'b'], page_size: 5, search: 'refund & returns' } } });
    await client.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: 'c 1' } },
      body: { name: 'renamed', suite_id: null },
    });
    const [list, update] = sent;
    expect(list?.request.url).toBe(
      'https://api.test/v2/simulation_suites?model_ids=a&model_ids=b&page_size=5&search=refund%20%26%20returns',
    );
    expect(list?.request.headers.get('content-type')).toBeNull();
    expect(update?.request.method).toBe('PUT');
    expect(update?.request.url).toBe('https://api.test/v2/simulation_cases/c%201');
    expect(update?.request.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(update?.body ?? '')).toEqual({ name: 'renamed', suite_id: null });
  });

  it('gives every request a fresh X-Request-Id and keeps one the caller set', async () => {
    const { fetch, sent } = echo();
    const client = testClient(fetch);
    await client.GET('/simulation_suites');
    await client.GET('/simulation_suites');
    await client.GET('/simulation_suites', { headers: { 'X-Request-Id': 'req_mine' } });
    const ids = sent.map((s) => s.request.headers.get('x-request-id'));
    expect(ids[0]).toMatch(/^req_[0-9a-f]{32}$/);
    expect(ids[1]).toMatch(/^req_[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[2]).toBe('req_mine');
  });

  it('uses a custom request id generator', async () => {
    const { fetch, sent } = echo();
    await testClient(fetch, { requestId: () => 'req_fixed' }).GET('/simulation_suites');
    expect(sent[0]?.request.headers.get('x-request-id')).toBe('req_fixed');
  });

  it('identifies itself in User-Agent, after the application when one is named', async () => {
    const { fetch, sent } = echo();
    await testClient(fetch).GET('/simulation_suites');
    await testClient(fetch, { userAgent: 'acme-ci/2.1' }).GET('/simulation_suites');
    expect(sent[0]?.request.headers.get('user-agent')).toBe(`sims-client/${VERSION}`);
    expect(sent[1]?.request.headers.get('user-agent')).toBe(`acme-ci/2.1 sims-client/${VERSION}`);
  });

  it('reports the version of its package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('keeps openapi-fetch results: data, error and the Response', async () => {
    const { fetch } = fakeFetch(() => ok({ id: 's1' }, { 'X-Request-Id': 'req_1' }));
    const result = await testClient(fetch).GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: 's1' } } });
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ status: 'ok', response: { id: 's1' } });
    expect(result.response.headers.get('x-request-id')).toBe('req_1');
  });

  it('lets callers add their own middleware', async () => {
    const { fetch, sent } = echo();
    const client = testClient(fetch);
    client.use({ onRequest: ({ request }) => void request.headers.set('X-Trace', 't-1') });
    await client.GET('/simulation_suites');
    expect(sent[0]?.request.headers.get('x-trace')).toBe('t-1');
  });

  it('uses the global fetch when none is given, looked up at call time', async () => {
    const original = globalThis.fetch;
    const { fetch, sent } = echo();
    globalThis.fetch = fetch as unknown as typeof globalThis.fetch;
    try {
      await createSimulationsClient({ apiKey: 'k', baseUrl: 'https://api.test' }).GET('/simulation_suites');
    } finally {
      globalThis.fetch = original;
    }
    expect(sent).toHaveLength(1);
  });
});

describe('the main entry', () => {
  it('imports no Node-only module, so it runs in browsers', () => {
    const dir = new URL('../../src/', import.meta.url);
    const sources = readdirSync(dir).filter((name) => name.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(10);
    for (const name of sources) {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(
        imports.filter(
          (spec) =>
            spec?.startsWith('node:') || ['fs', 'path', 'http', 'https', 'crypto', 'stream', 'buffer', 'process'].includes(spec ?? ''),
        ),
      ).toEqual([]);
      expect(text).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/);
    }
  });
});
