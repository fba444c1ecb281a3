import { describe, expect, it } from 'vitest';
import type { CaseResult, CriterionResult } from '../src/run/results.js';
import { DEFAULT_COLUMNS, outputColumns, resultsTable } from '../src/run/table.js';

const words = (count: number) => Array.from({ length: count }, (_, i) => `word${i}`).join(' ');
// 500 characters of reasoning, as a judge writes it: words, no line breaks.
const LONG_REASONING = words(100).slice(0, 500);

function caseResult(name: string, criteria: CriterionResult[], outcome: CaseResult['outcome'] = 'failed'): CaseResult {
  // The table reads the name, outcome and criteria; the simulation itself is not shown.
  return { simulationId: 'sim_1', caseId: 'case_1', name, outcome, criteria, simulation: {} as CaseResult['simulation'] };
}

const failed = (criterion: string, reasoning: string): CriterionResult => ({ criterion, success: false, verdict: 'failed', reasoning });

/** The text of one column, each cell's lines joined by spaces, so wrapping does not matter. */
function columnText(table: string, column: number): string {
  return table
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│')[column + 1]?.trim() ?? '')
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const widest = (table: string) => Math.max(...table.split('\n').map((line) => [...line].length));

describe('results table', () => {
  it('fits 80 columns with a 500-character reasoning, and keeps all of it', () => {
    const table = resultsTable([caseResult('Refund request with a long name', [failed('Agent confirmed the order', LONG_REASONING)])], 80);
    expect(widest(table)).toBeLessThanOrEqual(80);
    // Nothing is cut: the reasoning column, unwrapped, is the header and the whole failure line.
    const reasoning = columnText(table, 3).replace(/\s/g, '');
    expect(reasoning).toBe(`failedcriteriaandreasoning✗Agentconfirmedtheorder:${LONG_REASONING}`.replace(/\s/g, ''));
    expect(columnText(table, 0).replace(/\s/g, '')).toBe('caseRefundrequestwithalongname');
  });

  it('is as wide as the terminal; in a pipe as COLUMNS, else DEFAULT_COLUMNS', () => {
    expect(DEFAULT_COLUMNS).toBe(100);
    expect(outputColumns({ columns: 90 }, { COLUMNS: '132' })).toBe(90);
    expect(outputColumns({}, { COLUMNS: '132' })).toBe(132);
    expect(outputColumns({}, {})).toBe(100);
    expect(outputColumns({ columns: 0 }, { COLUMNS: 'wide' })).toBe(100);
    const table = resultsTable([caseResult('Refund', [failed('Agent confirmed the order', LONG_REASONING)])], outputColumns({}, {}));
    expect(widest(table)).toBe(100);
  });

  it('uses a wide terminal: the reasoning takes fewer lines at 200 columns than at 80', () => {
    const results = [caseResult('Refund', [failed('Agent confirmed the order', LONG_REASONING)])];
    const at80 = resultsTable(results, 80);
    const at200 = resultsTable(results, 200);
    expect(widest(at200)).toBe(200);
    expect(at200.split('\n').length).toBeLessThan(at80.split('\n').length);
  });

  it('breaks a word longer than the cell (a URL) onto lines of its own instead of cutting it', () => {
    const url = `https://example.com/${'a'.repeat(150)}`;
    const table = resultsTable([caseResult('Link', [failed('Agent gave the link', `see ${url} for details`)])], 80);
    expect(widest(table)).toBeLessThanOrEqual(80);
    expect(table).not.toContain('…');
    expect(columnText(table, 3).replace(/\s/g, '')).toContain(url);
  });

  it('keeps one line per failed criterion and shows errors and passes', () => {
    const table = resultsTable(
      [
        caseResult('Two failures', [
          failed('First', 'no'),
          failed('Second', 'neither'),
          { criterion: 'Third', success: true, verdict: 'passed', reasoning: 'ok' },
        ]),
        caseResult('Broken', [], 'error'),
        caseResult('Fine', [{ criterion: 'Only', success: true, verdict: 'passed', reasoning: 'ok' }], 'passed'),
      ],
      80,
    );
    expect(table).toMatch(/│ Two failures +│ FAIL +│ 1\/3 +│ ✗ First: no +│\n│ +│ +│ +│ ✗ Second: neither +│/);
    expect(table).toMatch(/│ Broken +│ ERROR +│ 0\/0 +│ the run failed +│/);
    expect(table).toMatch(/│ Fine +│ PASS +│ 1\/1 +│ +│/);
    expect(widest(table)).toBe(80);
  });
});
