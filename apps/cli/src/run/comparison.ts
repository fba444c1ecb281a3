import type { SimulationSessionComparison } from '@sims/client';
import { plainTable } from '../output.js';
import { breakLongWords, changeText, formatDelta, passRate, percent } from './table.js';

const rate = (value: number | null) => (value === null ? 'n/a' : percent(value));

/**
 * The verdict in one line: `REGRESSED against session …: pass rate 100% → 50% (−50%); 1 regressed,
 * 0 improved; 1 newly failing, 1 still passing` (changes with no case are left out).
 */
export function verdictLine(comparison: SimulationSessionComparison): string {
  const { summary } = comparison;
  const changes = (['newly_failing', 'fixed', 'flaky', 'still_failing', 'still_passing', 'added', 'removed'] as const)
    .filter((change) => summary[change] > 0)
    .map((change) => `${summary[change]} ${changeText(change)}`);
  const delta = formatDelta(comparison.pass_rate_delta);
  return (
    `${comparison.verdict.toUpperCase()} against session ${comparison.baseline_session_id}: ` +
    `pass rate ${rate(comparison.baseline_pass_rate)} → ${rate(comparison.pass_rate)}${delta ? ` (${delta})` : ''}; ` +
    `${summary.regressed} regressed, ${summary.improved} improved${changes.length > 0 ? `; ${changes.join(', ')}` : ''}`
  );
}

// Widths of the fixed columns: "newly failing", "20/20 100%", "this session", "−100%", "regressed", each padded one space a side.
const WIDTHS = { change: 15, baseline: 12, head: 14, delta: 7, trend: 11 } as const;
const PADDING = 2;

/** The comparison case by case, in the server's order (regressed first): change, both sides' pass rates, Δ and trend. */
export function comparisonTable(comparison: SimulationSessionComparison, columns: number): string {
  const fixed = [WIDTHS.change, WIDTHS.baseline, WIDTHS.head, WIDTHS.delta, WIDTHS.trend];
  const free = columns - fixed.reduce((a, b) => a + b, 0) - (fixed.length + 2);
  const names = comparison.cases.map((c) => c.simulation_case_name ?? c.simulation_case_id);
  const caseWidth = Math.max(10, Math.min(free, Math.max('case'.length, ...names.map((n) => [...n].length)) + PADDING));
  const table = plainTable(['case', 'change', 'baseline', 'this session', 'Δ', 'trend'], {
    colWidths: [caseWidth, ...fixed],
    wordWrap: true,
  });
  comparison.cases.forEach((c, index) => {
    const side = (tally: typeof c.head) => (tally ? passRate(tally.passed_runs, tally.runs) : '');
    table.push([
      breakLongWords(names[index] ?? '', caseWidth - PADDING),
      changeText(c.change),
      side(c.baseline),
      side(c.head),
      formatDelta(c.pass_rate_delta),
      c.trend,
    ]);
  });
  return table.toString();
}
