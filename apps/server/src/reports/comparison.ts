import type { components } from '@sims/api-types';
import { round4 } from './figures.js';

type Schemas = components['schemas'];
type Report = Schemas['SimulationSessionReport'];
type CaseReport = Schemas['SimulationCaseReport'];
type CriterionReport = Schemas['SimulationCriterionReport'];
type CaseComparison = Schemas['SimulationCaseComparison'];
type CaseChange = Schemas['CaseChange'];
type Trend = Schemas['ComparisonTrend'];

/** A pass rate as its counts, so that deltas and trends are computed exactly rather than from rounded rates. */
interface Fraction {
  passed: number;
  of: number;
}

const finishedOf = (c: CaseReport): Fraction => ({ passed: c.passed_runs, of: c.passed_runs + c.failed_runs + c.errored_runs });
const verdictsOf = (c: CriterionReport): Fraction => ({ passed: c.passed, of: c.evaluations });

/**
 * Δ = head's rate − baseline's, rounded like the rates (`round4`), and its trend by the noise rule of
 * ComparisonTrend: `regressed` when Δ ≤ −0.5, `improved` when Δ ≥ +0.5. The rule is applied to the
 * counts in integers (Δ = n / d with n = h·b′ − b·h′, d = h′·b′; Δ ≤ −½ ⇔ 2n ≤ −d), so there is no
 * floating-point error at the threshold (1/2 − 1, 1/3 − 5/6). No finished run (or verdict) on either
 * side: Δ `null`, `unchanged`.
 */
function change(head: Fraction | undefined, baseline: Fraction | undefined): { delta: number | null; trend: Trend } {
  if (!head || !baseline || head.of <= 0 || baseline.of <= 0) return { delta: null, trend: 'unchanged' };
  const numerator = head.passed * baseline.of - baseline.passed * head.of;
  const denominator = head.of * baseline.of;
  const trend: Trend = 2 * numerator <= -denominator ? 'regressed' : 2 * numerator >= denominator ? 'improved' : 'unchanged';
  return { delta: round4(numerator / denominator), trend };
}

/**
 * How a case's outcome changed (schema CaseChange). Flaky on either side wins. A side with no
 * finished run (`pending`) tells nothing: the case is taken as unchanged from the other side
 * (`still_passing` or `still_failing`), and as `still_failing` when neither side finished, since it
 * has never been seen passing. A finished session (what the comparison reads) has no pending case.
 */
function caseChange(head: CaseReport, baseline: CaseReport): CaseChange {
  if (head.outcome === 'flaky' || baseline.outcome === 'flaky') return 'flaky';
  const before = baseline.outcome === 'pending' ? head.outcome : baseline.outcome;
  const after = head.outcome === 'pending' ? before : head.outcome;
  if (before === 'passing') return after === 'passing' ? 'still_passing' : 'newly_failing';
  return after === 'passing' ? 'fixed' : 'still_failing';
}

function tally(c: CaseReport): Schemas['CaseRunTally'] {
  const { passed, of } = finishedOf(c);
  return { runs: of, passed_runs: passed, pass_rate: c.pass_rate, outcome: c.outcome };
}

/**
 * Each side's criteria keyed by kind and text; a text repeated within a case is told apart by its
 * occurrence, so that every criterion of either side appears once.
 */
