// How long one hostile body holds the server (issue 9, item 1): the time to answer a POST
// /simulation_cases whose `checks` holds 20,000 `{}` items (80 KB), and the latency of /health sent
// while that request is being answered, each as a ratio of a baseline measured in the same run: a
// plain valid POST /simulation_cases, and /health on an idle server. The same for 100,000
// wrong-typed `success_criteria`. The server runs in this process on loopback, so a blocked event
// loop shows as the time from sending /health to reading its answer.
//
//   pnpm bench:validation                    (builds the server, then runs this)
//   BENCH_ROUNDS=20 node bench/validation-stall.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { configFromEnv, startServer } from '../apps/server/dist/index.js';
import { median } from './support.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BASELINE = Number(process.env.BENCH_BASELINE ?? 200);

const ms = (value) => `${value.toFixed(2).padStart(9)} ms`;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-'));
  const server = await startServer({
    ...configFromEnv({ SIMS_DATA_DIR: dataDir, SIMS_RATE_LIMIT_MAX: '0', SIMS_LOG_LEVEL: 'warn' }),
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const headers = { Authorization: `Bearer ${server.firstStart.key}`, 'Content-Type': 'application/json' };
    const valid = {
      name: 'Refund',
      prompt: 'You want a refund for order #12345.',
      success_criteria: ['Agent offered a refund'],
      call_success_type: 'all',
    };

    /** Sends one request; answers its status, body and the milliseconds from sending to the last byte read. */
    const timed = async (path, body) => {
      const start = performance.now();
      const response = await fetch(server.url + path, body === undefined ? {} : { method: 'POST', headers, body });
      const text = await response.text();
      return { status: response.status, text, ms: performance.now() - start };
    };
    const expectStatus = (result, status, what) => {
      if (result.status !== status) throw new Error(`${what}: expected ${status}, got ${result.status}: ${result.text.slice(0, 200)}`);
      return result;
    };
    const health = async () => expectStatus(await timed('/health'), 200, 'GET /health').ms;
    const plain = async () =>
      expectStatus(await timed('/simulation_cases', JSON.stringify(valid)), 200, 'a valid POST /simulation_cases').ms;

    // Warm-up: JIT, schema code, keep-alive sockets.
    for (let i = 0; i < 50; i += 1) {
      await health();
      await plain();
    }
    const idleHealth = [];
    const plainPost = [];
    for (let i = 0; i < BASELINE; i += 1) {
      idleHealth.push(await health());
      plainPost.push(await plain());
    }

    /** Sends `body` ROUNDS times; while each is in flight, /health is asked again and again. */
    const hostile = async (title, body) => {
      const answer = [];
      const during = [];
      let last;
      for (let round = 0; round < ROUNDS; round += 1) {
        let done = false;
        const sent = timed('/simulation_cases', body).finally(() => {
          done = true;
        });
        do during.push(await health());
        while (!done);
        last = expectStatus(await sent, 422, title);
        answer.push(last.ms);
      }
      const details = JSON.parse(last.text).error.details?.length ?? 0;
      return {
        title,
        bytes: body.length,
        answer: median(answer),
        healthMedian: median(during),
        healthMax: Math.max(...during),
        samples: during.length,
        answerBytes: last.text.length,
        details,
      };
    };
    const results = [
      await hostile('checks: 20,000 {} items', JSON.stringify({ ...valid, checks: Array.from({ length: 20_000 }, () => ({})) })),
      await hostile(
        'success_criteria: 100,000 numbers',
        JSON.stringify({ ...valid, success_criteria: Array.from({ length: 100_000 }, () => 1) }),
      ),
    ];

    const idle = median(idleHealth);
    const base = median(plainPost);
    console.log(`Node ${process.version}; medians of ${BASELINE} baseline requests and ${ROUNDS} rounds per hostile body\n`);
    console.log(`baseline  GET /health, idle server                 ${ms(idle)}`);
    console.log(`baseline  POST /simulation_cases, valid case       ${ms(base)}\n`);
    for (const r of results) {
      console.log(`${r.title} (${(r.bytes / 1024).toFixed(0)} KB) → 422, ${r.answerBytes} bytes, ${r.details} details`);
      console.log(`  time to answer                      ${ms(r.answer)}   ${(r.answer / base).toFixed(2).padStart(8)} × a valid POST`);
      console.log(
        `  GET /health meanwhile, median       ${ms(r.healthMedian)}   ${(r.healthMedian / idle).toFixed(2).padStart(8)} × idle /health`,
      );
      console.log(
        `  GET /health meanwhile, worst        ${ms(r.healthMax)}   ${(r.healthMax / idle).toFixed(2).padStart(8)} × idle /health   (${r.samples} samples)`,
      );
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
