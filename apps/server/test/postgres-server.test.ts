import { describe, expect, it } from 'vitest';
import { startPostgresServer } from './support/postgres-server.js';
import { apiClient } from './support/server.js';
import { storesForFile } from './support/stores.js';

/**
 * The server on PostgreSQL (`SIMS_DATABASE_URL`, issue 11): the first start makes the workspace and
 * its key, a suite runs to the end with its counters, and a restart on the same database keeps it all.
 */
const { databaseUrl } = storesForFile();

describe('the server on PostgreSQL', () => {
  it('runs a suite, keeps every record across a restart, and never prints the password', async () => {
    const withPassword = new URL(databaseUrl());
    withPassword.password = 'not-needed-with-trust';
    const first = await startPostgresServer(withPassword.toString());
    let sessionId: string;
    const key = first.firstStart?.key;
    try {
      expect(key).toMatch(/^sk_/);
      expect(first.database).not.toContain('not-needed-with-trust');
      expect(first.database).toContain('***');
      const api = apiClient(first.url, key);
      const agent = (
        await api.POST('/agents', { body: { name: 'Shop', prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: 0 } } })
      ).data!.response;
      const suite = (await api.POST('/simulation_suites', { body: { name: 'On PostgreSQL', model_id: agent.id } })).data!.response;
      for (const name of ['hours', 'order']) {
        const created = await api.POST('/simulation_cases', {
          body: {
            name,
            prompt: `You ask about ${name}.`,
            success_criteria: ['Agent answered'],
            call_success_type: 'all',
            suite_id: suite.id,
            caller_turns: [`What about ${name}?`],
          },
        });
        expect(created.response.status).toBe(200);
      }
      const executed = await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suite.id }, query: { target_agent_id: agent.id, max_turns: 10 } },
      });
      expect(executed.response.status).toBe(200);
      sessionId = executed.data!.session_id;
      let session = (
        await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: sessionId } } })
      ).data!.response;
      for (let i = 0; i < 200 && session.pending_simulations > 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        session = (
          await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: sessionId } } })
        ).data!.response;
      }
      expect(session).toMatchObject({ total_simulations: 2, completed_simulations: 2, failed_simulations: 0, pending_simulations: 0 });
      for (const run of session.simulations) {
        expect(run.status).toBe('completed');
        expect(run.timeline?.length).toBeGreaterThan(1);
      }
    } finally {
      await first.stop();
    }

    const second = await startPostgresServer(databaseUrl());
    try {
      expect(second.firstStart).toBeUndefined();
      const api = apiClient(second.url, key);
      const session = (
        await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: sessionId } } })
      ).data!.response;
      expect(session).toMatchObject({ total_simulations: 2, completed_simulations: 2, pending_simulations: 0 });
      const cases = (await api.GET('/simulation_cases', { params: { query: { page_size: 10 } } })).data!;
      expect(cases.response.items.map((c) => c.name).sort()).toEqual(['hours', 'order']);
    } finally {
      await second.stop();
    }
  });
});
