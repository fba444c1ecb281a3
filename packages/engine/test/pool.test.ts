import { describe, expect, it } from 'vitest';
import { createRunnerPool, PoolClearedError } from '../src/index.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('runner pool', () => {
  it('never runs more than `concurrency` jobs at once and runs them all', async () => {
    const pool = createRunnerPool({ concurrency: 2 });
    let active = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, deferred);
    const results = gates.map((gate, i) =>
      pool.run(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await gate.promise;
        active -= 1;
        return i;
      }),
    );
    await Promise.resolve();
    expect(pool.activeCount).toBe(2);
    expect(pool.pendingCount).toBe(3);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('keeps going when a job fails, and reports idle', async () => {
    const pool = createRunnerPool({ concurrency: 1 });
    const failing = pool.run(async () => {
      throw new Error('job failed');
    });
    const next = pool.run(async () => 'ok');
    await expect(failing).rejects.toThrow('job failed');
    expect(await next).toBe('ok');
    await pool.onIdle();
    expect(pool.activeCount + pool.pendingCount).toBe(0);
  });

  it('changes concurrency on the fly and drops queued jobs on clearQueue, settling their promises', async () => {
    const pool = createRunnerPool({ concurrency: 1 });
    const gate = deferred();
    const started: number[] = [];
    const first = pool.run(async () => {
      started.push(0);
      await gate.promise;
      return 'first';
    });
    const second = pool.run(async () => {
      started.push(1);
    });
    const third = pool.run(async () => {
      started.push(2);
    });
    pool.clearQueue();
    await expect(second).rejects.toBeInstanceOf(PoolClearedError);
    await expect(third).rejects.toThrow(/dropped from the queue/);
    expect(pool.pendingCount).toBe(0);
    pool.concurrency = 3;
    expect(pool.concurrency).toBe(3);
    gate.resolve();
    await pool.onIdle();
    expect(started).toEqual([0]);
    expect(await first).toBe('first');
  });
});
