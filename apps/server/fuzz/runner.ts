import { SpecValidator } from '@sims/testkit';
import { loadBundle } from '@sims/spec/runtime';
import { checkResponse, type Problem } from './checks.js';
import { RequestGenerator } from './generator.js';
import { learn } from './learn.js';
import { ReportBuilder, type FuzzReport } from './report.js';
import { startTarget } from './target.js';
import { materialize, WireClient, type WireResponse } from './wire.js';

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Index of the first request (to replay one request of a run: `start` = its index, `count` 1). */
  start?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** A request unanswered this long counts as `no-response` (a stalled server). */
  timeoutMs?: number;
  /** Failures kept with their full description. */
  keepFailures?: number;
  /** Only these operationIds. */
  operations?: string[];
  onProgress?(done: number, report: () => FuzzReport): void;
}

/**
 * Runs `count` generated requests against a fresh in-process server and checks every answer against
 * the spec: no 5xx, only declared statuses, 2xx bodies valid, every error the spec's `Error` with its
 * request id.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { count, seed } = options;
  const start = options.start ?? 0;
  const concurrency = options.concurrency ?? 8;
  const validator = new SpecValidator(loadBundle());
  const generator = new RequestGenerator(validator, options.operations);
  const target = await startTarget();
  const client = new WireClient(new URL(target.server.origin), concurrency, options.timeoutMs ?? 60_000);
  const report = new ReportBuilder({ seed, start, count, concurrency }, options.keepFailures ?? 50);
  let next = start;
  let done = 0;
  const one = async (index: number) => {
    const plan = generator.plan(seed, index);
    const op = generator.operation(plan.operationId);
    const wire = materialize(plan, op, target.pool, target.keys);
    let response: WireResponse | undefined;
    let problems: Problem[];
    try {
      response = await client.send(wire);
      problems = checkResponse(
        validator,
        op,
        {
          requestId: plan.headers['X-Request-Id'],
          body: plan.body.kind === 'json' ? plan.body.value : undefined,
        },
        response,
      );
      learn(op, wire.pathIds, response, target.pool);
    } catch (error) {
      problems = [{ kind: 'no-response', message: (error as Error).message }];
    }
    report.record(index, plan, wire, response, problems);
    done += 1;
    if (done % 1000 === 0) options.onProgress?.(done, () => report.finish());
  };
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < start + count) await one(next++);
      }),
    );
  } finally {
    client.close();
    await target.stop();
  }
  return report.finish();
}
