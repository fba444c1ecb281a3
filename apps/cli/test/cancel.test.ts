import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulationsClient, type SimulationSessionCancel } from '@sims/client';
import { QueueOnlyEngine } from '@sims/server';
import { interruptedLine } from '../src/run/cancel.js';
import { explain, sims, startSims } from './support/cli.js';
import { seedSuite, simsJson } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Cancelling from the command line against the real server: Ctrl-C (SIGINT) during `sims run`, with
 * and without --keep-running, and `sims sessions cancel` / `sims simulations cancel` with their exit
 * codes. The session is read back through the CLI itself after each step.
 */

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

interface SessionJson {
  simulation_session_id: string;
  cancelled_at?: string | null;
  total_simulations: number;
  completed_simulations: number;
  failed_simulations: number;
  pending_simulations: number;
  simulations: Array<{
    simulation_id: string;
    status: string;
    error_info: { code: number; type: string } | null;
    timeline: Array<{ sender_type: string; type: string; value: string }> | null;
  }>;
}

describe('cancelling queued runs (runs stay queued: the queue-only engine)', () => {
  let server: TestServer;
  const global = () => ['--base-url', server.url, '--api-key', server.key];
  const sessionOf = (stderr: string) => /\(session ([0-9a-f-]{36})\)/.exec(stderr)?.[1] ?? '';
  const session = (id: string) => simsJson<SessionJson>(server, ['sessions', 'get', id]);

  beforeAll(async () => {
    server = await startTestServer(() => new QueueOnlyEngine());
  });
  afterAll(() => server?.stop());

  const twoCases = (name: string) =>
    seedSuite(server, name, [
      { name: 'Waits', prompt: 'Wait.', criteria: ['Agent answered'] },
      { name: 'Waits too', prompt: 'Wait again.', criteria: ['Agent answered'] },
    ]);

  it('Ctrl-C during sims run cancels the session it started: exit 130, one line saying what was cancelled; its runs read failed 499', async () => {
    const { suiteId } = await twoCases('Interrupted suite');
    const cli = startSims([...global(), 'run', suiteId, '--interval', '50']);
    await cli.printed('progress:');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code, explain(result)).toBe(130);
    expect(result.stdout).toBe('');
    const id = sessionOf(result.stderr);
    expect(lastLine(result.stderr)).toBe(
      `interrupted: cancelled session ${id}: 2 simulations stopped; of 2, completed 0, failed 2 (cancelled included), pending 0`,
    );

    const after = await session(id);
    expect(after.cancelled_at).toEqual(expect.any(String));
    expect(after).toMatchObject({ total_simulations: 2, completed_simulations: 0, failed_simulations: 2, pending_simulations: 0 });
    for (const simulation of after.simulations) {
      expect(simulation).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });
    }
    const shown = await sims([...global(), 'sessions', 'get', id]);
    expect(shown.stdout).toContain(`pending 0, cancelled at ${after.cancelled_at}`);
    // A cancelled run reports no usage: no tokens.
    expect(shown.stdout).toMatch(/│ Waits\s+│ ERROR\s+│ 0\/0\s+│ —\s+│ cancelled \(499\): /);
  });

  it('--keep-running: exit 130 naming the session, which keeps running; sessions cancel stops it later (exit 0), a second time exits 1', async () => {
    const { suiteId } = await twoCases('Kept suite');
    const cli = startSims([...global(), 'run', suiteId, '--interval', '50', '--keep-running']);
    await cli.printed('progress:');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code, explain(result)).toBe(130);
    const id = sessionOf(result.stderr);
    expect(lastLine(result.stderr)).toBe(
      `interrupted: session ${id} keeps running on the server; see it with sims sessions get ${id}, stop it with sims sessions cancel ${id}`,
    );
    const running = await session(id);
    expect(running).toMatchObject({ cancelled_at: null, pending_simulations: 2, failed_simulations: 0 });
    expect(running.simulations.map((s) => s.status)).toEqual(['in-progress', 'in-progress']);

    const cancelled = await sims([...global(), 'sessions', 'cancel', id]);
    expect(cancelled.code, explain(cancelled)).toBe(0);
    expect(cancelled.stderr).toBe('');
    expect(cancelled.stdout).toBe(
      `cancelled session ${id}: 2 simulations stopped; of 2, completed 0, failed 2 (cancelled included), pending 0\n`,
    );
    expect((await session(id)).cancelled_at).toEqual(expect.any(String));

    // Nothing in progress any more: a clear line, exit 1 (not an error of the command), nothing on stdout even with --json.
    for (const json of [[], ['--json']]) {
      const again = await sims([...global(), ...json, 'sessions', 'cancel', id]);
      expect(again.code, explain(again)).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(new RegExp(`^nothing cancelled: Simulation session ${id} has no simulation in progress.*\\n$`));
    }
  });

  it('sessions cancel --json prints the answer; simulations cancel stops one run (exit 0), then exits 1 for it; unknown ids exit 2', async () => {
    const { suiteId } = await twoCases('Single cancels');
    const started = await simsJson(server, ['suites', 'execute', suiteId]);
    const before = await session(started.session_id);
    const [first, second] = before.simulations.map((s) => s.simulation_id);

    const one = await sims([...global(), 'simulations', 'cancel', first ?? '']);
    expect(one.code, explain(one)).toBe(0);
    expect(one.stdout).toBe(`cancelled simulation ${first} (Waits)\n`);
    const twice = await sims([...global(), 'simulations', 'cancel', first ?? '']);
    expect(twice.code, explain(twice)).toBe(1);
    expect(twice.stderr).toBe(`nothing cancelled: Simulation ${first} has already finished (failed): there is nothing to cancel.\n`);

    const rest = await simsJson(server, ['sessions', 'cancel', started.session_id]);
    expect(rest).toMatchObject({ simulation_session_id: started.session_id, cancelled_simulations: 1, failed_simulations: 2 });
    const other = await simsJson(server, ['simulations', 'get', second ?? '']);
    expect(other).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });

    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const args of [
      ['simulations', 'cancel', unknown],
      ['sessions', 'cancel', unknown],
    ]) {
      const missing = await sims([...global(), ...args]);
      expect(missing.code, explain(missing)).toBe(2);
      expect(missing.stderr).toMatch(/^error: 404 not_found: .* \[request req_[0-9a-f]{32}\]\n$/);
    }
  });
});

