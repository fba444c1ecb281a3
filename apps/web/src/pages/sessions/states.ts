import type { Schemas, Simulation } from '@sims/client';
import type { BadgeTone } from '../../ui/index.js';

export interface State {
  label: string;
  tone: BadgeTone;
}

/**
 * What a reader wants to know of one run: still queued or talking, passed, did not pass (it ran and
 * was judged), could not run, or was cancelled. `status` alone says `completed` for a run whose
 * criteria failed, so the verdict is read too.
 */
export function simulationState(simulation: Pick<Simulation, 'status' | 'started_at' | 'error_info' | 'success_criteria_analysis'>): State {
  if (simulation.status === 'in-progress')
    return simulation.started_at ? { label: 'Running', tone: 'info' } : { label: 'Queued', tone: 'neutral' };
  if (simulation.status === 'failed') {
    return simulation.error_info?.type === 'cancelled'
      ? { label: 'Cancelled', tone: 'neutral' }
      : { label: 'Could not run', tone: 'warning' };
  }
  const analysis = simulation.success_criteria_analysis;
  if (!analysis) return { label: 'Completed', tone: 'neutral' };
  return analysis.success ? { label: 'Passed', tone: 'success' } : { label: 'Did not pass', tone: 'danger' };
}

export const OUTCOME: Record<Schemas['CaseOutcome'], State> = {
  passing: { label: 'Passing', tone: 'success' },
  failing: { label: 'Failing', tone: 'danger' },
  flaky: { label: 'Flaky', tone: 'warning' },
  pending: { label: 'Pending', tone: 'neutral' },
};

export const TREND: Record<Schemas['ComparisonTrend'], State> = {
  regressed: { label: 'Regressed', tone: 'danger' },
  improved: { label: 'Improved', tone: 'success' },
  unchanged: { label: 'Unchanged', tone: 'neutral' },
};

export const CHANGE: Record<Schemas['CaseChange'], string> = {
  newly_failing: 'Newly failing',
  fixed: 'Fixed',
  still_failing: 'Still failing',
  still_passing: 'Still passing',
  flaky: 'Flaky',
  added: 'Added',
  removed: 'Removed',
};
