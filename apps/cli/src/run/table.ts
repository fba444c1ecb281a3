import type { SimulationCaseComparison, SimulationCaseReport, SimulationSessionComparison, SimulationSessionReport } from '@sims/client';
import type { CaseResult, RunSummary } from './results.js';
import { plainTable } from '../output.js';
import { tokensCell } from './usage.js';

const MARK = { passed: 'PASS', failed: 'FAIL', error: 'ERROR', pending: 'PENDING' } as const;

/** The failed criteria of a case, one per line, each with the judge's reasoning. */
export function failureLines(result: CaseResult): string[] {
  if (result.outcome === 'error') return [result.error ?? 'the run failed'];
  return result.criteria
    .filter((c) => !c.success)
    .map((c) => `${c.verdict === 'not evaluated' ? '? not evaluated' : '✗'} ${c.criterion}: ${c.reasoning}`);
}

/** Width when stdout is not a terminal (a pipe, a CI log): wide enough to read, narrow enough for any log viewer. */
export const DEFAULT_COLUMNS = 100;

/** The terminal's width; in a pipe, `COLUMNS` when set (as other tools read it), else DEFAULT_COLUMNS. */
export function outputColumns(stdout: { columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stdout.columns) return stdout.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_COLUMNS;
}
// `outcome` and `criteria` hold short words (PENDING, 12/12) and their headers set the width;
// `tokens` a compact count (`12.3k`; a run's prompt and completion tokens, or — offline).
const OUTCOME_WIDTH = 9;
const CRITERIA_WIDTH = 10;
const TOKENS_WIDTH = 8;
// Six border characters sit between and around the five columns; each cell pads one space a side.
const BORDERS = 6;
const PADDING = 2;

/**
 * cli-table3 wraps at spaces and cuts a word longer than the cell with `…`; a URL or an id in a
 * reasoning would lose its end, so such words are broken onto lines of their own instead.
 */
export function breakLongWords(text: string, width: number): string {
  return text.replace(/\S+/g, (word) => {
    const chars = [...word];
    if (chars.length <= width) return word;
    const lines: string[] = [];
    for (let start = 0; start < chars.length; start += width) lines.push(chars.slice(start, start + width).join(''));
    return lines.join('\n');
  });
}

/**
 * The results table: case, outcome, criteria passed, the run's model tokens (prompt + completion,
 * `—` when it made no model call), and the reasoning of each failed criterion. It fits the given
 * width (see outputColumns): the case name and the reasoning wrap, since a judge's reasoning can run
 * to paragraphs and would otherwise set the table's width.
 */
export function resultsTable(results: CaseResult[], columns: number): string {
  const free = columns - OUTCOME_WIDTH - CRITERIA_WIDTH - TOKENS_WIDTH - BORDERS;
  // The case column is as wide as the longest name, up to 28 and as long as the reasoning keeps 32;
  // the reasoning takes the rest.
  const longestName = Math.max('case'.length, ...results.map((r) => [...r.name].length)) + PADDING;
  const caseWidth = Math.min(longestName, Math.max(10, Math.min(28, free - 32)));
  const reasonWidth = Math.max(20, free - caseWidth);
  const table = plainTable(['case', 'outcome', 'criteria', 'tokens', 'failed criteria and reasoning'], {
    colWidths: [caseWidth, OUTCOME_WIDTH, CRITERIA_WIDTH, TOKENS_WIDTH, reasonWidth],
    wordWrap: true,
  });
  for (const result of results) {
    const passed = result.criteria.filter((c) => c.success).length;
    table.push([
      breakLongWords(result.name, caseWidth - PADDING),
      MARK[result.outcome],
      `${passed}/${result.criteria.length}`,
      tokensCell([result.simulation.usage]),
      breakLongWords(failureLines(result).join('\n'), reasonWidth - PADDING),
    ]);
  }
  return table.toString();
}

export function summaryLine(summary: RunSummary): string {
  const parts = [`${summary.passed} passed`, `${summary.failed} failed`];
  if (summary.errors > 0) parts.push(`${summary.errors} errored`);
  if (summary.pending > 0) parts.push(`${summary.pending} pending`);
  return `${parts.join(', ')} of ${summary.total} case${summary.total === 1 ? '' : 's'}`;
}

/** A rate as a whole percentage: `0.6667` → `67%`. */
export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

/** A pass-rate change in percentage points with its sign (a real minus): `−33%`, `+50%`, `±0%`; empty when unknown. */
export function formatDelta(delta: number | null): string {
  if (delta === null) return '';
  const points = Math.round(delta * 100);
  if (points === 0) return '±0%';
  return points > 0 ? `+${points}%` : `\u2212${-points}%`;
}

/** Passed runs over finished runs with the rate: `2/3 67%`; `0/0` while none has finished. */
export function passRate(passed: number, finished: number): string {
  return finished === 0 ? '0/0' : `${passed}/${finished} ${percent(passed / finished)}`;
}

/** `newly_failing` → `newly failing`. */
export const changeText = (change: SimulationCaseComparison['change']) => change.replace(/_/g, ' ');

type CaseMark = 'PASS' | 'FAIL' | 'FLAKY' | 'ERROR' | 'PENDING' | 'REMOVED';

/** One row of the per-case table: a case of the report, or a case only the baseline ran. */
export interface CaseRow {
  name: string;
  mark: CaseMark;
  passed: string;
  /** The model tokens of the case's runs together, `—` when none made a model call; empty for a removed case. */
  tokens: string;
  /** The change against the baseline; `undefined` when there was no comparison. */
  vsBaseline?: string;
  lines: string[];
}

