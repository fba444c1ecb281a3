import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { failed, formatReport } from './report.js';
import { runFuzz } from './runner.js';

const USAGE = `pnpm fuzz -- [--count N] [--seed S] [--start I] [--concurrency C] [--timeout-ms T] [--failures F] [--operation ID]... [--json]

Sends N schema-driven requests (valid and mutated) to a fresh in-process server and checks every
answer against the spec. Exits 1 when any request broke the contract.
  --count        requests to send (default 2000)
  --seed         run seed (default: random, printed)
  --start        index of the first request; --start I --count 1 sends request I of the run again
  --concurrency  requests in flight (default 8)
  --timeout-ms   an answer slower than this counts as no response (default 60000)
  --failures     failures printed in full (default 20)
  --operation    only this operationId (repeatable)
  --json         print the whole report as JSON instead`;

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main() {
  // `pnpm fuzz -- --count 5` passes the `--` through.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      concurrency: { type: 'string' },
      'timeout-ms': { type: 'string' },
      failures: { type: 'string' },
      operation: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = integer(values.count, 'count', 2_000);
  const seed = integer(values.seed, 'seed', randomInt(2 ** 31));
  const failures = integer(values.failures, 'failures', 20);
  console.error(`fuzzing with seed ${seed}: ${count} requests`);
  const report = await runFuzz({
    count,
    seed,
    start: integer(values.start, 'start', 0),
    concurrency: Math.max(1, integer(values.concurrency, 'concurrency', 8)),
    timeoutMs: integer(values['timeout-ms'], 'timeout-ms', 60_000),
    keepFailures: Math.max(failures, 50),
    ...(values.operation ? { operations: values.operation } : {}),
    onProgress: (done, current) => {
      const r = current();
      console.error(`  ${done}/${count} · failed ${r.failedRequests} · ${(r.ms / 1000).toFixed(1)} s`);
    },
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report, { failures }));
  process.exitCode = failed(report) ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exitCode = 2;
});
