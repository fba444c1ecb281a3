import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { ENGINE_DEFAULTS } from '../src/config.js';
import { SimulationEngine } from '../src/engine/simulation-engine.js';
import { apiClient, otherWorkspace, raw, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';
import { gate, startWebhookAgent, type TurnRequest } from './support/webhook-agent.js';

/**
 * Cancelling (issue 13, item 1) through the real server and engine on SQLite: an `http` agent on
 * loopback greets at once and holds its next answers on a gate, so that a conversation is caught
 * mid-call; the engine runs one simulation at a time, so that the next waits queued behind it.
 */
type Simulation = components['schemas']['SimulationReadOut'];

let holding = true;
let held = gate();

/** Greets; then, while holding, answers only when the gate opens; the caller ends the call (a run not stopped asks again). */
async function answer(turn: TurnRequest) {
  if (!turn.conversation.length) return { json: { reply: 'Hello, how can I help?' } };
  if (holding) await held.promise;
  return { json: { reply: 'Here you are.' } };
}

let hook: Awaited<ReturnType<typeof startWebhookAgent>>;
let server: TestServer;
let client: ApiClient;
let strangerKey: string;
let agentId: string;
let suiteId: string;
/** What the engine logged as warnings: a cancel is no failure, so none is expected. */
const warnings: Array<{ details: object; message: string }> = [];

beforeAll(async () => {
  hook = await startWebhookAgent(answer);
  const config = { ...ENGINE_DEFAULTS, allowPrivateNetworks: true, concurrency: 1, timeoutMs: 30_000 };
  server = await startTestServer({
    engine: (storage) =>
      new SimulationEngine(storage, config, {
        warn: (details, message) => warnings.push({ details, message }),
        info() {},
      }),
  });
  client = apiClient(server.url, server.key);
  strangerKey = await otherWorkspace(server);
  agentId = (await client.POST('/agents', { body: { name: 'Held', prompt: 'p', connector: { kind: 'http', url: hook.url } } })).data!
    .response.id;
  suiteId = (await client.POST('/simulation_suites', { body: { name: 'Cancelled suite', model_id: agentId } })).data!.response.id;
  for (const name of ['First', 'Second']) {
    await client.POST('/simulation_cases', {
      body: {
        name,
        prompt: 'The caller asks two questions.',
        success_criteria: ['The agent answers'],
        call_success_type: 'any',
        suite_id: suiteId,
        caller_turns: ['Where is my order?', 'And the invoice?', 'Thanks, bye. [END_CALL]'],
      },
    });
  }
});

afterAll(async () => {
  held.open();
  await server?.stop();
  await hook?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const turnsOf = (id: string) => hook.received.filter((turn) => turn.simulation_id === id).length;

async function execute(): Promise<string> {
  const executed = await client.POST('/simulation_suites/{suite_id}/execute', {
    params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId } },
  });
  expect(executed.response.status).toBe(200);
  return executed.data!.session_id;
}

async function read(id: string): Promise<Simulation> {
  return (await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } } })).data!.response;
}

async function session(id: string) {
  return (await client.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: id } } })).data!
    .response;
}

/** The session's run held mid-call (the agent has its second turn, the caller's line is stored) and the one queued behind it. */
async function heldRuns(sessionId: string): Promise<{ running: string; queued: string }> {
  const ids = (await session(sessionId)).simulations.map((s) => s.simulation_id);
  for (;;) {
    const running = ids.find((id) => turnsOf(id) === 2);
    if (running && (await read(running)).timeline!.length >= 2) return { running, queued: ids.find((id) => id !== running)! };
    await sleep(10);
  }
}

async function cancel(path: string, key = server.key) {
  return raw(`${server.url}${path}/cancel`, { method: 'POST', key });
}

async function finished(sessionId: string) {
  for (;;) {
    const read = await session(sessionId);
    if (read.pending_simulations === 0) return read;
    await sleep(20);
  }
}

