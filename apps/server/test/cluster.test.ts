import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { components } from '@sims/api-types';
import { createWorkspace } from '../src/keys.js';
import { QUEUE_SCHEMA, RUN_QUEUE } from '../src/queue/queue-engine.js';
import { openPostgresStorage } from '../src/storage/postgres/index.js';
import { createDatabase, startPostgres, type TestPostgres } from './support/postgres.js';
import type {} from './support/postgres-setup.js';
import { type ServerProcess, spawnMain, spawnServer } from './support/process.js';
import { apiClient, raw, tempDir, type ApiClient } from './support/server.js';

/**
 * The cluster (issue 11, item 5): two `--role api` and two `--role worker` processes on one
 * PostgreSQL database, as an operator runs them. Three suites of twenty cases are executed through
 * both API nodes while no worker runs (the API nodes run nothing: every run stays queued), then the
 * workers start; one is killed with SIGKILL while it runs conversations. Afterwards every session
 * reaches `pending 0`, its counters equal the states of its runs, each run has one result (one
 * finish, one delivery that completed its job), and every run the API acknowledged exists and ended.
 *
 * The dead worker's runs come back through the queue's expiry: short here (a 6 s simulation time-out
 * plus a 1 s margin, expired deliveries looked for every second), so that the test takes seconds.
 */
type Simulation = components['schemas']['SimulationReadOut'];

const nodes: ServerProcess[] = [];
let postgres: TestPostgres | undefined;
let database: { url: string; drop(): Promise<void> } | undefined;

/**
 * `sims-server --role <role>` in its own process (the test's tsx loader, so that SIGKILL kills the server itself); `firstStart`
 * for the first API node, which prints the key it made. Killed after the file's tests if still running.
 */
async function startNode(role: 'api' | 'worker' | 'all', firstStart = false, env: Record<string, string> = {}): Promise<ServerProcess> {
  const node = await spawnServer(
    {
      SIMS_DATABASE_URL: database!.url,
      SIMS_CONCURRENCY: '3',
      SIMS_SIMULATION_TIMEOUT_MS: '6000',
      SIMS_QUEUE_EXPIRY_MARGIN_MS: '1000',
      SIMS_QUEUE_MAINTENANCE_MS: '1000',
      SIMS_QUEUE_POLL_MS: '500',
      ...env,
    },
    { role, firstStart },
  );
  nodes.push(node);
  return node;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: database!.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  let url = inject('postgresUrl');
  if (!url) {
    postgres = await startPostgres();
    url = postgres.url;
  }
  database = await createDatabase(url);
}, 120_000);

afterAll(async () => {
  for (const node of nodes.splice(0)) {
    if (node.child.exitCode === null && node.child.signalCode === null) {
      node.child.kill('SIGKILL');
      await node.exited;
    }
  }
  await database?.drop();
  await postgres?.stop();
});

const CALLER_TURNS = [
  'Where is my order?',
  "It's 12345.",
  'And when does it arrive?',
  'Can I change the address?',
  "No, that's all. Goodbye. [END_CALL]",
];

/** A suite of twenty cases against a builtin agent slow enough (latency per answer) that a run lasts about a second. */
async function seedSuite(api: ApiClient, agentId: string, name: string): Promise<string> {
  const suite = (await api.POST('/simulation_suites', { body: { name, model_id: agentId } })).data!.response;
  for (let i = 0; i < 20; i += 1) {
    const created = await api.POST('/simulation_cases', {
      body: {
        name: `${name} case ${i}`,
        prompt: 'Order status',
        suite_id: suite.id,
        success_criteria: ['Order found'],
        call_success_type: 'any',
        caller_turns: CALLER_TURNS,
        checks: [{ kind: 'tool_called', name: 'lookup_order' }],
      },
    });
    expect(created.response.ok).toBe(true);
  }
  return suite.id;
}

const INTERRUPTED_MESSAGE = 'The server stopped while this simulation was running, so its conversation was cut off; run the case again.';