describe('Ctrl-C while a conversation runs (the real engine, an http agent on loopback holding its answer)', () => {
  let server: TestServer;
  let agent: Awaited<ReturnType<typeof startHeldAgent>>;
  let dir: string;

  /** An agent that receives the first turn of each run and does not answer until released. */
  async function startHeldAgent() {
    const { createServer } = await import('node:http');
    const received: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstTurn: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      firstTurn = resolve;
    });
    const http = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        received.push(text);
        firstTurn();
        void released.then(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"reply":"Hello.","end_call":true}'));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}/turn`,
      received,
      reached,
      stop: () =>
        new Promise<void>((resolve) => {
          release();
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    };
  }

  beforeAll(async () => {
    agent = await startHeldAgent();
    server = await startTestServer(undefined, { concurrency: 2, timeoutMs: 60_000, allowPrivateNetworks: true, llm: {} });
    dir = await mkdtemp(join(tmpdir(), 'sims-cli-cancel-'));
  });
  afterAll(async () => {
    await server?.stop();
    await agent?.stop();
  });

  it('cancels the running conversation: exit 130; the run is failed 499 with a last system error event, and its agent gets no further turn', async () => {
    const agentFile = join(dir, 'agent.yaml');
    await writeFile(agentFile, `name: Held\nprompt: You answer slowly.\nconnector: { kind: http, url: "${agent.url}" }\n`);
    const created = await simsJson(server, ['agents', 'create', '--file', agentFile]);
    const suite = await simsJson(server, ['suites', 'create', '--name', 'Held suite', '--agent', created.id]);
    const caseFile = join(dir, 'case.yaml');
    await writeFile(
      caseFile,
      'name: Slow answer\nprompt: The caller waits.\ncaller_turns: ["Hello?"]\nsuccess_criteria: [The agent answers]\ncall_success_type: any\n',
    );
    await simsJson(server, ['cases', 'create', '--file', caseFile, '--suite', suite.id]);

    const cli = startSims(['--base-url', server.url, '--api-key', server.key, 'run', suite.id, '--interval', '50']);
    await Promise.all([cli.printed('progress:'), agent.reached]);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code, explain(result)).toBe(130);
    const id = /\(session ([0-9a-f-]{36})\)/.exec(result.stderr)?.[1] ?? '';
    expect(lastLine(result.stderr)).toBe(
      `interrupted: cancelled session ${id}: 1 simulation stopped; of 1, completed 0, failed 1 (cancelled included), pending 0`,
    );

    const after = await simsJson<SessionJson>(server, ['sessions', 'get', id]);
    expect(after.cancelled_at).toEqual(expect.any(String));
    const [run] = after.simulations;
    expect(run).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });
    expect(run?.timeline?.at(-1)).toMatchObject({ sender_type: 'system', type: 'error' });
    // The held turn was the only one: the cancelled run asked the agent nothing more.
    expect(agent.received).toHaveLength(1);
  });
});