describe('cancelling on the real engine (issue 13)', () => {
  let firstSession: string;
  let cancelledRun: Simulation;
  let cancelledQueued: Simulation;
  let completedId: string;

  it('cancels a queued run (it never starts) and a running conversation (the agent gets no further turn)', async () => {
    firstSession = await execute();
    const { running, queued } = await heldRuns(firstSession);
    expect((await read(queued)).started_at).toBeNull();

    const queuedCancel = await cancel(`/simulations/${queued}`);
    expect(queuedCancel.status).toBe(200);
    expect(responseProblems('cancelSimulation', 200, queuedCancel.json)).toEqual([]);
    cancelledQueued = queuedCancel.json.response;
    expect(cancelledQueued).toMatchObject({
      status: 'failed',
      error_info: { code: 499, type: 'cancelled', message: 'The simulation was cancelled.' },
      started_at: null,
      timeline: [],
    });
    expect(cancelledQueued.finished_at).not.toBeNull();

    const runningCancel = await cancel(`/simulations/${running}`);
    expect(runningCancel.status).toBe(200);
    expect(responseProblems('cancelSimulation', 200, runningCancel.json)).toEqual([]);
    cancelledRun = runningCancel.json.response;
    expect(cancelledRun).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });
    expect(cancelledRun.started_at).not.toBeNull();
    // The conversation as far as it got, then the cancel.
    expect(cancelledRun.timeline!.map((e) => [e.sender_type, e.type, e.value])).toEqual([
      ['agent', 'message', 'Hello, how can I help?'],
      ['persona', 'message', 'Where is my order?'],
      ['system', 'error', 'The simulation was cancelled.'],
    ]);
    // Stopped at once: the agent's request in flight is closed before it could answer.
    while (!hook.cutOff.some((turn) => turn.simulation_id === running)) await sleep(10);
    const counters = await session(firstSession);
    expect(counters).toMatchObject({ total_simulations: 2, completed_simulations: 0, failed_simulations: 2, pending_simulations: 0 });
    expect(counters.cancelled_at).toBeNull();

    // Let the held answer go, then run one more simulation to its end: with one simulation at a time,
    // the engine has settled the cancelled one (and passed the queued one) before this one starts.
    holding = false;
    held.open();
    const caseId = (await read(running)).simulation_case_id;
    const started = await client.POST('/simulations', { body: { simulation_case_id: caseId, target_agent_id: agentId } });
    completedId = started.data!.response.simulation_id;
    await finished(started.data!.response.simulation_session_id);
    expect((await read(completedId)).status).toBe('completed');

    expect(turnsOf(running)).toBe(2);
    expect(turnsOf(queued)).toBe(0);
    // Nothing the stopped run did afterwards was stored; the queued one never started.
    expect(await read(running)).toStrictEqual(cancelledRun);
    expect(await read(queued)).toStrictEqual(cancelledQueued);
    expect(warnings).toEqual([]);

    const report = await raw(`${server.url}/simulations/session/${firstSession}/report`, { key: server.key });
    expect(report.json.response).toMatchObject({ finished: true, total_simulations: 2, failed_simulations: 2, pass_rate: 0 });
    expect(report.json.response.cases.map((c: { errored_runs: number }) => c.errored_runs)).toEqual([1, 1]);
  });

  it('answers 409 naming the status for a finished run, changing nothing; 404 for an unknown run or another workspace', async () => {
    for (const [id, status] of [
      [cancelledRun.simulation_id, 'failed'],
      [completedId, 'completed'],
    ] as const) {
      const before = await read(id);
      const again = await cancel(`/simulations/${id}`);
      expect(again.status).toBe(409);
      expect(responseProblems('cancelSimulation', 409, again.json)).toEqual([]);
      expect(again.json.error.code).toBe('conflict');
      expect(again.json.error.message).toContain(`(${status})`);
      expect(await read(id)).toStrictEqual(before);
    }
    const unknown = await cancel('/simulations/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e');
    expect(unknown.status).toBe(404);
    expect(responseProblems('cancelSimulation', 404, unknown.json)).toEqual([]);
    expect((await cancel(`/simulations/${completedId}`, strangerKey)).status).toBe(404);
  });

  it('cancels a session: its running and queued runs at once, cancelled_at set; then 409; 404 elsewhere', async () => {
    holding = true;
    held = gate();
    const sessionId = await execute();
    const { running, queued } = await heldRuns(sessionId);
    expect((await cancel(`/simulations/session/${sessionId}`, strangerKey)).status).toBe(404);

    const cancelled = await cancel(`/simulations/session/${sessionId}`);
    expect(cancelled.status).toBe(200);
    expect(responseProblems('cancelSimulationSession', 200, cancelled.json)).toEqual([]);
    expect(cancelled.json.response).toEqual({
      simulation_session_id: sessionId,
      cancelled_simulations: 2,
      cancelled_at: expect.any(String),
      total_simulations: 2,
      completed_simulations: 0,
      failed_simulations: 2,
      pending_simulations: 0,
    });
    const after = await session(sessionId);
    expect(after.cancelled_at).toBe(cancelled.json.response.cancelled_at);
    expect(after.simulations.map((s) => s.error_info?.type)).toEqual(['cancelled', 'cancelled']);
    const listed = (await client.GET('/simulations/sessions', { params: { query: { target_agent_id: agentId } } })).data!.response.items;
    expect(listed.find((s) => s.simulation_session_id === sessionId)!.cancelled_at).toBe(after.cancelled_at);
    expect(listed.find((s) => s.simulation_session_id === firstSession)!.cancelled_at).toBeNull();

    holding = false;
    held.open();
    const again = await cancel(`/simulations/session/${sessionId}`);
    expect(again.status).toBe(409);
    expect(responseProblems('cancelSimulationSession', 409, again.json)).toEqual([]);
    expect(await session(sessionId)).toStrictEqual(after);
    expect((await cancel('/simulations/session/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e')).status).toBe(404);
    while (!hook.cutOff.some((turn) => turn.simulation_id === running)) await sleep(10);
    expect(turnsOf(running)).toBe(2);
    expect(turnsOf(queued)).toBe(0);

    // The next session of the suite compares with the last one not cancelled.
    const next = await execute();
    await finished(next);
    const compared = await raw(`${server.url}/simulations/session/${next}/comparison`, { key: server.key });
    expect(compared.status).toBe(200);
    expect(compared.json.response.baseline_session_id).toBe(firstSession);
    // Named by id, a cancelled session is compared with.
    const named = await raw(`${server.url}/simulations/session/${next}/comparison?baseline=${sessionId}`, { key: server.key });
    expect(named.json.response.baseline_session_id).toBe(sessionId);
    expect(warnings).toEqual([]);
  });
});
