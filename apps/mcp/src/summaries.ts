import type { RunSuiteResult, SimulationSessionComparison, SimulationSessionReport } from '@sims/client';

/** A rate in 0–1 as a whole percentage, or `n/a` when there is none yet. */
function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? 'n/a' : `${Math.round(rate * 100)}%`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const OUTCOME_MARK: Record<string, string> = { passing: 'PASS', failing: 'FAIL', flaky: 'FLAKY', pending: 'PENDING' };

/** The report in lines a model (or a person) reads first: the counts, then a line per case, failures with their reasons. */
export function reportLines(report: SimulationSessionReport): string[] {
  const { passing, failing, flaky, pending } = report.case_outcomes;
  const cases = report.cases.length;
  const lines = [
    `${passing} of ${plural(cases, 'case')} passing, ${failing} failing, ${flaky} flaky${pending ? `, ${pending} pending` : ''}; ` +
      `${report.passed_simulations} of ${plural(report.total_simulations, 'run')} passed (pass rate ${percent(report.pass_rate)}).`,
  ];
  for (const item of report.cases) {
    const runs = `${item.passed_runs}/${item.runs} runs passed${item.errored_runs ? `, ${item.errored_runs} could not run` : ''}`;
    lines.push(
      `${OUTCOME_MARK[item.outcome] ?? item.outcome.toUpperCase()} ${item.simulation_case_name ?? item.simulation_case_id}: ${runs}`,
    );
    for (const criterion of item.criteria) {
      if (criterion.failed === 0) continue;
      const why = criterion.top_failure_reasoning ? `: ${criterion.top_failure_reasoning}` : '';
      lines.push(`  failed ${criterion.failed}/${criterion.evaluations}: ${criterion.criterion}${why}`);
    }
  }
  return lines;
}

/** The comparison's verdict and what changed, case by case for the cases that changed. */
export function comparisonLines(comparison: SimulationSessionComparison): string[] {
  const s = comparison.summary;
  const lines = [
    `Compared with session ${comparison.baseline_session_id}: ${comparison.verdict}; pass rate ${percent(comparison.baseline_pass_rate)} → ` +
      `${percent(comparison.pass_rate)}; newly failing ${s.newly_failing}, fixed ${s.fixed}, still failing ${s.still_failing}, ` +
      `still passing ${s.still_passing}, flaky ${s.flaky}, added ${s.added}, removed ${s.removed}.`,
  ];
  for (const item of comparison.cases) {
    if (item.trend === 'unchanged' && item.change === 'still_passing') continue;
    const name = item.simulation_case_name ?? item.simulation_case_id;
    lines.push(
      `${item.trend} ${name}: ${item.change.replaceAll('_', ' ')} (${percent(item.baseline?.pass_rate)} → ${percent(item.head?.pass_rate)})`,
    );
  }
  return lines;
}

/** Counts from the session itself, for a server that offers no reports. */
export function sessionLines(run: RunSuiteResult): string[] {
  const passed = run.simulations.filter((s) => s.status === 'completed' && s.success_criteria_analysis?.success === true).length;
  return [
    `${passed} of ${plural(run.total_simulations, 'run')} passed; ${run.completed_simulations} completed, ${run.failed_simulations} could not run.`,
  ];
}
