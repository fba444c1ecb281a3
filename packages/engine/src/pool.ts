import pLimit from 'p-limit';

export interface RunnerPool {
  /** Queues a job; it starts when fewer than `concurrency` jobs run. Settles as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Resolves once no job runs or waits. */
  onIdle(): Promise<void>;
  /** Drops the jobs that have not started; their promises never settle. */
  clearQueue(): void;
  readonly activeCount: number;
  readonly pendingCount: number;
  concurrency: number;
}

/** A bounded-concurrency pool (p-limit) that the server feeds with simulation jobs. */
export function createRunnerPool(options: { concurrency: number }): RunnerPool {
  const limit = pLimit(options.concurrency);
  const inFlight = new Set<Promise<unknown>>();
  return {
    run<T>(job: () => Promise<T>): Promise<T> {
      const queued = limit(job);
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
      limit.clearQueue();
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
