// Throughput of @sims/client against raw fetch: the same GET to one local node:http server,
// client and raw fetch alternating round by round in one process, so both see the same machine
// load. Prints the client's throughput as a ratio of raw fetch (1.00 = no overhead).
//
//   pnpm bench:client                      (builds the client, then runs this)
//   ROUNDS=10 REQUESTS=2000 CONCURRENCY=8 node bench/client-throughput.mjs
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createSimulationsClient } from '../packages/client/dist/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 8);
const REQUESTS = Number(process.env.REQUESTS ?? 2_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const API_KEY = 'sk_bench';

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
const simulationId = 'sim-bench';

const viaClient = async () => {
  const { data, error } = await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulationId } } });
  if (error || data?.status !== 'ok') throw new Error('client request failed');
};
const viaFetch = async () => {
  const response = await fetch(`${base}/simulations/${encodeURIComponent(simulationId)}`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
  });
  const json = await response.json();
  if (!response.ok || json.status !== 'ok') throw new Error('fetch request failed');
};

/** Sends `REQUESTS` requests, `CONCURRENCY` at a time; answers requests per second. */
async function round(send) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await send();
    }),
  );
  return REQUESTS / ((performance.now() - start) / 1000);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  await round(viaFetch); // warm-up: JIT and keep-alive connections
  await round(viaClient);
  const client_ = [];
  const raw = [];
  const ratios = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first so that neither always runs on a warmer machine.
    let c;
    let f;
    if (i % 2 === 0) {
      f = await round(viaFetch);
      c = await round(viaClient);
    } else {
      c = await round(viaClient);
      f = await round(viaFetch);
    }
    client_.push(c);
    raw.push(f);
    ratios.push(c / f);
  }
  console.log(`node ${process.version}, ${ROUNDS} rounds x ${REQUESTS} GETs, concurrency ${CONCURRENCY}`);
  console.log(`raw fetch   median ${median(raw).toFixed(0)} req/s`);
  console.log(`@sims/client median ${median(client_).toFixed(0)} req/s`);
  console.log(
    `client/raw throughput ratio: median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`,
  );
} finally {
  server.close();
  server.closeAllConnections?.();
}
