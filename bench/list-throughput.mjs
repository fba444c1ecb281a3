// List throughput as history grows (issue 9, item 9), in one run: the same list requests against the
// reference server on a fresh history (60 runs, enough for every page to be full) and on one holding
// BENCH_RUNS finished runs, printed as a ratio. The pages answered are the same size in both, so the
// ratio is what the history itself costs. Each server runs in its own process; autocannon drives them
// from this one, alternating between the two for BENCH_ROUNDS rounds, and the median of each is
// compared, so that a burst of other work on the machine does not land on one side only.
//
//   pnpm turbo run build --filter=@sims/server && node bench/list-throughput.mjs
//   (BENCH_RUNS=15000, BENCH_ROUNDS=3, BENCH_DURATION=10 seconds per measurement, BENCH_CONNECTIONS=10)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { finishedRunRecord, median, root, serveBuilt } from './support.mjs';

const { createWorkspace, openSqliteStorage } = await import(join(root, 'apps/server/dist/index.js'));
const runs = Number(process.env.BENCH_RUNS ?? 15_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const RUNS_PER_SESSION = 10;
const children = [];
const dirs = [];

/** A finished run as the engine leaves it: a conversation of eight turns and a verdict. */
function finishedRun(session, agent, at, i) {
  const failed = i % 5 === 0;
  const timeline = Array.from({ length: 8 }, (_, t) => ({
    sender_type: t % 2 ? 'agent' : 'persona',
    type: 'message',
    timestamp: at,
    value:
      t % 2
        ? 'Thanks for calling Acme support. Your order 12345 ships tomorrow; anything else?'
        : 'Hi, I would like to know where my order 12345 is.',
  }));
  return finishedRunRecord(session, agent, at, {
    simulation_case_id: randomUUID(),
    simulation_case_name: `Order status ${i % 25}`,
    simulation_case_prompt: 'You are a customer who wants to know where order 12345 is.',
    success_criteria: ['Agent gave the delivery date'],
    status: failed ? 'failed' : 'completed',
    error_info: failed ? { code: 424, type: 'agent_error', message: 'The agent answered 500.' } : null,
    timeline,
    success_criteria_analysis: failed
      ? null
      : { success: true, evaluations: [{ criterion: 'Agent gave the delivery date', passed: true, reasoning: 'It did.' }] },
  });
}

/** A database with one workspace, two agents and `count` finished runs in sessions of ten; answers the key and an agent id. */
async function seed(dataDir, count) {
  const storage = openSqliteStorage(join(dataDir, 'sims.db'));
  try {
    const { workspace, minted } = await createWorkspace(storage, 'Bench');
    const agents = [];
    for (const name of ['Acme Support', 'Globex Support']) {
      const at = new Date().toISOString();
      const agent = {
        id: randomUUID(),
        workspace_id: workspace.id,
        name,
        prompt: 'p',
        connector: { kind: 'builtin' },
        agent_type: 'inbound',
        avatar_url: null,
        phone_number: null,
        created_at: at,
        updated_at: at,
      };
      await storage.agents.create(agent);
      agents.push(agent);
    }
    const start = Date.now() - count * 1000;
    for (let s = 0; s * RUNS_PER_SESSION < count; s += 1) {
      const agent = agents[s % agents.length];
      const at = new Date(start + s * RUNS_PER_SESSION * 1000).toISOString();
      const session = {
        simulation_session_id: randomUUID(),
        workspace_id: workspace.id,
        suite_id: null,
        target_agent_id: agent.id,
        created_at: at,
      };
      const size = Math.min(RUNS_PER_SESSION, count - s * RUNS_PER_SESSION);
      await storage.sessions.createRuns(
        session,
        Array.from({ length: size }, (_, i) => finishedRun(session, agent, at, s * RUNS_PER_SESSION + i)),
      );
    }
    return { key: minted.key, agentId: agents[0].id };
  } finally {
    await storage.close();
  }
}

/** The built server on `dataDir` at log level `warn`; stopped with the others at the end. */
async function serve(dataDir) {
  const served = await serveBuilt(dataDir, { SIMS_LOG_LEVEL: 'warn' });
  children.push(served.child);
  return served;
}

async function measure(title, url, headers) {
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx || result.errors || !result['2xx']) throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function main() {
  const histories = [
    ['fresh history (60 runs)', 60],
    [`${runs} runs`, runs],
  ];
  const targets = [];
  for (const [label, count] of histories) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-lists-'));
    dirs.push(dataDir);
    const started = Date.now();
    const seeded = await seed(dataDir, count);
    console.log(`seeded ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    targets.push({ label, ...seeded, ...(await serve(dataDir)) });
  }
  const lists = (agentId) => [
    ['GET /simulations', '/simulations?page_size=10'],
    ['GET /simulations?status=failed', '/simulations?page_size=10&status=failed'],
    ['GET /simulations?target_agent_id', `/simulations?page_size=10&target_agent_id=${agentId}`],
    ['GET /simulations/sessions', '/simulations/sessions?page_size=2'],
  ];

  console.log(`\nautocannon: ${connections} connections, ${rounds} rounds of ${duration} s per server and list, Node ${process.version}\n`);
  const ratios = [];
  for (const [i, [label]] of lists('').entries()) {
    console.log(label);
    const requests = targets.map((target) => {
      const [, path] = lists(target.agentId)[i];
      return { url: target.api + path, headers: { Authorization: `Bearer ${target.key}` }, rates: [] };
    });
    for (const [t, r] of requests.entries()) {
      const body = await (await fetch(r.url, { headers: r.headers })).json();
      if (body.response.items.length === 0) throw new Error(`${label}: an empty page on ${targets[t].label}`);
      await autocannon({ url: r.url, connections, duration: 1, headers: r.headers }); // warm-up: JIT, caches, keep-alive sockets
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const [t, r] of requests.entries()) r.rates.push(await measure(`${label} on ${targets[t].label}`, r.url, r.headers));
    }
    const medians = requests.map((r) => median(r.rates));
    for (const [t, r] of requests.entries()) {
      console.log(
        `  ${targets[t].label.padEnd(26)} ${medians[t].toFixed(0).padStart(6)} req/s median   (${r.rates.map((x) => x.toFixed(0)).join(', ')})`,
      );
    }
    ratios.push([label, medians[1] / medians[0]]);
    console.log('');
  }
  console.log(`Throughput after ${runs} runs as a ratio of a fresh history:`);
  for (const [label, ratio] of ratios) console.log(`  ${label.padEnd(36)} ${ratio.toFixed(2)}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
