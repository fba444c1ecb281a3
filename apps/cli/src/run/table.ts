import type { CaseResult, RunSummary } from './results.js';
import { plainTable } from '../output.js';

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
// `outcome` and `criteria` hold short words (PENDING, 12/12) and their headers set the width.
const OUTCOME_WIDTH = 9;
const CRITERIA_WIDTH = 10;
// Five border characters sit between and around the four columns; each cell pads one space a side.
const BORDERS = 5;
const PADDING = 2;

/**
 * cli-table3 wraps at spaces and cuts a word longer than the cell with `…`; a URL or an id in a
 * reasoning would lose its end, so such words are broken onto lines of their own instead.
 */
function breakLongWords(text: string, width: number): string {
  return text.replace(/\S+/g, (word) => {
    const chars = [...word];
    if (chars.length <= width) return word;
    const lines: string[] = [];
    for (let start = 0; start < chars.length; start += width) lines.push(chars.slice(start, start + width).join(''));
    return lines.join('\n');
  });
}

/**
 * The results table: case, outcome, criteria passed, and the reasoning of each failed criterion.
 * It fits the given width (see outputColumns): the case name and the reasoning
 * wrap, since a judge's reasoning can run to paragraphs and would otherwise set the table's width.
 */
export function resultsTable(results: CaseResult[], columns: number): string {
  const free = columns - OUTCOME_WIDTH - CRITERIA_WIDTH - BORDERS;
  // The case column is as wide as the longest name, up to 28 and as long as the reasoning keeps 40;
  // the reasoning takes the rest.
  const longestName = Math.max('case'.length, ...results.map((r) => [...r.name].length)) + PADDING;
  const caseWidth = Math.min(longestName, Math.max(10, Math.min(28, free - 40)));
  const reasonWidth = Math.max(20, free - caseWidth);
  const table = plainTable(['case', 'outcome', 'criteria', 'failed criteria and reasoning'], {
    colWidths: [caseWidth, OUTCOME_WIDTH, CRITERIA_WIDTH, reasonWidth],
    wordWrap: true,
  });
  for (const result of results) {
    const passed = result.criteria.filter((c) => c.success).length;
    table.push([
      breakLongWords(result.name, caseWidth - PADDING),
      MARK[result.outcome],
      `${passed}/${result.criteria.length}`,
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
