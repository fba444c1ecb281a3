import type { components } from '@sims/api-types';
import type { RunOutcome, SessionCounters, SessionRecord } from '../storage/types.js';
import { distribution, rateOf } from './figures.js';

type Schemas = components['schemas'];
type CaseOutcome = Schemas['CaseOutcome'];
type CriterionKind = Schemas['CriterionKind'];

/** One criterion or check of a case, counted over the runs. */
interface CriterionTally {
  criterion: string;
  kind: CriterionKind;
  evaluations: number;
  passed: number;
  failed: number;
  not_evaluated: number;
  /** Reasoning of the verdicts that did not pass → how often; insertion order is first-seen order, for ties. */
  reasons: Map<string, number>;
}

/** One case, counted over its runs. */
interface CaseTally {
  id: string;
  name: string | null;
  passed: number;
  failed: number;
  errored: number;
  pending: number;
  durations: number[];
  turns: number[];
  /** By (kind, position among that kind, text); insertion order is the report's order. */
  criteria: Map<string, CriterionTally>;
}

/** What a case's finished runs show (schema CaseOutcome). */
function outcomeOf(passed: number, finished: number): CaseOutcome {
  if (finished === 0) return 'pending';
  if (passed === finished) return 'passing';
  return passed === 0 ? 'failing' : 'flaky';
}

/** A run passes when it completed and its analysis says `success: true`; a run that could not run does not. */
function passes(run: RunOutcome): boolean {
  return run.status === 'completed' && run.success_criteria_analysis?.success === true;
}

/**
 * Counts one run's verdicts into its case. Evaluations list the case's `success_criteria` first,
 * then its checks; each is matched across runs by kind, position among its kind and text, so a
 * criterion edited between runs counts apart. Missing texts fall back to the run's criterion or to
 * `check N`; a missing `verdict` to `success`.
 */
function countVerdicts(tally: CaseTally, run: RunOutcome): void {
  const evaluations = run.success_criteria_analysis?.evaluations;
  if (!Array.isArray(evaluations)) return;
  const criteria = run.success_criteria ?? [];
  for (let i = 0; i < evaluations.length; i++) {
    const evaluation = evaluations[i];
    if (!evaluation) continue;
    const kind: CriterionKind = i < criteria.length ? 'criterion' : 'check';
    const position = kind === 'criterion' ? i : i - criteria.length;
    const text =
      typeof evaluation.criterion === 'string'
        ? evaluation.criterion
        : kind === 'criterion'
          ? (criteria[i] ?? `criterion ${position + 1}`)
          : `check ${position + 1}`;
    const key = `${kind}\u0000${position}\u0000${text}`;
    let criterion = tally.criteria.get(key);
    if (!criterion) {
      criterion = { criterion: text, kind, evaluations: 0, passed: 0, failed: 0, not_evaluated: 0, reasons: new Map() };
      tally.criteria.set(key, criterion);
    }
    criterion.evaluations++;
    const verdict = evaluation.verdict ?? (evaluation.success === true ? 'passed' : 'failed');
    if (verdict === 'passed') {
      criterion.passed++;
      continue;
    }
    if (verdict === 'not_evaluated') criterion.not_evaluated++;
    else criterion.failed++;
    if (typeof evaluation.reasoning === 'string') {
      criterion.reasons.set(evaluation.reasoning, (criterion.reasons.get(evaluation.reasoning) ?? 0) + 1);
    }
  }
}

function criterionReport(tally: CriterionTally): Schemas['SimulationCriterionReport'] {
  let top: string | null = null;
  let topCount = 0;
  for (const [reasoning, count] of tally.reasons) {
    if (count > topCount) {
      top = reasoning;
      topCount = count;
    }
  }
  return {
    criterion: tally.criterion,
    kind: tally.kind,
    evaluations: tally.evaluations,
    passed: tally.passed,
    failed: tally.failed,
    not_evaluated: tally.not_evaluated,
    pass_rate: rateOf(tally.passed, tally.evaluations),
    top_failure_reasoning: top,
    top_failure_count: topCount,
  };
}

function caseReport(tally: CaseTally): Schemas['SimulationCaseReport'] {
  const finished = tally.passed + tally.failed + tally.errored;
  const outcome = outcomeOf(tally.passed, finished);
  return {
    simulation_case_id: tally.id,
    simulation_case_name: tally.name,
    runs: finished + tally.pending,
    passed_runs: tally.passed,
    failed_runs: tally.failed,
    errored_runs: tally.errored,
    pending_runs: tally.pending,
    pass_rate: rateOf(tally.passed, finished),
    outcome,
    flaky: outcome === 'flaky',
    duration_ms: distribution(tally.durations),
    turns: distribution(tally.turns),
    criteria: Array.from(tally.criteria.values(), criterionReport),
  };
}

/**
 * A session's report (schema SimulationSessionReport; spec/README.md "Regression decisions") from its
 * runs, oldest first: one pass over the runs, cases and criteria in the order first seen. Pass rates
 * are over finished runs and rounded to 4 decimals (see `round4`); the counters are the session's,
 * while `passed_simulations` and `pass_rate` come from `runs`. Data the spec would not produce (no
 * analysis on a completed run, fewer evaluations than criteria, no verdict, unparsable times) is
 * counted as far as it goes and never throws.
 */
export function sessionReport(session: SessionRecord & SessionCounters, runs: RunOutcome[]): Schemas['SimulationSessionReport'] {
  const cases = new Map<string, CaseTally>();
  for (const run of runs) {
    let tally = cases.get(run.simulation_case_id);
    if (!tally) {
      tally = {
        id: run.simulation_case_id,
        name: null,
        passed: 0,
        failed: 0,
        errored: 0,
        pending: 0,
        durations: [],
        turns: [],
        criteria: new Map(),
      };
      cases.set(run.simulation_case_id, tally);
    }
    tally.name = run.simulation_case_name;
    if (run.status === 'completed') {
      if (passes(run)) tally.passed++;
      else tally.failed++;
    } else if (run.status === 'failed') {
      tally.errored++;
    } else {
      tally.pending++;
      continue;
    }
    countVerdicts(tally, run);
    if (run.started_at === null) continue;
    if (Number.isFinite(run.turns)) tally.turns.push(Math.max(0, run.turns));
    if (run.finished_at !== null) {
      const duration = Date.parse(run.finished_at) - Date.parse(run.started_at);
      if (Number.isFinite(duration)) tally.durations.push(Math.max(0, duration));
    }
  }

  const case_outcomes = { passing: 0, failing: 0, flaky: 0, pending: 0 };
  let passed = 0;
  let finished = 0;
  const reports = Array.from(cases.values(), (tally) => {
    const report = caseReport(tally);
    case_outcomes[report.outcome]++;
    passed += tally.passed;
    finished += tally.passed + tally.failed + tally.errored;
    return report;
  });
  return {
    simulation_session_id: session.simulation_session_id,
    suite_id: session.suite_id,
    target_agent_id: session.target_agent_id,
    created_at: session.created_at,
    finished: session.pending_simulations === 0,
    total_simulations: session.total_simulations,
    completed_simulations: session.completed_simulations,
    failed_simulations: session.failed_simulations,
    pending_simulations: session.pending_simulations,
    passed_simulations: passed,
    pass_rate: rateOf(passed, finished),
    case_outcomes,
    cases: reports,
  };
}
