import pLimit from 'p-limit';

export interface RunnerPool {
  /** Queues a job; it starts when fewer than `concurrency` jobs run. Settles as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Resolves once no job runs or waits. */
  onIdle(): Promise<void>;
  /** Drops the jobs that have not started; their promises reject with `PoolClearedError`. */
  clearQueue(): void;
  readonly activeCount: number;
  readonly pendingCount: number;
  concurrency: number;
}

/** The rejection of a job that `clearQueue` dropped before it started. */
export class PoolClearedError extends Error {
  constructor() {
    super('the job was dropped from the queue before it started');
    this.name = 'PoolClearedError';
  }
}

/** A bounded-concurrency pool (p-limit) that the server feeds with simulation jobs. */
export function createRunnerPool(options: { concurrency: number }): RunnerPool {
  const limit = pLimit(options.concurrency);
  const inFlight = new Set<Promise<unknown>>();
  /**
   * Rejecters of the jobs not started yet, oldest first, so that `clearQueue` can settle them. p-limit
   * may have taken the oldest from its queue already (they start on the next microtask), so only the
   * last `pendingCount` of them are dropped.
   */
  const waiting: Array<(error: Error) => void> = [];
  return {
    run<T>(job: () => Promise<T>): Promise<T> {
      let dropped!: (error: Error) => void;
      const droppedPromise = new Promise<never>((_, reject) => {
        dropped = reject;
      });
      waiting.push(dropped);
      const started = limit(() => {
        const index = waiting.indexOf(dropped);
        if (index >= 0) waiting.splice(index, 1);
        return job();
      });
      const queued = Promise.race([started, droppedPromise]);
      const tracked = queued.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(tracked);
      void tracked.then(() => inFlight.delete(tracked));
      return queued;
    },
    async onIdle() {
      while (inFlight.size > 0 && limit.activeCount + limit.pendingCount > 0) await Promise.race(inFlight);
    },
    clearQueue() {
      const pending = limit.pendingCount;
      limit.clearQueue();
      const rejecters = pending > 0 ? waiting.splice(Math.max(0, waiting.length - pending)) : [];
      for (const reject of rejecters) reject(new PoolClearedError());
    },
    get activeCount() {
      return limit.activeCount;
    },
    get pendingCount() {
      return limit.pendingCount;
    },
    get concurrency() {
      return limit.concurrency;
    },
    set concurrency(value: number) {
      limit.concurrency = value;
    },
  };
}
