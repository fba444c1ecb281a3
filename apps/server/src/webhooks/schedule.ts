/** Retries spread by ±10% so that the retries of many deliveries failed together do not arrive together. */
const JITTER = 0.1;

/**
 * When a delivery is attempted again after its `attempt`-th attempt (1 for the first) failed, as ms
 * from now; undefined when the schedule is over and the delivery is `failed`.
 */
export function retryDelay(attempt: number, delaysMs: readonly number[], random: () => number = Math.random): number | undefined {
  const base = delaysMs[attempt - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
