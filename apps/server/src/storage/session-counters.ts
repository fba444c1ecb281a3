import type { SimulationRecord } from './types.js';

/** How many runs a session holds, by status. */
export interface SessionCounters {
  total_simulations: number;
  completed_simulations: number;
  failed_simulations: number;
  pending_simulations: number;
}

/**
 * The statuses each counter counts. A run is pending while it is `in-progress`, queued or running:
 * the one place this rule is stated, for every storage to count by.
 */
export const COUNTED_STATUSES = {
  completed_simulations: 'completed',
  failed_simulations: 'failed',
  pending_simulations: 'in-progress',
} as const satisfies Record<Exclude<keyof SessionCounters, 'total_simulations'>, SimulationRecord['status']>;

export const NO_SIMULATIONS: SessionCounters = {
  total_simulations: 0,
  completed_simulations: 0,
  failed_simulations: 0,
  pending_simulations: 0,
};
