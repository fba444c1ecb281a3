// Cold start (issue 10, item 7): from process spawn to `GET /health` answering 200, for the reference
// server and for a bare Fastify app serving /health, side by side in one run. The server is started
// on an existing data directory (a restart: the headline figure) and on a fresh, empty one (a first
// start, which also migrates an empty database and mints the first workspace's key). The three kinds
// of start take turns, in a rotating order, for BENCH_RUNS rounds; medians are compared, so that a
// burst of other work on the machine does not land on one side only. Both servers log at `info`
// (the server's default) as JSON lines to a pipe this process reads and drops.
//
//   pnpm bench:cold-start                  (builds the server, then runs this)
//   BENCH_RUNS=15 node bench/cold-start.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, median, root } from './support.mjs';

const serverMain = join(root, 'apps/server/dist/main.js');
const runs = Number(process.env.BENCH_RUNS ?? 11);
const POLL_MS = 2;
const GIVE_UP_MS = 20_000;
const dirs = [];

// The baseline: Fastify with the same logger level and the same listen call, and one route.
const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify({ logger: { level: 'info' } });
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
`;

/** One `GET /health`, without keep-alive: resolves to the status, or undefined when nothing answers yet. */
function health(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sims-cold-'));
  dirs.push(dir);
  return dir;
};

/** Spawns `args` and polls /health every POLL_MS; answers the milliseconds from spawn to a 200. */
async function coldStart(args, env) {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), SIMS_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    for (;;) {
      if ((await health(port)) === 200) return performance.now() - start;
      if (exited) throw new Error(`${args.join(' ')} exited before answering:\n${output}`);
      if (performance.now() - start > GIVE_UP_MS) throw new Error(`${args.join(' ')}: no 200 from /health in ${GIVE_UP_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    const gone = new Promise((resolve) => (exited ? resolve() : child.once('exit', resolve)));
    child.kill('SIGTERM');
    await gone;
  }
}

// A data directory with a migrated database and its first workspace, as a restart finds it.
const existing = tempDir();
await coldStart([serverMain], { SIMS_DATA_DIR: existing });

const kinds = {
  'bare Fastify': () => coldStart(['--input-type=module', '-e', BARE_FASTIFY], {}),
  'server, existing data dir': () => coldStart([serverMain], { SIMS_DATA_DIR: existing }),
  'server, fresh data dir': () => coldStart([serverMain], { SIMS_DATA_DIR: tempDir() }),
};
const names = Object.keys(kinds);
const times = Object.fromEntries(names.map((name) => [name, []]));

try {
  // Warm-up: the file system cache and the compile cache of the first start of each.
  for (const name of names) await kinds[name]();
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      times[name].push(await kinds[name]());
    }
  }
  const bare = median(times['bare Fastify']);
  console.log(`node ${process.version}, ${runs} rounds, spawn to GET /health = 200, both logging JSON at info to a pipe`);
  for (const name of names) {
    const values = times[name];
    const m = median(values);
    const ratio = name === 'bare Fastify' ? '' : `  ${(m / bare).toFixed(2)}x bare Fastify`;
    console.log(
      `${name.padEnd(26)} median ${m.toFixed(0).padStart(4)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})${ratio}`,
    );
  }
  console.log(
    `headline: server on an existing data dir / bare Fastify = ${(median(times['server, existing data dir']) / bare).toFixed(2)}x`,
  );
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