function keyed(criteria: CriterionReport[]): Array<[string, CriterionReport]> {
  const seen = new Map<string, number>();
  return criteria.map((criterion) => {
    const base = `${criterion.kind}\u0000${criterion.criterion}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return [`${base}\u0000${n}`, criterion];
  });
}

/** The criteria of either side, matched by kind and text: the head's in its order, then the baseline's others. */
function criteriaComparison(head: CriterionReport[], baseline: CriterionReport[]): Schemas['SimulationCriterionComparison'][] {
  const before = new Map(keyed(baseline));
  const compared = keyed(head).map(([key, criterion]) => {
    const old = before.get(key);
    before.delete(key);
    const { delta, trend } = change(verdictsOf(criterion), old && verdictsOf(old));
    return {
      criterion: criterion.criterion,
      kind: criterion.kind,
      baseline_pass_rate: old?.pass_rate ?? null,
      pass_rate: criterion.pass_rate,
      delta,
      trend,
    };
  });
  for (const old of before.values()) {
    compared.push({
      criterion: old.criterion,
      kind: old.kind,
      baseline_pass_rate: old.pass_rate,
      pass_rate: null,
      delta: null,
      trend: 'unchanged',
    });
  }
  return compared;
}

function sessionFraction(report: Report): Fraction {
  let passed = 0;
  let of = 0;
  for (const c of report.cases) {
    const f = finishedOf(c);
    passed += f.passed;
    of += f.of;
  }
  return { passed, of };
}

/**
 * A session (the head) compared with a baseline (schema SimulationSessionComparison; spec/README.md
 * "Regression decisions"): cases matched by `simulation_case_id`, each with its change, its pass-rate
 * delta and trend, and its criteria's. The verdict is the worst trend of the cases run on both sides;
 * added and removed cases are listed but never move it. Cases come regressed first, then improved,
 * then the others, each group in the head's order, and the removed ones (in the baseline's order)
 * last.
 */
export function compareReports(head: Report, baseline: Report): Schemas['SimulationSessionComparison'] {
  const before = new Map(baseline.cases.map((c) => [c.simulation_case_id, c]));
  const summary: Schemas['CaseChangeCounts'] = {
    newly_failing: 0,
    fixed: 0,
    still_failing: 0,
    still_passing: 0,
    flaky: 0,
    added: 0,
    removed: 0,
    regressed: 0,
    improved: 0,
  };
  const regressed: CaseComparison[] = [];
  const improved: CaseComparison[] = [];
  const others: CaseComparison[] = [];
  const removed: CaseComparison[] = [];
  const inHead = new Set<string>();

  for (const now of head.cases) {
    if (inHead.has(now.simulation_case_id)) continue;
    inHead.add(now.simulation_case_id);
    const old = before.get(now.simulation_case_id);
    const { delta, trend } = change(finishedOf(now), old && finishedOf(old));
    const compared: CaseComparison = {
      simulation_case_id: now.simulation_case_id,
      simulation_case_name: now.simulation_case_name,
      change: old ? caseChange(now, old) : 'added',
      trend,
      baseline: old ? tally(old) : null,
      head: tally(now),
      pass_rate_delta: delta,
      criteria: criteriaComparison(now.criteria, old?.criteria ?? []),
    };
    summary[compared.change]++;
    if (trend === 'regressed') {
      summary.regressed++;
      regressed.push(compared);
    } else if (trend === 'improved') {
      summary.improved++;
      improved.push(compared);
    } else {
      others.push(compared);
    }
  }
  for (const old of before.values()) {
    if (inHead.has(old.simulation_case_id)) continue;
    summary.removed++;
    removed.push({
      simulation_case_id: old.simulation_case_id,
      simulation_case_name: old.simulation_case_name,
      change: 'removed',
      trend: 'unchanged',
      baseline: tally(old),
      head: null,
      pass_rate_delta: null,
      criteria: criteriaComparison([], old.criteria),
    });
  }

  return {
    simulation_session_id: head.simulation_session_id,
    baseline_session_id: baseline.simulation_session_id,
    suite_id: head.suite_id,
    verdict: summary.regressed > 0 ? 'regressed' : summary.improved > 0 ? 'improved' : 'unchanged',
    baseline_pass_rate: baseline.pass_rate,
    pass_rate: head.pass_rate,
    pass_rate_delta: change(sessionFraction(head), sessionFraction(baseline)).delta,
    summary,
    cases: [...regressed, ...improved, ...others, ...removed],
  };
}
