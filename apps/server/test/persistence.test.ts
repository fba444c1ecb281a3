import { afterEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { migrations } from '../src/storage/sqlite/migrations.js';
import { apiClient, seed, startTestServer, type TestServer } from './support/server.js';

/**
 * Everything written survives a restart on the same database file. Runs stay queued here
 * (QueueOnlyEngine); test/crash.test.ts restarts the real engine mid-run.
 */
const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(dataDir?: string) {
  const server = await startTestServer({ dataDir, engine: () => new QueueOnlyEngine() });
  running.push(server);
  return server;
}

describe('persistence', () => {
  it('reads back after a restart what was created before it', async () => {
    const first = await start();
    expect(first.firstStart).toBeDefined();
    const key = first.key;
    const api = apiClient(first.url, key);
    const { agentId, suiteId, caseIds, scenarioId } = await seed(api, 2);
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId, max_turns: 12 } },
      })
    ).data!;
    const idempotent = {
      params: { header: { 'Idempotency-Key': 'before-restart' } },
      body: { simulation_case_id: caseIds[0]!, target_agent_id: agentId },
    };
    const started = (await api.POST('/simulations', idempotent)).data!.response;
    await first.stop();
    running.splice(0);

    const second = await start(first.dataDir);
    expect(second.firstStart).toBeUndefined();
    const again = apiClient(second.url, key);
    expect((await again.GET('/agents/{agent_id}', { params: { path: { agent_id: agentId } } })).data!.response.name).toBe('Acme Support');
    const suite = (await again.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } })).data!.response;
    expect(suite.cases.map((c) => c.simulation_case_id)).toEqual(caseIds);
    expect(
      (await again.GET('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: scenarioId } } })).data!.response.name,
    ).toBe('Changes mind');
    const session = (
      await again.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: session_id } } })
    ).data!.response;
    expect(session).toMatchObject({ total_simulations: 2, pending_simulations: 2 });
    expect(session.simulations[0]!.max_turns).toBe(12);
    // The idempotency record survives too: the retry answers the same simulation.
    expect((await again.POST('/simulations', idempotent)).data!.response.simulation_id).toBe(started.simulation_id);
  });

  it('applies each migration once and keeps the database in WAL mode', async () => {
    const first = await start();
    await first.stop();
    running.splice(0);
    await (await start(first.dataDir)).stop();
    running.splice(0);
    const db = new BetterSqlite3(join(first.dataDir, 'sims.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual(migrations.map((m) => ({ version: m.version })));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const keys = db.prepare('SELECT hash, prefix FROM api_keys').all() as Array<{ hash: string; prefix: string }>;
      expect(keys).toHaveLength(1);
      expect(keys[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.key.startsWith(keys[0]!.prefix)).toBe(true);
      expect(JSON.stringify(db.prepare('SELECT * FROM api_keys').all())).not.toContain(first.key);
    } finally {
      db.close();
    }
  });
});
