/**
 * The engine benchmark through the server: N cases against the builtin shop agent with L ms per
 * agent answer and T agent answers per call, executed as one suite over HTTP at server concurrency C
 * (SIMS_CONCURRENCY). Wall time = from the execute request to the last run's `finished_at`, as a
 * ratio of the ideal ceil(N/C)·T·L, plus the overhead per turn; this includes what the server adds to
 * the engine: storing every timeline event as it happens, statuses, verdicts.
 *
 *   pnpm bench:engine-server                      (defaults N=48 C=8 T=6 L=50)
 *   BENCH_N=100 BENCH_C=10 BENCH_T=5 BENCH_L=20 pnpm bench:engine-server
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../apps/server/src/server.js';

const N = Number(process.env.BENCH_N ?? 48);
const C = Number(process.env.BENCH_C ?? 8);
const T = Number(process.env.BENCH_T ?? 6);
const L = Number(process.env.BENCH_L ?? 50);

async function suite(latency: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sims-bench-'));
  const server = await startServer({
    host: '127.0.0.1', port: 0, dataDir, rateLimit: { max: 0, windowMs: 60_000 }, bodyLimit: 1024 * 1024, logLevel: 'warn', shutdownGraceMs: 5_000,
    engine: { concurrency: C, timeoutMs: 600_000, allowPrivateNetworks: false, llm: {} },
  });
  try {
    const headers = { Authorization: `Bearer ${server.firstStart!.key}`, 'Content-Type': 'application/json' };
    const post = async (path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<any>;
    };
    const agent = (await post('/agents', { name: 'Nora', prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: latency } })).response;
    const suiteId = (await post('/simulation_suites', { name: 'bench', model_id: agent.id })).response.id;
    for (let i = 0; i < N; i += 1) {
      await post('/simulation_cases', {
        name: `bench ${i}`, prompt: 'You want to know the opening hours.', suite_id: suiteId, success_criteria: ['Hours given'], call_success_type: 'any',
        caller_turns: Array.from({ length: T - 1 }, (_, k) => `Question ${k + 1}: what are your opening hours?`),
        checks: [{ kind: 'turns_at_most', max: T - 1 }, { kind: 'ended_by', side: 'persona' }],
      });
    }
    const started = Date.now();
    const { session_id } = await post(`/simulation_suites/${suiteId}/execute?target_agent_id=${agent.id}&max_turns=50`);
    let session: any;
    for (;;) {
      session = (await (await fetch(`${server.url}/simulations/session/${session_id}`, { headers })).json()).response;
      if (session.pending_simulations === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const last = Math.max(...session.simulations.map((s: any) => Date.parse(s.finished_at)));
    const answers = session.simulations.reduce((sum: number, s: any) => sum + s.timeline.filter((e: any) => e.sender_type === 'agent' && e.type === 'message').length, 0);
    const passed = session.simulations.filter((s: any) => s.success_criteria_analysis?.success).length;
    if (session.failed_simulations) throw new Error(`${session.failed_simulations} simulations failed`);
    return { wallMs: last - started, answers, passed };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const waves = Math.ceil(N / C);
const ideal = waves * T * L;
const timed = await suite(L);
if (timed.answers !== N * T) throw new Error(`expected ${N * T} agent answers, got ${timed.answers}`);
const free = await suite(0);
console.log(`engine through the server: N=${N} cases, C=${C} (SIMS_CONCURRENCY), T=${T} agent answers per call, L=${L} ms per answer`);
console.log(`  passed ${timed.passed}/${N}; ${timed.answers} agent answers, each timeline event stored as it happened`);
console.log(`  wall ${timed.wallMs} ms (execute → last finished_at), ideal ${waves}*${T}*${L} = ${ideal} ms, ratio ${(timed.wallMs / ideal).toFixed(3)}`);
console.log(`  overhead per turn (wall - ideal) / (ceil(N/C)*T): ${((timed.wallMs - ideal) / (waves * T)).toFixed(2)} ms`);
console.log(`  with L=0: wall ${free.wallMs} ms for ${free.answers} answers = ${((free.wallMs * 1000) / free.answers).toFixed(0)} µs per answer (engine + storage + HTTP polling alongside)`);
