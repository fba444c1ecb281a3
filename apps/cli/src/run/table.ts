import type { CaseResult, RunSummary } from './results.js';
import { plainTable } from '../output.js';

const MARK = { passed: 'PASS', failed: 'FAIL', error: 'ERROR', pending: 'PENDING' } as const;

/** The failed criteria of a case, one per line, each with the judge's reasoning. */
export function failureLines(result: CaseResult): string[] {
  if (result.outcome === 'error') return [result.error ?? 'the run failed'];
  return result.criteria.filter((c) => !c.success).map((c) => `${c.verdict === 'not evaluated' ? '? not evaluated' : '✗'} ${c.criterion}: ${c.reasoning}`);
}

/**
 * The results table: case, outcome, criteria passed, and the reasoning of each failed criterion.
 * In a terminal the last column wraps to the window; elsewhere lines are left whole for logs.
 */
export function resultsTable(results: CaseResult[], columns: number | undefined): string {
  const fixed = [28, 9, 10];
  // Five border characters sit between and around the four columns.
  const reasonWidth = columns ? columns - fixed.reduce((sum, width) => sum + width, 0) - 5 : 0;
  const layout = reasonWidth >= 30 ? { colWidths: [...fixed, reasonWidth], wordWrap: true } : {};
  const table = plainTable(['case', 'outcome', 'criteria', 'failed criteria and reasoning'], layout);
  for (const result of results) {
    const passed = result.criteria.filter((c) => c.success).length;
    table.push([result.name, MARK[result.outcome], `${passed}/${result.criteria.length}`, failureLines(result).join('\n')]);
  }
  return table.toString();
}

export function summaryLine(summary: RunSummary): string {
  const parts = [`${summary.passed} passed`, `${summary.failed} failed`];
  if (summary.errors > 0) parts.push(`${summary.errors} errored`);
  if (summary.pending > 0) parts.push(`${summary.pending} pending`);
  return `${parts.join(', ')} of ${summary.total} case${summary.total === 1 ? '' : 's'}`;
}
