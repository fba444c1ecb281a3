// Throughput of @sims/client against a bare openapi-fetch client and raw fetch: the same GET to one
// local node:http server, the three taking turns round by round (in a rotating order) in one process,
// so all see the same machine load. Prints each one's throughput as a ratio of raw fetch (1.00 = no
// overhead) and the client's as a ratio of bare openapi-fetch: what the client's own layers (auth,
// request ids, user agent, time-out, retries) cost over the library it is built on. The client runs
// with its defaults (30 s time-out, retries on) unless CLIENT_OPTIONS says otherwise. All three send the
// same headers, so the server and fetch do the same work for each: the client's documented
// Authorization, X-Request-Id and User-Agent, the other two with a fixed id of the same length (making
// a fresh id per call is part of what the client's layers cost).
//
//   pnpm bench:client                      (builds the client, then runs this)
//   ROUNDS=30 REQUESTS=500 CONCURRENCY=8 node bench/client-throughput.mjs
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';
import { createSimulationsClient, VERSION } from '../packages/client/dist/index.js';
import { median } from './support.mjs';

// The openapi-fetch the client itself is built on.
const fromClient = createRequire(new URL('../packages/client/package.json', import.meta.url));
const { default: createClient } = await import(pathToFileURL(fromClient.resolve('openapi-fetch/dist/index.mjs')).href);

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const REQUESTS = Number(process.env.REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const API_KEY = 'sk_bench';
/** What the client sends on every call (with its own fresh X-Request-Id), sent by the other two as well. */
const HEADERS = {
  Authorization: `Bearer ${API_KEY}`,
  'X-Request-Id': `req_${'0'.repeat(32)}`,
  'User-Agent': `sims-client/${VERSION}`,
};

const body = JSON.stringify({
  status: 'ok',
  response: { simulation_id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', status: 'completed', timeline: [], success_criteria_analysis: null },
});

const server = createServer((request, response) => {
  if (request.headers.authorization !== `Bearer ${API_KEY}`) {
    response.writeHead(401).end();
    return;
  }
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Request-Id': request.headers['x-request-id'] ?? 'req_bench',
  });
  response.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const client = createSimulationsClient({ apiKey: API_KEY, baseUrl: base, ...JSON.parse(process.env.CLIENT_OPTIONS ?? '{}') });
const bare = createClient({ baseUrl: base, headers: HEADERS });
const simulationId = 'sim-bench';

const viaClient = async () => {
  const { data, error } = await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulationId } } });
  if (error || data?.status !== 'ok') throw new Error('client request failed');
};
const viaBare = async () => {
  const { data, error } = await bare.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulationId } } });
  if (error || data?.status !== 'ok') throw new Error('bare openapi-fetch request failed');
};
const viaFetch = async () => {
  const response = await fetch(`${base}/simulations/${encodeURIComponent(simulationId)}`, { headers: HEADERS });
  const json = await response.json();
  if (!response.ok || json.status !== 'ok') throw new Error('fetch request failed');
};

// Each round starts on a clean heap, so that one kind's garbage is collected in its own round, not in
// the next kind's: what a kind allocates is part of its cost.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');

/**
 * Sends `REQUESTS` requests, `CONCURRENCY` at a time; answers requests per second of wall time and of
 * this process's CPU time (client and server together: the server's share is the same for all three).
 * The CPU figure barely moves when other work on the machine takes turns on the cores; wall time does.
 */
async function round(send) {
  collectGarbage();
  let next = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await send();
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  return { wall: REQUESTS / ((performance.now() - start) / 1000), cpu: REQUESTS / ((cpu.user + cpu.system) / 1e6) };
}

const kinds = { 'raw fetch': viaFetch, 'bare openapi-fetch': viaBare, '@sims/client': viaClient };
const names = Object.keys(kinds);
const rate = Object.fromEntries(names.map((name) => [name, []]));
const pairs = [
  ['bare openapi-fetch', 'raw fetch'],
  ['@sims/client', 'raw fetch'],
  ['@sims/client', 'bare openapi-fetch'],
];
const ratios = { wall: pairs.map(() => []), cpu: pairs.map(() => []) };

try {
  for (const name of names) await round(kinds[name]); // warm-up: JIT and keep-alive connections
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate which goes first so that none always runs on a warmer (or busier) machine.
    const got = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      got[name] = await round(kinds[name]);
      rate[name].push(got[name]);
    }
    for (const measure of ['wall', 'cpu']) {
      for (const [p, [a, b]] of pairs.entries()) ratios[measure][p].push(got[a][measure] / got[b][measure]);
    }
  }
  console.log(
    `node ${process.version}, ${ROUNDS} rounds x ${REQUESTS} GETs, concurrency ${CONCURRENCY}, client options ${process.env.CLIENT_OPTIONS ?? '{}'}`,
  );
  console.log('all three send Authorization, X-Request-Id and User-Agent: the client a fresh id per call, the others a fixed one');
  for (const name of names) {
    const wall = median(rate[name].map((r) => r.wall)).toFixed(0);
    const cpu = median(rate[name].map((r) => r.cpu)).toFixed(0);
    console.log(`${name.padEnd(19)} median ${wall} req/s, ${cpu} req per CPU second`);
  }
  for (const [measure, label] of [
    ['wall', 'throughput ratio'],
    ['cpu', 'per-CPU-second ratio'],
  ]) {
    pairs.forEach(([a, b], p) => {
      const values = ratios[measure][p];
      const spread = `(min ${Math.min(...values).toFixed(3)}, max ${Math.max(...values).toFixed(3)})`;
      console.log(`${`${a} / ${b}`.padEnd(34)} ${label}: median ${median(values).toFixed(3)} ${spread}`);
    });
  }
} finally {
  server.close();
  server.closeAllConnections?.();
}
