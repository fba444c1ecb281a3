// Throughput of the reference server, in one run, against two baselines on the same machine:
// a bare Fastify route answering a fixed JSON object, and the Prism mock of the same operations.
// Each target runs in its own process; autocannon drives them one after another from this one, and
// the three are measured in turn BENCH_RUNS times, so that each run's ratios come from side-by-side
// figures and the spread between runs shows how much the machine's other load moved them.
//
// Both log at the level a user runs the server with: SIMS_LOG_LEVEL's default (info), or BENCH_LOG_LEVEL.
// The server writes its JSON lines (one per request at info) on stdout; the bare Fastify route has
// Fastify's own logger at the same level, JSON on stdout too (two lines per request at info, as
// Fastify comes); this process reads both outputs through a pipe and drops them.
//
//   pnpm bench:server     (BENCH_DURATION=10 seconds per measurement, BENCH_CONNECTIONS=10, BENCH_RUNS=2)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, root } from './support.mjs';

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const runs = Number(process.env.BENCH_RUNS ?? 2);
// The level a user gets without setting SIMS_LOG_LEVEL, read from the server's own configuration.
const { configFromEnv } = await import(new URL('../apps/server/dist/config.js', import.meta.url).href);
const defaultLogLevel = configFromEnv({}).logLevel;
const logLevel = process.env.BENCH_LOG_LEVEL || defaultLogLevel;
/** The targets of issue 10: the server's throughput as a ratio of the bare route's and of Prism's. */
const TARGETS = { 'GET /simulation_cases/{id}': 0.6, 'GET /simulation_cases?page_size=10': 0.5 };
const PRISM_TARGET = 10;
const children = [];

/**
 * Spawns a process and resolves once `ready(output)` is true for what it printed. From then on its
 * output is read and dropped (a server logging at info prints a line per request), so that keeping
 * it costs this process, which also drives the load, nothing.
 */
function start(args, { env = {}, ready }) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      if (started) return;
      output += chunk;
      if (ready(output)) {
        started = true;
        resolve({ child, output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)));
  });
}

