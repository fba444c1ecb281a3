import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { createWorkspace } from '../src/keys.js';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/index.js';

/** The request log: one JSON line per request at `info`, with its id, and never a header (so never an API key). */
const opened: Array<{ app: FastifyInstance; storage: SqliteStorage }> = [];

async function loggedApp(level: string) {
  const lines: string[] = [];
  const storage = openSqliteStorage(':memory:');
  const app = await buildApp({
    storage,
    engine: new QueueOnlyEngine(),
    rateLimit: { max: 0, windowMs: 60_000 },
    logLevel: level,
    logStream: { write: (line) => lines.push(line) },
  });
  opened.push({ app, storage });
  const { minted } = await createWorkspace(storage, 'Logged');
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { app, key: minted.key, lines, entries };
}

afterEach(async () => {
  for (const { app, storage } of opened.splice(0)) {
    await app.close();
    await storage.close();
  }
});

describe('request log', () => {
  it('writes one line per request with its method, URL, status, time and request id', async () => {
    const { app, key, entries } = await loggedApp('info');
    const answer = await app.inject({ method: 'GET', url: '/v2/agents?page_size=5', headers: { authorization: `Bearer ${key}` } });
    expect(answer.statusCode).toBe(200);
    const logged = entries().filter((entry) => entry.reqId !== undefined);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      reqId: answer.headers['x-request-id'],
      method: 'GET',
      url: '/v2/agents?page_size=5',
      statusCode: 200,
    });
    expect(logged[0]!.responseTime).toEqual(expect.any(Number));
  });

  it('logs refused requests too, with their status', async () => {
    const { app, entries } = await loggedApp('info');
    const answer = await app.inject({ method: 'GET', url: '/v2/agents', headers: { authorization: 'Bearer sk_wrong' } });
    expect(answer.statusCode).toBe(401);
    expect(entries().filter((entry) => entry.reqId !== undefined)).toEqual([
      expect.objectContaining({ msg: 'request completed', statusCode: 401, reqId: answer.headers['x-request-id'] }),
    ]);
  });

  it('never writes the Authorization header or the key, at any level, whatever the answer', async () => {
    const { app, key, lines } = await loggedApp('trace');
    await app.inject({ method: 'GET', url: '/v2/agents', headers: { authorization: `Bearer ${key}` } });
    await app.inject({ method: 'POST', url: '/v2/agents', headers: { authorization: `Bearer ${key}` }, payload: '{bad json' });
    await app.inject({ method: 'GET', url: '/v2/nowhere', headers: { authorization: `Bearer ${key}` } });
    await app.inject({ method: 'GET', url: '/v2/agents/%ZZ', headers: { authorization: `Bearer ${key}` } });
    expect(lines.filter((line) => line.includes('request completed'))).toHaveLength(4);
    const all = lines.join('');
    expect(all).not.toContain(key);
    expect(all.toLowerCase()).not.toContain('authorization');
    expect(all).not.toContain('Bearer');
  });

  it('writes nothing per request above info', async () => {
    const { app, key, lines } = await loggedApp('warn');
    await app.inject({ method: 'GET', url: '/v2/agents', headers: { authorization: `Bearer ${key}` } });
    expect(lines).toEqual([]);
  });
});
