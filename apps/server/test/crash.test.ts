import { afterEach, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { apiClient, tempDir } from './support/server.js';
import { spawnServer, type ServerProcess } from './support/process.js';

/**
 * Crash safety: the server process is killed with SIGKILL in the middle of a suite run, then started
 * again on the same database. No simulation may stay in progress, and nothing finished may be lost.
 */
type Simulation = components['schemas']['SimulationReadOut'];
const processes: ServerProcess[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash safety', () => {
  it('after SIGKILL during a suite run, a restart fails the cut-off runs (503 interrupted), resumes the queued ones and keeps every result', async () => {
    const dataDir = await tempDir();
    const first = await spawnServer({ SIMS_DATA_DIR: dataDir, SIMS_CONCURRENCY: '2' }, { firstStart: true });
    processes.push(first);
    expect(first.key).toMatch(/^sk_/);
    const api = apiClient(first.url, first.key);
    const agent = (await api.POST('/agents', { body: { name: 'Slow shop', prompt: 'p', connector: { kind: 'builtin', latency_ms: 250 } } }))
      .data!.response;
    const suite = (await api.POST('/simulation_suites', { body: { name: 'Crash suite', model_id: agent.id } })).data!.response;
    for (let i = 0; i < 8; i += 1) {
      await api.POST('/simulation_cases', {
        body: {
          name: `Case ${i}`,
          prompt: 'Order status',
          suite_id: suite.id,
          success_criteria: ['Order found'],
          call_success_type: 'any',
          caller_turns: ['Where is my order?', "It's 12345.", 'And when does it arrive?', "No, that's all. Goodbye. [END_CALL]"],
          checks: [{ kind: 'tool_called', name: 'lookup_order' }],
        },
      });
    }
    const { session_id } = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suite.id }, query: { target_agent_id: agent.id } },
      })
    ).data!;
    const readSession = async (client = api) =>
      (await client.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: session_id } } })).data!
        .response;

    // Wait until at least one run has finished and another is mid-conversation, then kill the process.
    let before = await readSession();
    for (let i = 0; i < 2000; i += 1) {
      const running = before.simulations.some((s) => s.status === 'in-progress' && s.started_at !== null && (s.timeline ?? []).length > 0);
      if (before.completed_simulations >= 1 && running) break;
      await sleep(10);
      before = await readSession();
    }
    first.child.kill('SIGKILL');
    await first.exited;
    expect(before.completed_simulations).toBeGreaterThanOrEqual(1);
    expect(before.pending_simulations).toBeGreaterThan(0);
    const finishedBefore = before.simulations.filter((s) => s.status !== 'in-progress');

    const second = await spawnServer({ SIMS_DATA_DIR: dataDir, SIMS_CONCURRENCY: '2' }, { firstStart: false });
    processes.push(second);
    const again = apiClient(second.url, first.key);
    let after = await readSession(again);
    for (let i = 0; i < 3000 && after.pending_simulations > 0; i += 1) {
      await sleep(10);
      after = await readSession(again);
    }
    expect(after.pending_simulations).toBe(0);
    expect(after.total_simulations).toBe(8);
    expect(after.simulations.filter((s) => s.status === 'in-progress')).toEqual([]);
    // Nothing finished before the crash changed.
    const byId = new Map(after.simulations.map((s) => [s.simulation_id, s]));
    for (const s of finishedBefore) expect(byId.get(s.simulation_id)).toEqual(s);
    // Every run is either completed or failed as interrupted, with finished_at set.
    for (const s of after.simulations as Simulation[]) {
      expect(s.finished_at).not.toBeNull();
      if (s.status === 'failed') {
        expect(s.error_info).toMatchObject({ code: 503, type: 'interrupted' });
        expect(s.timeline!.at(-1)).toMatchObject({ sender_type: 'system', type: 'error' });
      } else {
        expect(s.success_criteria_analysis!.success).toBe(true);
      }
    }
    // The runs that had not started before the crash were resumed and ran to the end.
    const queuedBefore = before.simulations.filter((s) => s.started_at === null).map((s) => s.simulation_id);
    for (const id of queuedBefore) expect(['completed', 'failed']).toContain(byId.get(id)!.status);
    const resumed = queuedBefore.filter((id) => byId.get(id)!.status === 'completed');
    expect(resumed.length + after.failed_simulations).toBeGreaterThan(0);
  });
});