async function waitForHttp(url) {
  for (let i = 0; i < 400; i += 1) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer`);
}

async function measure(title, url, headers = {}, warmUp = true) {
  if (warmUp) await autocannon({ url, connections, duration: 1, headers }); // JIT, caches, keep-alive sockets
  const result = await autocannon({ url, connections, duration, headers });
  const ok = result['2xx'];
  if (result.non2xx || result.errors || !ok) throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  console.log(
    `  ${title.padEnd(44)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(result.latency.p99).padStart(4)} ms`,
  );
  return result.requests.average;
}

async function main() {
  // The reference server, built, on an empty temporary database, without rate limit, logging at `logLevel`.
  const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-'));
  const serverPort = await freePort();
  const { output } = await start(['apps/server/dist/main.js'], {
    env: { PORT: String(serverPort), SIMS_DATA_DIR: dataDir, SIMS_RATE_LIMIT_MAX: '0', SIMS_LOG_LEVEL: logLevel },
    ready: (text) => /sk_[A-Za-z0-9_-]{43}/.test(text),
  });
  const key = output.match(/sk_[A-Za-z0-9_-]{43}/)[0];
  const api = `http://127.0.0.1:${serverPort}/v2`;
  const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  const post = async (path, body) =>
    (await (await fetch(api + path, { method: 'POST', headers: auth, body: JSON.stringify(body) })).json()).response;
  const agent = await post('/agents', { name: 'Acme Support', prompt: 'You are the support agent of Acme.' });
  const suite = await post('/simulation_suites', { name: 'Support', model_id: agent.id });
  let caseBody;
  for (let i = 0; i < 25; i += 1) {
    caseBody = await post('/simulation_cases', {
      name: `Refund ${i}`,
      prompt: 'You are a customer who wants a refund for order #12345.',
      success_criteria: ['Agent acknowledged the refund request', 'Agent asked for order details'],
      call_success_type: 'all',
      suite_id: suite.id,
      base_agent_id: agent.id,
    });
  }
  const caseId = caseBody.simulation_case.simulation_case_id;

  // Bare Fastify routes answering, as fixed objects, the very documents the server answers.
  const barePort = await freePort();
  const answer = async (path) => (await fetch(api + path, { headers: auth })).json();
  const fixedCase = JSON.stringify(await answer(`/simulation_cases/${caseBody.simulation_case.simulation_case_id}`));
  const fixedList = JSON.stringify(await answer('/simulation_cases?page_size=10'));
  const require = createRequire(join(root, 'package.json'));
  await start(
    [
      '--input-type=module',
      '-e',
      `
    import Fastify from ${JSON.stringify(require.resolve('fastify'))};
    const app = Fastify({ logger: { level: ${JSON.stringify(logLevel)} } });
    const one = ${fixedCase};
    const list = ${fixedList};
    app.get('/fixed/case', async () => one);
    app.get('/fixed/list', async () => list);
    await app.listen({ host: '127.0.0.1', port: ${barePort} });
    console.log('listening');
  `,
    ],
    { ready: (text) => text.includes('listening') },
  );

  // The Prism mock of the bundled spec (the same operations, answered from the examples).
  const prismPort = await freePort();
  const prism = createRequire(join(root, 'spec', 'package.json')).resolve('@stoplight/prism-cli/dist/index.js');
  start([prism, 'mock', 'spec/dist/openapi.json', '-h', '127.0.0.1', '-p', String(prismPort)], { ready: () => false }).catch(() => {});
  const mock = `http://127.0.0.1:${prismPort}`;
  await waitForHttp(mock);

  console.log(`autocannon: ${connections} connections, ${duration} s per measurement, ${runs} runs, Node ${process.version}`);
  console.log(
    `reference server: log level ${logLevel}${logLevel === defaultLogLevel ? ' (the default)' : ''}, JSON lines on stdout (written as it ` +
      'does for users: 4 KiB at a time, at least every 100 ms) read and dropped; ' +
      `bare Fastify: Fastify's own logger at ${logLevel}, JSON lines on stdout read and dropped; both answer the same JSON text\n`,
  );
  const operations = [
    ['GET /simulation_cases/{id}', `/simulation_cases/${caseId}`, '/fixed/case'],
    ['GET /simulation_cases?page_size=10', '/simulation_cases?page_size=10', '/fixed/list'],
  ];
  const ratios = new Map(operations.map(([label]) => [label, []]));
  for (let run = 1; run <= runs; run += 1) {
    for (const [label, path, fixedPath] of operations) {
      console.log(`run ${run}: ${label}`);
      const warmUp = run === 1;
      const server = await measure('reference server (SQLite, auth, validation)', api + path, auth, warmUp);
      const bare = await measure('bare Fastify route, the same JSON, fixed', `http://127.0.0.1:${barePort}${fixedPath}`, {}, warmUp);
      const prismRate = await measure('Prism mock of the same operation', mock + path, auth, warmUp);
      ratios.get(label).push({ vsBare: server / bare, vsPrism: server / prismRate });
      console.log('');
    }
  }
  const range = (values) => {
    const low = Math.min(...values).toFixed(2);
    const high = Math.max(...values).toFixed(2);
    return (low === high ? low : `${low}–${high}`).padStart(9);
  };
  console.log(`Reference server throughput as a ratio of (range over ${runs} runs; target in brackets):`);
  for (const [label, measured] of ratios) {
    const vsBare = measured.map((r) => r.vsBare);
    const vsPrism = measured.map((r) => r.vsPrism);
    console.log(
      `  ${label.padEnd(36)} bare Fastify ${range(vsBare)} [≥ ${TARGETS[label]}]   Prism mock ${range(vsPrism)} [≥ ${PRISM_TARGET}]`,
    );
  }
  rmSync(dataDir, { recursive: true, force: true });
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
  });
