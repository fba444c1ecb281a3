import type { Simulation, SimulationSession } from '@sims/client';

/**
 * What a case came to: `passed` (criteria met), `failed` (ran, criteria not met), `error` (the run
 * itself failed: agent error, time-out, interruption) or `pending` (still running).
 */
type Outcome = 'passed' | 'failed' | 'error' | 'pending';

export interface CriterionResult {
  criterion: string;
  success: boolean;
  /** `not evaluated` when nothing could judge the criterion (the server's `verdict`); it never passes. */
  verdict: 'passed' | 'failed' | 'not evaluated';
  reasoning: string;
}

export interface CaseResult {
  simulationId: string;
  caseId: string;
  name: string;
  outcome: Outcome;
  criteria: CriterionResult[];
  /** Why the run itself failed (outcome `error`). */
  error?: string;
  durationSeconds?: number;
  simulation: Simulation;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  pending: number;
}

function outcomeOf(simulation: Simulation): Outcome {
  if (simulation.status === 'in-progress') return 'pending';
  if (simulation.status === 'failed') return 'error';
  return simulation.success_criteria_analysis?.success ? 'passed' : 'failed';
}

function durationOf(simulation: Simulation): number | undefined {
  const start = simulation.started_at ? Date.parse(simulation.started_at) : NaN;
  const end = simulation.finished_at ? Date.parse(simulation.finished_at) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? (end - start) / 1000 : undefined;
}

/** One result per simulation; criteria in the order of the case's success criteria (the API's rule). */
export function caseResults(session: SimulationSession): CaseResult[] {
  return session.simulations.map((simulation) => {
    const evaluations = simulation.success_criteria_analysis?.evaluations ?? [];
    const criteria = evaluations.map((evaluation, index): CriterionResult => {
      // `verdict` is an optional addition of this API; older servers send `success` alone.
      const verdict = (evaluation as { verdict?: string }).verdict;
      return {
        criterion: evaluation.criterion ?? simulation.success_criteria?.[index] ?? `criterion ${index + 1}`,
        success: evaluation.success,
        verdict: verdict === 'not_evaluated' ? 'not evaluated' : evaluation.success ? 'passed' : 'failed',
        reasoning: evaluation.reasoning ?? '',
      };
    });
    const outcome = outcomeOf(simulation);
    const error = simulation.error_info
      ? `${simulation.error_info.type} (${simulation.error_info.code}): ${simulation.error_info.message}`
      : undefined;
    return {
      simulationId: simulation.simulation_id,
      caseId: simulation.simulation_case_id,
      name: simulation.simulation_case_name ?? simulation.simulation_case_id,
      outcome,
      criteria,
      ...(outcome === 'error' ? { error: error ?? 'the simulation failed without error details' } : {}),
      durationSeconds: durationOf(simulation),
      simulation,
    };
  });
}

export function summarize(results: CaseResult[]): RunSummary {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  return { total: results.length, passed: count('passed'), failed: count('failed'), errors: count('error'), pending: count('pending') };
}

/** The runs of one case, in the order of their iteration. */
export interface CaseRuns {
  caseId: string;
  name: string;
  runs: CaseResult[];
}

/**
 * The results grouped by case, cases in the order they were first run, each case's runs by their
 * `iteration` (a run of the reference API has none and counts as the first).
 */
export function groupByCase(results: CaseResult[]): CaseRuns[] {
  const byCase = new Map<string, CaseRuns>();
  for (const result of results) {
    const group = byCase.get(result.caseId);
    if (group) group.runs.push(result);
    else byCase.set(result.caseId, { caseId: result.caseId, name: result.name, runs: [result] });
  }
  const iteration = (result: CaseResult) => result.simulation.iteration ?? 1;
  return [...byCase.values()].map((group) => ({ ...group, runs: group.runs.sort((a, b) => iteration(a) - iteration(b)) }));
}