function markOf(report: SimulationCaseReport): CaseMark {
  if (report.outcome === 'passing') return 'PASS';
  if (report.outcome === 'flaky') return 'FLAKY';
  if (report.outcome === 'pending') return 'PENDING';
  return report.errored_runs > 0 && report.errored_runs === report.runs - report.pending_runs ? 'ERROR' : 'FAIL';
}

/** `−67% regressed` over `newly failing`: the change, and the trend when it moved beyond noise. */
function vsBaselineText(change: SimulationCaseComparison): string {
  const delta = formatDelta(change.pass_rate_delta);
  const first = [delta, change.trend === 'unchanged' ? '' : change.trend].filter(Boolean).join(' ');
  return [first, changeText(change.change)].filter(Boolean).join('\n');
}

/**
 * The lines under a case: runs that could not run (with the first error), then each criterion and
 * check that did not always pass, with how often it passed and the reasoning given most often.
 */
function reportLines(report: SimulationCaseReport, results: CaseResult[]): string[] {
  const finished = report.runs - report.pending_runs;
  const lines: string[] = [];
  if (report.errored_runs > 0) {
    const error = results.find((r) => r.caseId === report.simulation_case_id && r.outcome === 'error')?.error;
    lines.push(`! ${report.errored_runs} of ${finished} runs could not run${error ? `: ${error}` : ''}`);
  }
  for (const criterion of report.criteria) {
    if (criterion.failed + criterion.not_evaluated === 0) continue;
    const mark = criterion.failed === 0 ? '? not evaluated' : '✗';
    const reasoning = criterion.top_failure_reasoning ? `: ${criterion.top_failure_reasoning}` : '';
    lines.push(`${mark} ${criterion.criterion} (${criterion.passed}/${criterion.evaluations} passed)${reasoning}`);
  }
  return lines;
}

/**
 * The rows of a session run several times or compared with a baseline: one per case of the report,
 * in its order, then the cases only the baseline ran.
 */
export function caseRows(
  report: SimulationSessionReport,
  comparison: SimulationSessionComparison | null,
  results: CaseResult[],
): CaseRow[] {
  const changes = new Map(comparison?.cases.map((c) => [c.simulation_case_id, c]));
  const rows: CaseRow[] = report.cases.map((c) => {
    const change = changes.get(c.simulation_case_id);
    return {
      name: c.simulation_case_name ?? c.simulation_case_id,
      mark: markOf(c),
      passed: passRate(c.passed_runs, c.runs - c.pending_runs),
      tokens: tokensCell(results.filter((r) => r.caseId === c.simulation_case_id).map((r) => r.simulation.usage)),
      ...(comparison ? { vsBaseline: change ? vsBaselineText(change) : '' } : {}),
      lines: reportLines(c, results),
    };
  });
  for (const removed of comparison?.cases.filter((c) => c.change === 'removed') ?? []) {
    rows.push({
      name: removed.simulation_case_name ?? removed.simulation_case_id,
      mark: 'REMOVED',
      passed: '',
      tokens: '',
      vsBaseline: vsBaselineText(removed),
      lines: [],
    });
  }
  return rows;
}

// "20/20 100%" and "−100% regressed" set these widths, with a space of padding each side.
const PASSED_WIDTH = 12;
const VS_BASELINE_WIDTH = 17;

/**
 * The per-case table: case, outcome (with FLAKY for a case that both passed and failed), passed runs
 * and rate, then the model tokens of its runs or, when compared, the change against the baseline
 * (both would not fit 80 columns; the usage line under the table has the tokens), and the failing
 * criteria with their pass counts and reasoning. It fits the given width as resultsTable does.
 */
export function caseTable(rows: CaseRow[], columns: number): string {
  const compared = rows.some((r) => r.vsBaseline !== undefined);
  const fixed = [OUTCOME_WIDTH, PASSED_WIDTH, compared ? VS_BASELINE_WIDTH : TOKENS_WIDTH];
  const free = columns - fixed.reduce((a, b) => a + b, 0) - (fixed.length + 3);
  const longestName = Math.max('case'.length, ...rows.map((r) => [...r.name].length)) + PADDING;
  const caseWidth = Math.min(longestName, Math.max(10, Math.min(28, free - 30)));
  const reasonWidth = Math.max(20, free - caseWidth);
  const head = ['case', 'outcome', 'passed', compared ? 'vs baseline' : 'tokens', 'failing criteria and reasoning'];
  const table = plainTable(head, { colWidths: [caseWidth, ...fixed, reasonWidth], wordWrap: true });
  for (const row of rows) {
    table.push([
      breakLongWords(row.name, caseWidth - PADDING),
      row.mark,
      row.passed,
      compared ? (row.vsBaseline ?? '') : row.tokens,
      breakLongWords(row.lines.join('\n'), reasonWidth - PADDING),
    ]);
  }
  return table.toString();
}

/** `1 passed, 1 flaky, 0 failed of 2 cases; 5 of 6 runs passed (83%)`. */
export function caseSummaryLine(report: SimulationSessionReport, rows: CaseRow[]): string {
  const count = (mark: CaseMark) => rows.filter((r) => r.mark === mark).length;
  const parts = [`${count('PASS')} passed`, `${count('FLAKY')} flaky`, `${count('FAIL')} failed`];
  if (count('ERROR') > 0) parts.push(`${count('ERROR')} errored`);
  if (count('PENDING') > 0) parts.push(`${count('PENDING')} pending`);
  const cases = report.cases.length;
  const finished = report.total_simulations - report.pending_simulations;
  const rate = report.pass_rate === null ? '' : ` (${percent(report.pass_rate)})`;
  return `${parts.join(', ')} of ${cases} case${cases === 1 ? '' : 's'}; ${report.passed_simulations} of ${finished} runs passed${rate}`;
}
