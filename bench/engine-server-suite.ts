/**
 * The engine benchmark through the server: N cases against the builtin shop agent with L ms per
 * agent answer and T agent answers per call, executed as one suite over HTTP at server concurrency C
 * (SIMS_CONCURRENCY). Wall time = from the execute request to the last run's `finished_at`, as a
 * ratio of the ideal ceil(N/C)·T·L, plus the overhead per turn; this includes what the server adds to
 * the engine: storing every timeline event as it happens, statuses, verdicts. Over 100 cases, the
 * suite is split into suites of 100 executed together (a suite and a session hold at most 100).
 *
 * The sessions are awaited as a user's program does: the client's `waitForSession`, one read of each
 * session every BENCH_POLL_MS (default the client's own, 2 s, which `sims run` uses too). The wall
 * time does not depend on it (`finished_at` is stamped by the server), but the polling runs in this
 * same process: a full read of a session of 100 runs costs milliseconds, so a client polling harder
 * than users do is measured as server cost (BENCH_POLL_MS=250 shows how much).
 *
 *   pnpm bench:engine-server                      (defaults N=48 C=8 T=6 L=50)
 *   BENCH_N=100 BENCH_C=10 BENCH_T=5 BENCH_L=20 pnpm bench:engine-server
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../apps/server/src/server.js';
import { createSimulationsClient, WAIT_DEFAULTS } from '../packages/client/src/index.js';
import { agentAnswers, executeSuites, seedShopSuites } from './shop-suite.js';

const N = Number(process.env.BENCH_N ?? 48);
const C = Number(process.env.BENCH_C ?? 8);
const T = Number(process.env.BENCH_T ?? 6);
const L = Number(process.env.BENCH_L ?? 50);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? WAIT_DEFAULTS.intervalMs);

async function suite(latency: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sims-bench-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    rateLimit: { max: 0, windowMs: 60_000 },
    bodyLimit: 1024 * 1024,
    logLevel: 'warn',
    shutdownGraceMs: 5_000,
    engine: { concurrency: C, timeoutMs: 600_000, allowPrivateNetworks: false, llm: {} },
  });
  try {
    const headers = { Authorization: `Bearer ${server.firstStart!.key}`, 'Content-Type': 'application/json' };
    const post = async (path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<any>;
    };
    const { agentId, suiteIds } = await seedShopSuites(post, { cases: N, answers: T, latencyMs: latency });
    const started = Date.now();
    const cpu = process.cpuUsage();
    const sessionIds = await executeSuites(post, agentId, suiteIds);
    const client = createSimulationsClient({ baseUrl: server.url, apiKey: server.firstStart!.key });
    const sessions: any[] = await Promise.all(
      sessionIds.map((id) => client.waitForSession(id, { intervalMs: POLL_MS, timeoutMs: Number.POSITIVE_INFINITY })),
    );
    const { user, system } = process.cpuUsage(cpu);
    const runs = sessions.flatMap((s) => s.simulations);
    const last = Math.max(...runs.map((s: any) => Date.parse(s.finished_at)));
    const firstStarted = Math.min(...runs.map((s: any) => Date.parse(s.started_at)));
    const answers = agentAnswers(runs);
    const passed = runs.filter((s: any) => s.success_criteria_analysis?.success).length;
    const failed = sessions.reduce((sum, s) => sum + s.failed_simulations, 0);
    if (failed) throw new Error(`${failed} simulations failed`);
    return { wallMs: last - started, startMs: firstStarted - started, answers, passed, cpuMs: (user + system) / 1000 };
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
console.log(
  `  server log level warn; each session read with the client's waitForSession every ${POLL_MS} ms (BENCH_POLL_MS) in this process`,
);
console.log(
  `  wall ${timed.wallMs} ms (execute → last finished_at), ideal ${waves}*${T}*${L} = ${ideal} ms, ratio ${(timed.wallMs / ideal).toFixed(3)}`,
);
// CPU time of this process (server, engine and the polling client in one) is less swayed by other
// work on the machine than wall time: compare it when the wall figures are noisy.
console.log(
  `  CPU ${timed.cpuMs.toFixed(0)} ms while it ran = ${((timed.cpuMs * 1000) / timed.answers).toFixed(0)} µs per answer (server, engine and polling client)`,
);
console.log(`  overhead per turn (wall - ideal) / (ceil(N/C)*T): ${((timed.wallMs - ideal) / (waves * T)).toFixed(2)} ms`);
// Paid once a suite, not once a turn: the execute request (its runs created, the first started) in a
// server that has not served one yet. Shown apart so that the overhead per turn can be read without it.
console.log(
  `    of which the execute request until the first run started: ${timed.startMs} ms = ${(timed.startMs / (waves * T)).toFixed(2)} ms per turn`,
);
console.log(
  `  with L=0: wall ${free.wallMs} ms for ${free.answers} answers = ${((free.wallMs * 1000) / free.answers).toFixed(0)} µs per answer (engine + storage + the client polling alongside)`,
);