describe('the line printed on Ctrl-C, for each outcome of the cancel', () => {
  const id = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
  const answer: SimulationSessionCancel = {
    simulation_session_id: id,
    cancelled_simulations: 1,
    cancelled_at: '2026-11-20T09:21:02Z',
    total_simulations: 3,
    completed_simulations: 2,
    failed_simulations: 1,
    pending_simulations: 0,
  };
  /** The error the client's cancelSession rejects with for an answer of `status`. */
  const cancelError = (status: number) =>
    createSimulationsClient({
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:9/v2',
      retry: false,
      fetch: async () =>
        new Response(
          JSON.stringify({
            status: 'error',
            error: { code: status === 409 ? 'conflict' : 'internal_error', message: 'no', request_id: 'req_1' },
          }),
          {
            status,
            headers: { 'content-type': 'application/json' },
          },
        ),
    })
      .cancelSession(id)
      .catch((e: unknown) => e);

  it('names what was cancelled, what was left running, and what could not be cancelled', async () => {
    expect(interruptedLine(id, { sessionId: id, cancelled: answer }, false)).toBe(
      `interrupted: cancelled session ${id}: 1 simulation stopped; of 3, completed 2, failed 1 (cancelled included), pending 0`,
    );
    expect(interruptedLine(id, undefined, true)).toBe(
      `interrupted: session ${id} keeps running on the server; see it with sims sessions get ${id}, stop it with sims sessions cancel ${id}`,
    );
    // A 409 (it finished as the cancel went out), or no cancel sent because it had finished.
    const finished = `interrupted: session ${id} had already finished, nothing to cancel`;
    expect(interruptedLine(id, { sessionId: id, error: await cancelError(409) }, false)).toBe(finished);
    expect(interruptedLine(id, undefined, false)).toBe(finished);
    expect(interruptedLine(id, { sessionId: id, error: await cancelError(500) }, false)).toBe(
      `interrupted: session ${id} may still be running, its cancel failed (500 internal_error: no [request req_1]); retry with sims sessions cancel ${id}`,
    );
    const late = new DOMException(`the cancel of session ${id} got no answer within 5000 ms`, 'TimeoutError');
    expect(interruptedLine(id, { sessionId: id, error: late }, false)).toContain(
      `its cancel failed (timed out: the cancel of session ${id} got no answer within 5000 ms)`,
    );
    expect(interruptedLine(undefined, undefined, false)).toBe(
      'interrupted before the server answered the start of the suite: no session to cancel (if it started, find it with sims sessions list)',
    );
  });
});
