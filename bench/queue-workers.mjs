// The run queue on PostgreSQL (issue 11, item 6): a suite of N cases against the builtin shop agent
// (L ms per agent answer, T answers per call) executed through a PostgreSQL-backed API node, its
// wall time (execute → last finished_at) as a ratio of the ideal ceil(N/C)·T·L
//
//   - with one `--role worker` process (C = SIMS_CONCURRENCY runs at once) and with two (2·C at once),
//     the API node a process of its own (`--role api`): the throughput ratio two ÷ one is printed;
//   - with one `--role all` process (API and worker in one, runs through the queue) and with the same
//     process running the in-process engine on the same PostgreSQL (no queue: the engine SQLite
//     servers use), for the queue's own overhead per run: (wall through the queue − wall in-process)
//     ÷ ceil(N/C), as a run waits in one of ceil(N/C) waves.
//
// Every server is the built one (apps/server/dist) in its own process, at the log level users run
// with (info; stdout discarded), on a fresh database of one throw-away PostgreSQL 15 started here
// (apps/server/test/support/postgres.ts, through tsx). Settings as users have them: the queue polls
// every SIMS_QUEUE_POLL_MS (1000 ms default) when idle, so a worker process picks the first job up
// within a poll; the `all` process wakes its own workers when runs are sent. The scenarios run
// side by side, one of each per round, BENCH_ROUNDS rounds; medians are compared.
//
//   pnpm bench:queue   (BENCH_N=48 BENCH_C=4 BENCH_T=6 BENCH_L=50 BENCH_ROUNDS=3 BENCH_POLL_MS=250)
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, root, serveBuilt } from './support.mjs';

const N = Number(process.env.BENCH_N ?? 48);
const C = Number(process.env.BENCH_C ?? 4);
const T = Number(process.env.BENCH_T ?? 6);
const L = Number(process.env.BENCH_L ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 250);

// The tests' throw-away PostgreSQL, imported through tsx (a dev dependency of the server).
const serverRequire = createRequire(join(root, 'apps/server/package.json'));
await import(pathToFileURL(serverRequire.resolve('tsx/esm')).href);
const { startPostgres, createDatabase } = await import(pathToFileURL(join(root, 'apps/server/test/support/postgres.ts')).href);
// The suite bench:engine-server runs too, through the same loader.
const { agentAnswers, executeSuites, seedShopSuites } = await import('./shop-suite.ts');
const { createWorkspace } = await import(pathToFileURL(join(root, 'apps/server/dist/index.js')).href);
const { openStorage } = await import(pathToFileURL(join(root, 'apps/server/dist/storage/open.js')).href);

const postgres = await startPostgres();
const children = [];
const dirs = [];
const databases = [];

/** The in-process engine (no queue) on PostgreSQL: the server as `sims-server` starts it, with the engine SQLite servers run. */
const IN_PROCESS = `
const dist = ${JSON.stringify(pathToFileURL(join(root, 'apps/server/dist')).href)};
const { startServer } = await import(dist + '/server.js');
const { SimulationEngine } = await import(dist + '/engine/simulation-engine.js');
const { configFromEnv } = await import(dist + '/config.js');
const config = configFromEnv();
const server = await startServer(config, (storage) => new SimulationEngine(storage, config.engine));
process.stderr.write('Simulations API  ' + server.url + '\\nDatabase         ' + server.database + '\\n');
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
`;

const serveInProcess = (dataDir, env) => serveBuilt(dataDir, env, ['--input-type=module', '-e', IN_PROCESS]);

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * One scenario on a fresh database: the workspace and key made through the server's storage, the
 * processes started, N cases seeded through the API, the suites executed, the sessions awaited.
 */
