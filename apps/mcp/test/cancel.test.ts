import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type McpSession, payload, startMcp, texts } from './support/mcp.js';
import { startTestServer, type TestServer } from './support/server.js';

/** An agent on loopback that receives each run's first turn and does not answer until the test ends: its runs stay in progress. */
async function startHeldAgent() {
  let reachedOnce: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    reachedOnce = resolve;
  });
  const held: (() => void)[] = [];
  const http = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      reachedOnce();
      held.push(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"reply":"Hello.","end_call":true}'));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/turn`,
    reached,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const answer of held) answer();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

describe('run_suite_and_report while the runs cannot finish (an http agent on loopback holding its answer)', () => {
  let server: TestServer;
  let mcp: McpSession;
  let agent: Awaited<ReturnType<typeof startHeldAgent>>;
  let suiteId: string;
  const call = (name: string, args: Record<string, unknown>) => mcp.client.callTool({ name, arguments: args });

  beforeAll(async () => {
    agent = await startHeldAgent();
    server = await startTestServer({ concurrency: 2, timeoutMs: 60_000, allowPrivateNetworks: true, llm: {} });
    mcp = await startMcp({ SIMS_BASE_URL: server.url, SIMS_API_KEY: server.key, SIMS_POLL_INTERVAL_MS: '100' });
    const held = payload(
      await call('createAgent', { body: { name: 'Held', prompt: 'You answer slowly.', connector: { kind: 'http', url: agent.url } } }),
    );
    suiteId = payload(await call('createSimulationSuite', { body: { name: 'Held suite', model_id: held.id } })).id;
    payload(
      await call('createSimulationCase', {
        body: {
          suite_id: suiteId,
          name: 'Slow answer',
          prompt: 'The caller waits.',
          caller_turns: ['Hello?'],
          success_criteria: ['The agent answers'],
          call_success_type: 'any',
        },
      }),
    );
  });
  afterAll(async () => {
    await mcp?.close();
    await server?.stop();
    await agent?.stop();
  });

  it('answers a tool error naming the session after timeout_seconds, and the session keeps running', async () => {
    const result = await call('run_suite_and_report', { suite_id: suiteId, timeout_seconds: 1 });
    expect(result.isError).toBe(true);
    const text = texts(result).join('\n');
    const sessionId = /The session (\S+) had not finished after 1 s; it keeps running on the server\./.exec(text)?.[1];
    expect(sessionId, text).toBeDefined();
    const session = payload(await call('getSimulationSession', { simulation_session_id: sessionId }));
    expect(session).toMatchObject({ pending_simulations: 1, cancelled_at: null });

    const cancelled = payload(await call('cancelSimulationSession', { simulation_session_id: sessionId }));
    expect(cancelled).toMatchObject({ simulation_session_id: sessionId, cancelled_simulations: 1, pending_simulations: 0 });
  });

  it('cancels the session on the server when the client cancels the call', async () => {
    const abort = new AbortController();
    let sessionId: string | undefined;
    const running = mcp.client.callTool({ name: 'run_suite_and_report', arguments: { suite_id: suiteId } }, undefined, {
      signal: abort.signal,
      onprogress: (progress) => {
        sessionId ??= /^session (\S+) started/.exec(progress.message ?? '')?.[1];
      },
    });
    await vi.waitFor(() => expect(sessionId).toBeDefined(), { timeout: 30_000, interval: 50 });
    abort.abort(new Error('the user stopped it'));
    await expect(running).rejects.toThrow('the user stopped it');

    // The server got notifications/cancelled and cancels the session with one request of its own.
    await vi.waitFor(
      async () => {
        const session = payload(await call('getSimulationSession', { simulation_session_id: sessionId }));
        expect(session.cancelled_at).toEqual(expect.any(String));
        expect(session.simulations[0]).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(mcp.stderr()).toContain('run_suite_and_report: cancelled by the client');
  });
});
