import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherWorkspace, raw, startTestServer, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';

/** Per API key, then per client address for requests without a valid key. */
let server: TestServer;
let otherKey: string;

beforeAll(async () => {
  server = await startTestServer({ rateLimit: { max: 3, windowMs: 60_000 } });
  otherKey = await otherWorkspace(server);
});
afterAll(() => server.stop());

describe('rate limit', () => {
  it('answers 429 with Retry-After once a key has used its requests', async () => {
    for (let i = 0; i < 3; i += 1) expect((await raw(`${server.url}/agents`, { key: server.key })).status).toBe(200);
    const limited = await raw(`${server.url}/agents`, { key: server.key });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(responseProblems('listAgents', 429, limited.json)).toEqual([]);
  });

  it('counts each key on its own', async () => {
    expect((await raw(`${server.url}/agents`, { key: otherKey })).status).toBe(200);
  });

  it('limits requests without a valid key per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await raw(`${server.url}/agents`, { key: 'sk_guess' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await raw(`${server.url}/health`)).status).toBe(429);
  });
});