async function scenario(name, start) {
  const database = await createDatabase(postgres.url);
  databases.push(database);
  const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-queue-'));
  dirs.push(dataDir);
  const storage = await openStorage({ dataDir, databaseUrl: database.url });
  const { minted } = await createWorkspace(storage, 'bench');
  await storage.close();
  const env = {
    SIMS_DATABASE_URL: database.url,
    SIMS_CONCURRENCY: String(C),
    SIMS_SIMULATION_TIMEOUT_MS: '600000',
  };
  const started = await start(dataDir, env);
  children.push(...started.map((s) => s.child));
  try {
    const api = started[0].api;
    const headers = { Authorization: `Bearer ${minted.key}`, 'Content-Type': 'application/json' };
    const call = async (method, path, body) => {
      const response = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!response.ok) throw new Error(`${name} ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    const post = (path, body) => call('POST', path, body);
    const { agentId, suiteIds } = await seedShopSuites(post, { cases: N, answers: T, latencyMs: L });
    const t0 = Date.now();
    const sessionIds = await executeSuites(post, agentId, suiteIds);
    const runs = [];
    for (const id of sessionIds) {
      for (;;) {
        const session = (await call('GET', `/simulations/session/${id}`)).response;
        if (session.pending_simulations === 0) {
          runs.push(...session.simulations);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
    const failed = runs.filter((s) => s.status !== 'completed');
    if (failed.length) throw new Error(`${name}: ${failed.length} runs did not complete: ${JSON.stringify(failed[0].error_info)}`);
    const answers = agentAnswers(runs);
    if (answers !== N * T) throw new Error(`${name}: expected ${N * T} agent answers, got ${answers}`);
    return Math.max(...runs.map((s) => Date.parse(s.finished_at))) - t0;
  } finally {
    for (const s of started) await stop(s.child);
  }
}

const SCENARIOS = {
  'in-process (no queue), 1 process': async (dir, env) => [await serveInProcess(dir, env)],
  'queue, --role all, 1 process': async (dir, env) => [await serveBuilt(dir, { ...env, SIMS_ROLE: 'all' })],
  'queue, --role api + 1 --role worker': async (dir, env) => [
    await serveBuilt(dir, { ...env, SIMS_ROLE: 'api' }),
    await serveBuilt(dir, { ...env, SIMS_ROLE: 'worker' }),
  ],
  'queue, --role api + 2 --role worker': async (dir, env) => [
    await serveBuilt(dir, { ...env, SIMS_ROLE: 'api' }),
    await serveBuilt(dir, { ...env, SIMS_ROLE: 'worker' }),
    await serveBuilt(dir, { ...env, SIMS_ROLE: 'worker' }),
  ],
};

try {
  const walls = Object.fromEntries(Object.keys(SCENARIOS).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round += 1)
    for (const [name, start] of Object.entries(SCENARIOS)) walls[name].push(await scenario(name, start));
  const wall = Object.fromEntries(Object.entries(walls).map(([name, values]) => [name, median(values)]));
  const waves = (workers) => Math.ceil(N / (C * workers));
  const ideal = (workers) => waves(workers) * T * L;
  console.log(
    `run queue on PostgreSQL: N=${N} cases, C=${C} (SIMS_CONCURRENCY per worker), T=${T} agent answers per call, L=${L} ms per answer`,
  );
  console.log(`  every server built (apps/server/dist), its own process, log level info (default), SIMS_QUEUE_POLL_MS default (1000)`);
  console.log(`  ${ROUNDS} rounds, one of each scenario per round; wall = execute → last finished_at, median (each round's in brackets)`);
  for (const [name, values] of Object.entries(walls)) {
    const workers = name.includes('2 --role worker') ? 2 : 1;
    console.log(
      `  ${name.padEnd(38)} wall ${String(wall[name]).padStart(6)} ms [${values.join(', ')}]  ideal ${waves(workers)}*${T}*${L} = ${ideal(workers)} ms  ratio ${(wall[name] / ideal(workers)).toFixed(3)}`,
    );
  }
  const one = wall['queue, --role api + 1 --role worker'];
  const two = wall['queue, --role api + 2 --role worker'];
  console.log(`  throughput two workers ÷ one: ${(one / two).toFixed(2)} (ideal ${(ideal(1) / ideal(2)).toFixed(2)})`);
  const difference = wall['queue, --role all, 1 process'] - wall['in-process (no queue), 1 process'];
  console.log(
    `  queue overhead per run: (--role all through the queue − in-process engine) = ${difference} ms; ÷ ceil(N/C) = ${(difference / waves(1)).toFixed(1)} ms a run's wait (its wave's), ÷ N = ${(difference / N).toFixed(1)} ms of throughput`,
  );
} finally {
  for (const child of children) await stop(child);
  for (const database of databases) await database.drop().catch(() => {});
  await postgres.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
