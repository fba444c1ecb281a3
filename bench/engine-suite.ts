/**
 * Engine benchmark: N cases against the builtin shop agent with an injected latency of L ms per agent
 * answer, T agent answers per call (the greeting plus T-1 turns), at concurrency C through the
 * runner pool. Prints the wall time as a ratio of the ideal ceil(N/C)·T·L and the runner's overhead
 * per turn, then the same suite with L = 0 for the engine's own cost per turn.
 *
 *   pnpm bench:engine                      (defaults N=48 C=8 T=6 L=50)
 *   BENCH_N=100 BENCH_C=10 BENCH_T=5 BENCH_L=20 pnpm bench:engine
 */
import { createRunnerPool, runSimulation, SHOP_SUPPORT_PROMPT, type Agent, type CaseSnapshot } from '../packages/engine/src/index.js';

const N = Number(process.env.BENCH_N ?? 48);
const C = Number(process.env.BENCH_C ?? 8);
const T = Number(process.env.BENCH_T ?? 6);
const L = Number(process.env.BENCH_L ?? 50);

const snapshot: CaseSnapshot = {
  name: 'bench: opening hours',
  prompt: 'You are Alex. You want to know the opening hours.',
  success_criteria: [],
  call_success_type: 'all',
  checks: [
    { kind: 'turns_at_most', max: T - 1 },
    { kind: 'ended_by', side: 'persona' },
  ],
  caller_turns: Array.from({ length: T - 1 }, (_, i) => `Question ${i + 1}: what are your opening hours?`),
};

async function suite(latency: number): Promise<{ wallMs: number; turns: number; answers: number; passed: number }> {
  const agent: Agent = {
    id: 'bench',
    name: 'Nora',
    prompt: SHOP_SUPPORT_PROMPT,
    connector: { kind: 'builtin', builtin: 'shop_support', latency_ms: latency },
  };
  const pool = createRunnerPool({ concurrency: C });
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: N }, () => pool.run(() => runSimulation({ case: snapshot, agent, maxTurns: 50, timeoutMs: 600_000 }))),
  );
  const wallMs = performance.now() - started;
  for (const r of results) if (r.error_info) throw new Error(`a simulation failed: ${r.error_info.message}`);
  const turns = results.reduce((sum, r) => sum + r.turns, 0);
  const answers = results.reduce((sum, r) => sum + r.timeline.filter((e) => e.sender_type === 'agent' && e.type === 'message').length, 0);
  return { wallMs, turns, answers, passed: results.filter((r) => r.analysis?.success).length };
}

const waves = Math.ceil(N / C);
const ideal = waves * T * L;
const timed = await suite(L);
if (timed.answers !== N * T) throw new Error(`expected ${N * T} agent answers, got ${timed.answers}`);
const overheadPerTurn = (timed.wallMs - ideal) / (waves * T);
const free = await suite(0);

console.log(`engine suite: N=${N} cases, C=${C} concurrent, T=${T} agent answers per call (${T - 1} turns), L=${L} ms per answer`);
console.log(`  passed ${timed.passed}/${N}; ${timed.answers} agent answers, ${timed.turns} persona turns`);
console.log(
  `  wall ${timed.wallMs.toFixed(1)} ms, ideal ceil(N/C)*T*L = ${waves}*${T}*${L} = ${ideal} ms, ratio ${(timed.wallMs / ideal).toFixed(3)}`,
);
console.log(`  runner overhead per turn (wall - ideal) / (ceil(N/C)*T): ${overheadPerTurn.toFixed(3)} ms`);
console.log(
  `  with L=0: wall ${free.wallMs.toFixed(1)} ms for ${free.answers} answers = ${((free.wallMs * 1000) / free.answers).toFixed(1)} µs of engine work per answer (all cases)`,
);
