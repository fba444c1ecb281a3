import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINE_DEFAULTS } from '../src/config.js';
import { QUEUE_SCHEMA, QueueEngine, RUN_QUEUE } from '../src/queue/queue-engine.js';
import { openPostgresStorage, type PostgresStorage } from '../src/storage/postgres/index.js';
import type { AgentRecord, SessionRecord } from '../src/storage/types.js';
import { agentRecord } from './support/agents.js';
import { createDatabase, startPostgres, type TestPostgres } from './support/postgres.js';
import type {} from './support/postgres-setup.js';
import { runOf } from './support/records.js';

/**
 * The run queue in one process (the cluster test runs it across processes): jobs sent with the runs
 * they carry, deliveries that find their run started or finished, and the sweep a starting worker
 * does. Each test on a database of its own (the queue's tables are per database, in `pgboss`).
 */
let server: TestPostgres | undefined;
let serverUrl = '';
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  serverUrl = inject('postgresUrl') ?? '';
  if (!serverUrl) {
    server = await startPostgres();
    serverUrl = server.url;
  }
}, 120_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await server?.stop();
});

const WS = 'ws-queue';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function database(): Promise<string> {
  const db = await createDatabase(serverUrl);
  cleanups.push(() => db.drop());
  return db.url;
}

async function storageOn(url: string): Promise<PostgresStorage> {
  const storage = await openPostgresStorage(url);
  cleanups.push(() => storage.close());
  return storage;
}

/** An engine of the role (`work`: worker or all; else api), started on its own storage; stopped after the test. */
async function engineOn(url: string, work: boolean): Promise<{ storage: PostgresStorage; engine: QueueEngine }> {
  const storage = await storageOn(url);
  const engine = new QueueEngine(
    storage,
    { ...ENGINE_DEFAULTS, concurrency: 2, timeoutMs: 5_000 },
    { pollMs: 500, expiryMarginMs: 1_000, maintenanceMs: 1_000, work },
  );
  await engine.start();
  cleanups.push(() => engine.stop());
  return { storage, engine };
}

async function seed(storage: PostgresStorage): Promise<{ agent: AgentRecord; session: () => SessionRecord }> {
  const at = new Date().toISOString();
  await storage.workspaces.create({ id: WS, name: 'Queue', created_at: at });
  const agent = agentRecord(WS, 'Shop', at, { prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: 0 } });
  await storage.agents.create(agent);
  const session = () => ({
    simulation_session_id: randomUUID(),
    workspace_id: WS,
    suite_id: null,
    target_agent_id: agent.id,
    created_at: new Date().toISOString(),
    cancelled_at: null,
  });
  return { agent, session };
}

async function jobs(storage: PostgresStorage) {
  return (
    await storage.pool.query<{ simulation_id: string; state: string }>(
      `SELECT data->>'simulation_id' AS simulation_id, state FROM ${QUEUE_SCHEMA}.job WHERE name = $1`,
      [RUN_QUEUE],
    )
  ).rows;
}

/** Until every job of the queue is completed (deliveries are acknowledged just after their run is recorded). */
async function allCompleted(storage: PostgresStorage, count: number) {
  for (let i = 0; i < 500; i += 1) {
    const all = await jobs(storage);
    if (all.length === count && all.every((j) => j.state === 'completed')) return all;
    await sleep(20);
  }
  return jobs(storage);
}

describe('the run queue on PostgreSQL', () => {
  it('sends the jobs of runs in the transaction that creates them: a run rolled back has no job, and the api role runs nothing', async () => {
    const url = await database();
    const { storage } = await engineOn(url, false);
    const { session } = await seed(storage);
    const first = session();
    const runs = [runOf(first, 1), runOf(first, 2)];
    await storage.sessions.createRuns(first, runs);
    expect((await jobs(storage)).map((j) => j.simulation_id).sort()).toEqual(runs.map((r) => r.simulation_id).sort());
    // A run id already taken fails the whole transaction: neither the new runs nor their jobs remain.
    const second = session();
    const taken = runOf(second, 3);
    await expect(
      storage.sessions.createRuns(second, [taken, { ...runOf(second, 4), simulation_id: runs[0]!.simulation_id }]),
    ).rejects.toThrow();
    expect(await jobs(storage)).toHaveLength(2);
    expect(await storage.sessions.get(WS, second.simulation_session_id)).toBeUndefined();
    expect((await jobs(storage)).every((j) => j.state === 'created')).toBe(true);
    for (const run of runs) expect((await storage.simulations.get(WS, run.simulation_id))!.started_at).toBeNull();
  });

  it('a delivery that finds its run started records 503 interrupted once; one that finds it finished changes nothing', async () => {
    const url = await database();
    const { storage } = await engineOn(url, false);
    const { session } = await seed(storage);
    const s = session();
    const [cut, done] = [runOf(s, 1), runOf(s, 2)];
    await storage.sessions.createRuns(s, [cut, done]);
    // One run started by a worker that then died; the other finished before its job came (by an earlier delivery).
    expect(await storage.simulations.markStarted(cut.simulation_id, new Date().toISOString())).toBe(true);
    await storage.simulations.finish(
      done.simulation_id,
      { status: 'completed', success_criteria_analysis: null, error_info: null },
      new Date().toISOString(),
    );
    const doneBefore = await storage.simulations.get(WS, done.simulation_id);

    await engineOn(url, true);
    expect((await allCompleted(storage, 2)).map((j) => j.state)).toEqual(['completed', 'completed']);
    const interrupted = (await storage.simulations.get(WS, cut.simulation_id))!;
    expect(interrupted).toMatchObject({ status: 'failed', error_info: { code: 503, type: 'interrupted' } });
    expect(interrupted.timeline).toHaveLength(1);
    expect(await storage.simulations.get(WS, done.simulation_id)).toStrictEqual(doneBefore);

    // Delivered again (as after an expiry): nothing changes, and the job is acknowledged again.
    await storage.pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET state = 'created', started_on = NULL, completed_on = NULL WHERE name = $1`, [
      RUN_QUEUE,
    ]);
    expect((await allCompleted(storage, 2)).map((j) => j.state)).toEqual(['completed', 'completed']);
    expect(await storage.simulations.get(WS, cut.simulation_id)).toStrictEqual(interrupted);
    expect(await storage.simulations.get(WS, done.simulation_id)).toStrictEqual(doneBefore);
    expect((await storage.sessions.counters(WS, [s.simulation_session_id])).get(s.simulation_session_id)).toStrictEqual({
      total_simulations: 2,
      completed_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 0,
    });
  });

  it('a worker starting sends a job for the unfinished runs that have none (left by a server before the queue) and runs them', async () => {
    const url = await database();
    // Written without the queue, as a server on PostgreSQL before this version did.
    const plain = await storageOn(url);
    const { session } = await seed(plain);
    const s = session();
    const runs = [runOf(s, 1), runOf(s, 2), runOf(s, 3)];
    await plain.sessions.createRuns(s, runs);
    const { storage } = await engineOn(url, true);
    expect(await allCompleted(storage, 3)).toHaveLength(3);
    for (const run of runs) {
      const read = (await storage.simulations.get(WS, run.simulation_id))!;
      expect(read.status).toBe('completed');
      expect(read.started_at).not.toBeNull();
    }
  });
});