describe('a cluster of two API nodes and two workers on one PostgreSQL database', () => {
  it('runs three suites through both API nodes; a worker killed mid-run loses nothing and no run gets two results', async () => {
    const api1 = await startNode('api', true);
    expect(api1.key).toMatch(/^sk_/);
    const api2 = await startNode('api');
    expect(api2.key).toBe('');
    const one = apiClient(api1.url, api1.key);
    const two = apiClient(api2.url, api1.key);

    // Created on one node, read on the other: one database.
    const agent = (await one.POST('/agents', { body: { name: 'Slow shop', prompt: 'p', connector: { kind: 'builtin', latency_ms: 120 } } }))
      .data!.response;
    expect((await two.GET('/agents/{agent_id}', { params: { path: { agent_id: agent.id } } })).data!.response.id).toBe(agent.id);
    const suites = [
      await seedSuite(one, agent.id, 'Suite A'),
      await seedSuite(two, agent.id, 'Suite B'),
      await seedSuite(one, agent.id, 'Suite C'),
    ];

    // Executed through both API nodes (the second suite twice with one Idempotency-Key: one session).
    const execute = async (client: ApiClient, suiteId: string, key?: string) => {
      const result = await client.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agent.id } },
        ...(key ? { headers: { 'Idempotency-Key': key } } : {}),
      });
      expect(result.response.ok, JSON.stringify(result.error)).toBe(true);
      return result.data!.session_id;
    };
    const sessions = [await execute(one, suites[0]!), await execute(two, suites[1]!, 'suite-b-once'), await execute(two, suites[2]!)];
    expect(await execute(one, suites[1]!, 'suite-b-once')).toBe(sessions[1]);
    // Single runs through the second node: their ids are what the API acknowledged.
    const cases = (await two.GET('/simulation_cases', { params: { query: { suite_id: suites[0]!, page_size: 5 } } })).data!.response.items;
    const singles: string[] = [];
    for (const c of cases) {
      const started = await raw(`${api2.url}/simulations`, {
        method: 'POST',
        key: api1.key,
        body: JSON.stringify({ simulation_case_id: c.simulation_case_id, target_agent_id: agent.id, simulation_session_id: sessions[0] }),
      });
      expect(started.response.ok, started.text).toBe(true);
      singles.push(started.json.response.simulation_id as string);
    }

    const readSession = async (client: ApiClient, id: string) =>
      (await client.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: id } } })).data!
        .response;
    // No worker yet: the API nodes run nothing, every run is queued with its job.
    for (const id of sessions) {
      const session = await readSession(one, id);
      expect(session.simulations.every((s) => s.status === 'in-progress' && s.started_at === null)).toBe(true);
    }
    expect(await sql(`SELECT count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'created'`, [RUN_QUEUE])).toEqual([
      { n: 65 },
    ]);

    const workers = [await startNode('worker'), await startNode('worker')];
    // A worker serves its health check and nothing else.
    expect((await raw(`${workers[0]!.url}/health`)).json).toMatchObject({ status: 'ok' });
    expect((await raw(`${workers[0]!.url}/agents`, { key: api1.key })).status).toBe(404);

    // Kill the first worker once both are mid-conversation on several runs and some have finished.
    const victim = workers[0]!;
    for (let i = 0; i < 3000; i += 1) {
      const [row] = await sql<{ running: number; finished: number }>(
        `SELECT count(*) FILTER (WHERE state = 'active')::int AS running, count(*) FILTER (WHERE state = 'completed')::int AS finished
        FROM ${QUEUE_SCHEMA}.job WHERE name = $1`,
        [RUN_QUEUE],
      );
      if (row!.running >= 6 && row!.finished >= 6) break;
      await sleep(20);
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    // Read after the kill (the dead worker's runs stay started until their jobs expire, seconds later).
    const runningAtKill = await sql<{ id: string }>(
      `SELECT id FROM simulations WHERE status = 'in-progress' AND body::json->>'started_at' IS NOT NULL`,
    );
    expect(runningAtKill.length).toBeGreaterThanOrEqual(4);

    // Every session reaches pending 0 (the victim's runs after their jobs expire and come back).
    const settled: Awaited<ReturnType<typeof readSession>>[] = [];
    for (const [i, id] of sessions.entries()) {
      const client = i % 2 ? two : one;
      let session = await readSession(client, id);
      for (let n = 0; n < 1500 && session.pending_simulations > 0; n += 1) {
        await sleep(40);
        session = await readSession(client, id);
      }
      expect(session.pending_simulations, `session ${i}`).toBe(0);
      settled.push(session);
    }

    const all = settled.flatMap((s) => s.simulations as Simulation[]);
    expect(settled.map((s) => s.total_simulations)).toEqual([25, 20, 20]);
    // Counters equal the states of the session's runs.
    for (const session of settled) {
      const count = (status: string) => session.simulations.filter((s) => s.status === status).length;
      expect(session.completed_simulations).toBe(count('completed'));
      expect(session.failed_simulations).toBe(count('failed'));
      expect(session.completed_simulations + session.failed_simulations).toBe(session.total_simulations);
    }
    // Each run ended once: completed with its verdict, or (cut off in the dead worker) failed as interrupted.
    const interrupted = all.filter((s) => s.status === 'failed');
    for (const s of all) {
      expect(s.finished_at).not.toBeNull();
      if (s.status === 'completed') expect(s.success_criteria_analysis!.success).toBe(true);
      else expect(s.error_info).toMatchObject({ code: 503, type: 'interrupted' });
    }
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    const runningIds = new Set(runningAtKill.map((r) => r.id));
    for (const s of interrupted) expect(runningIds.has(s.simulation_id)).toBe(true);

    // One result each, in the stored rows: one interrupted event at most (none on a completed run),
    // one job per run, completed, and a redelivery only for the runs cut off.
    const events = await sql<{ id: string; interrupted: number }>(
      `SELECT s.id, count(e.*) FILTER (WHERE e.item::json->>'value' = $1)::int AS interrupted
      FROM simulations s LEFT JOIN simulation_events e ON e.simulation_id = s.id GROUP BY s.id`,
      [INTERRUPTED_MESSAGE],
    );
    expect(events).toHaveLength(65);
    const byRun = new Map(all.map((s) => [s.simulation_id, s]));
    for (const row of events) expect(row.interrupted).toBe(byRun.get(row.id)!.status === 'failed' ? 1 : 0);
    // A job is acknowledged just after its run's result is stored.
    for (let n = 0; n < 250; n += 1) {
      const [left] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state <> 'completed'`,
        [RUN_QUEUE],
      );
      if (left!.n === 0) break;
      await sleep(20);
    }
    const jobs = await sql<{ simulation_id: string; state: string; retry_count: number }>(
      `SELECT data->>'simulation_id' AS simulation_id, state, retry_count FROM ${QUEUE_SCHEMA}.job WHERE name = $1`,
      [RUN_QUEUE],
    );
    expect(jobs).toHaveLength(65);
    expect(new Set(jobs.map((j) => j.simulation_id))).toEqual(new Set(byRun.keys()));
    for (const job of jobs) {
      expect(job.state).toBe('completed');
      if (byRun.get(job.simulation_id)!.status === 'failed') expect(job.retry_count).toBeGreaterThanOrEqual(1);
    }

    // Everything acknowledged exists and finished, readable through either API node.
    for (const id of singles) {
      const read = (await one.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } } })).data!.response;
      expect(read.status).not.toBe('in-progress');
    }
    expect(new Set(singles.filter((id) => byRun.has(id)))).toEqual(new Set(singles));

    // The surviving worker and the API nodes stop cleanly on SIGTERM.
    for (const node of [workers[1]!, api1, api2]) {
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(0);
    }
    // The second API node found the first's workspace: it made none (its whole output, now that it has exited).
    expect(api2.output()).not.toContain('First start');
  }, 180_000);

  it('stops a conversation on a worker when another node cancels it: the agent is cut off mid-turn and asked nothing more (issue 13)', async () => {
    const nodesEnv = { SIMS_ALLOW_PRIVATE_NETWORKS: 'true', SIMS_SIMULATION_TIMEOUT_MS: '120000' };
    // The agent greets, then holds every later answer until its request is closed (never, unless the worker aborts it).
    const turns: Array<{ simulation_id: string; messages: number }> = [];
    let cutOff!: () => void;
    const aborted = new Promise<void>((resolve) => {
      cutOff = resolve;
    });
    const agent = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      request.on('end', () => {
        const turn = JSON.parse(text) as { simulation_id: string; conversation: unknown[] };
        turns.push({ simulation_id: turn.simulation_id, messages: turn.conversation.length });
        if (!turn.conversation.length) {
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: 'Hello.' }));
          return;
        }
        response.on('close', () => {
          if (!response.writableEnded) cutOff();
        });
      });
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    try {
      const api = await startNode('api', false, nodesEnv);
      const worker = await startNode('worker', false, nodesEnv);
      // A workspace of its own, made in the database as `sims-server keys` would.
      const storage = await openPostgresStorage(database!.url);
      const key = (await createWorkspace(storage, 'Cancel test')).minted.key;
      await storage.close();
      const client = apiClient(api.url, key);

      const url = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/turn`;
      const held = (await client.POST('/agents', { body: { name: 'Held', prompt: 'p', connector: { kind: 'http', url } } })).data!.response;
      const created = await client.POST('/simulation_cases', {
        body: {
          name: 'Cut off',
          prompt: 'Order status',
          success_criteria: ['Order found'],
          call_success_type: 'any',
          caller_turns: ['Where is my order?', 'Thanks. [END_CALL]'],
        },
      });
      const run = (
        await client.POST('/simulations', {
          body: { simulation_case_id: created.data!.response.simulation_case.simulation_case_id, target_agent_id: held.id },
        })
      ).data!.response;
      // The worker has the conversation going: the agent holds its second turn.
      while (!turns.some((t) => t.simulation_id === run.simulation_id && t.messages > 0)) await sleep(20);

      const cancelled = await raw(`${api.url}/simulations/${run.simulation_id}/cancel`, { method: 'POST', key });
      expect(cancelled.status).toBe(200);
      expect(cancelled.json.response).toMatchObject({ status: 'failed', error_info: { code: 499, type: 'cancelled' } });
      // The worker notices the cancel in the database and aborts the agent's request.
      await aborted;
      const job = async () =>
        (
          await sql<{ state: string }>(`SELECT state FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND data->>'simulation_id' = $2`, [
            RUN_QUEUE,
            run.simulation_id,
          ])
        )[0]?.state;
      // Its job is acknowledged once the runner has settled: nothing of the run was written after the cancel.
      while ((await job()) !== 'completed') await sleep(20);
      expect(turns.filter((t) => t.simulation_id === run.simulation_id)).toHaveLength(2);
      const read = await raw(`${api.url}/simulations/${run.simulation_id}`, { key });
      expect(read.json.response).toStrictEqual(cancelled.json.response);
      expect(read.json.response.timeline.at(-1)).toMatchObject({
        sender_type: 'system',
        type: 'error',
        value: 'The simulation was cancelled.',
      });

      for (const node of [worker, api]) {
        node.child.kill('SIGTERM');
        expect(await node.exited).toBe(0);
      }
    } finally {
      agent.closeAllConnections();
      await new Promise((resolve) => agent.close(resolve));
    }
  }, 120_000);

  it('refuses --role api and --role worker on SQLite with one line, exit 1', async () => {
    for (const role of ['api', 'worker']) {
      const child = spawnMain(['--role', role], { PORT: '0', SIMS_DATA_DIR: await tempDir(), SIMS_DATABASE_URL: '' });
      let text = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(text.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^--role ${role} needs PostgreSQL \\(SIMS_DATABASE_URL\\)`)),
      ]);
    }
  });
});
