import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.js';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { ApiError } from '../src/http/errors.js';
import { loadBundle } from '@sims/spec/runtime';
import type { Context } from '../src/http/types.js';
import { createWorkspace } from '../src/keys.js';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/index.js';

/** The app as plugins: each app keeps its own state, and every plugin applies to the whole app. */
const opened: Array<{ app: FastifyInstance; storage: SqliteStorage }> = [];

async function app(options: Partial<AppOptions> = {}) {
  const storage = openSqliteStorage(':memory:');
  const built = await buildApp({
    storage,
    engine: new QueueOnlyEngine(),
    rateLimit: { max: 0, windowMs: 60_000 },
    logLevel: 'silent',
    ...options,
  });
  opened.push({ app: built, storage });
  const { minted } = await createWorkspace(storage, 'Plugins');
  return { app: built, key: minted.key };
}

afterEach(async () => {
  for (const { app: built, storage } of opened.splice(0)) {
    await built.close();
    await storage.close();
  }
});

/** A copy of the bundled spec with the `Idempotency-Key` header parameter spelled `spelling`. */
function specSpelling(spelling: string): Record<string, unknown> {
  const spec = structuredClone(loadBundle());
  const stack: unknown[] = [spec];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    if (record.in === 'header' && record.name === 'Idempotency-Key') record.name = spelling;
    stack.push(...Object.values(record));
  }
  return spec;
}

describe('per-app state', () => {
  it('names a header in validation details as its own app spells it, whatever apps are built after', async () => {
    const first = await app({ spec: specSpelling('IDEMPOTENCY-key') });
    await app();
    const answer = await first.app.inject({
      method: 'POST',
      url: '/v2/simulations',
      headers: { authorization: `Bearer ${first.key}`, 'idempotency-key': 'k'.repeat(256) },
      payload: { simulation_case_id: 'c', target_agent_id: 'a' },
    });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.details).toEqual([expect.objectContaining({ location: 'header', field: 'IDEMPOTENCY-key' })]);
  });

  it('counts request ids per app', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const { app: built } = await app();
      ids.push(String((await built.inject({ method: 'GET', url: '/health' })).headers['x-request-id']));
    }
    expect(ids[0]).toMatch(/^req_[0-9a-f]{8}00000001$/);
    expect(ids[1]).toMatch(/^req_[0-9a-f]{8}00000001$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('messages from the configured limits', () => {
  it('the rate-limit answer names the configured count and window', async () => {
    const { app: built } = await app({ rateLimit: { max: 1, windowMs: 1_500 } });
    expect((await built.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const limited = await built.inject({ method: 'GET', url: '/health' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toMatch(/^Rate limit of 1 requests per 1\.5 seconds exceeded; retry in [12] seconds\.$/);
    expect(limited.headers['retry-after']).toMatch(/^[12]$/);
  });

  it('the 413 answer names the configured body limit', async () => {
    const { app: built, key } = await app({ bodyLimit: 1_000 });
    const answer = await built.inject({
      method: 'POST',
      url: '/v2/agents',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', prompt: 'p'.repeat(2_000) }),
    });
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error.message).toBe('The request body exceeds the limit of 1000 bytes.');
  });
});

describe('plugins apply app-wide', () => {
  it('a route added to the built app gets the request id, the key check and the error body', async () => {
    const { app: built, key } = await app();
    built.get('/extra', { config: { secured: true } }, async () => {
      throw new ApiError('conflict', 'Extra conflict.');
    });
    const refused = await built.inject({ method: 'GET', url: '/extra' });
    expect(refused.statusCode).toBe(401);
    const answer = await built.inject({ method: 'GET', url: '/extra', headers: { authorization: `Bearer ${key}` } });
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toEqual({
      status: 'error',
      error: { code: 'conflict', message: 'Extra conflict.', request_id: answer.headers['x-request-id'] },
    });
  });

  it('gives handlers their typed context only, nothing of the Fastify request', () => {
    expectTypeOf<keyof Context<'getAgent'>>().toEqualTypeOf<'workspace_id' | 'body' | 'query' | 'params' | 'signal'>();
  });
});
