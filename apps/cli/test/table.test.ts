import { describe, expect, it } from 'vitest';
import type { Schemas, Simulation, SimulationUsage } from '@sims/client';
import { comparisonTable, verdictLine } from '../src/run/comparison.js';
import type { CaseResult, CriterionResult } from '../src/run/results.js';
import {
  caseRows,
  caseSummaryLine,
  caseTable,
  DEFAULT_COLUMNS,
  formatDelta,
  outputColumns,
  passRate,
  resultsTable,
} from '../src/run/table.js';
import { compactCount, sessionUsage, tokensCell, usageLine } from '../src/run/usage.js';

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
    const reasoning = columnText(table, 4).replace(/\s/g, '');
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
    expect(columnText(table, 4).replace(/\s/g, '')).toContain(url);
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
    expect(table).toMatch(/│ Two failures +│ FAIL +│ 1\/3 +│ — +│ ✗ First: no +│\n│ +│ +│ +│ +│ ✗ Second: neither +│/);
    expect(table).toMatch(/│ Broken +│ ERROR +│ 0\/0 +│ — +│ the run failed +│/);
    expect(table).toMatch(/│ Fine +│ PASS +│ 1\/1 +│ — +│ +│/);
    expect(widest(table)).toBe(80);
  });
});

type CaseReport = Schemas['SimulationCaseReport'];
type CaseComparison = Schemas['SimulationCaseComparison'];

function caseReport(name: string, overrides: Partial<CaseReport> = {}): CaseReport {
  return {
    simulation_case_id: `id-${name}`,
    simulation_case_name: name,
    runs: 3,
    passed_runs: 3,
    failed_runs: 0,
    errored_runs: 0,
    pending_runs: 0,
    pass_rate: 1,
    outcome: 'passing',
    flaky: false,
    duration_ms: null,
    turns: null,
    criteria: [],
    ...overrides,
  };
}

function report(cases: CaseReport[]): Schemas['SimulationSessionReport'] {
  const total = cases.reduce((n, c) => n + c.runs, 0);
  const passed = cases.reduce((n, c) => n + c.passed_runs, 0);
  return {
    simulation_session_id: 's',
    suite_id: null,
    target_agent_id: null,
    created_at: '2026-11-20T09:19:58Z',
    finished: true,
    total_simulations: total,
    completed_simulations: total,
    failed_simulations: 0,
    pending_simulations: 0,
    passed_simulations: passed,
    pass_rate: total ? passed / total : null,
    case_outcomes: { passing: 0, failing: 0, flaky: 0, pending: 0 },
    cases,
  };
}

function change(name: string, overrides: Partial<CaseComparison>): CaseComparison {
  return {
    simulation_case_id: `id-${name}`,
    simulation_case_name: name,
    change: 'still_passing',
    trend: 'unchanged',
    baseline: { runs: 3, passed_runs: 3, pass_rate: 1, outcome: 'passing' },
    head: { runs: 3, passed_runs: 3, pass_rate: 1, outcome: 'passing' },
    pass_rate_delta: 0,
    criteria: [],
    ...overrides,
  };
}

function comparison(cases: CaseComparison[]): Schemas['SimulationSessionComparison'] {
  return {
    simulation_session_id: 's',
    baseline_session_id: 'b',
    suite_id: null,
    verdict: 'regressed',
    baseline_pass_rate: 1,
    pass_rate: 0.5,
    pass_rate_delta: -0.5,
    summary: { newly_failing: 1, fixed: 0, still_failing: 0, still_passing: 0, flaky: 1, added: 0, removed: 1, regressed: 1, improved: 0 },
    cases,
  };
}

const flakyCase = caseReport('Refund', {
  passed_runs: 2,
  failed_runs: 1,
  pass_rate: 2 / 3,
  outcome: 'flaky',
  flaky: true,
  criteria: [
    {
      criterion: 'Agent confirmed the order',
      kind: 'criterion',
      evaluations: 3,
      passed: 2,
      failed: 1,
      not_evaluated: 0,
      pass_rate: 2 / 3,
      top_failure_reasoning: LONG_REASONING,
      top_failure_count: 1,
    },
  ],
});
const brokenCase = caseReport('Hours', { passed_runs: 0, failed_runs: 3, pass_rate: 0, outcome: 'failing' });
const erroredCase = caseReport('Line', { passed_runs: 0, errored_runs: 3, pass_rate: 0, outcome: 'failing' });

describe('per-case table (iterations and comparisons)', () => {
  it('signs a delta with a real minus, a plus, or ±0, in whole points; empty when unknown', () => {
    expect([-1, -1 / 3, 0, 0.001, 0.5, null].map(formatDelta)).toEqual(['\u2212100%', '\u221233%', '±0%', '±0%', '+50%', '']);
    expect(passRate(2, 3)).toBe('2/3 67%');
    expect(passRate(0, 0)).toBe('0/0');
  });

  it('shows pass rate, FLAKY, FAIL and ERROR marks and the failing criterion with its count; fits 80 columns, nothing cut', () => {
    const rows = caseRows(report([flakyCase, brokenCase, erroredCase]), null, []);
    const table = caseTable(rows, 80);
    expect(widest(table)).toBe(80);
    expect(table).not.toContain('vs baseline');
    expect(table).toMatch(/│ Refund +│ FLAKY +│ 2\/3 67% +│ — +│ ✗ Agent confirmed the order \(2\/3/);
    expect(table).toMatch(/│ Hours +│ FAIL +│ 0\/3 0% +│ — +│ +│/);
    expect(table).toMatch(/│ Line +│ ERROR +│ 0\/3 0% +│ — +│ ! 3 of 3 runs could not run +│/);
    expect(columnText(table, 4).replace(/\s/g, '')).toContain(LONG_REASONING.replace(/\s/g, ''));
    expect(caseSummaryLine(report([flakyCase, brokenCase, erroredCase]), rows)).toBe(
      '0 passed, 1 flaky, 1 failed, 1 errored of 3 cases; 2 of 9 runs passed (22%)',
    );
  });

  it('compared: the delta and trend over the change, removed cases last; the comparison table and verdict fit too', () => {
    const compared = comparison([
      change('Hours', {
        change: 'newly_failing',
        trend: 'regressed',
        head: { runs: 3, passed_runs: 0, pass_rate: 0, outcome: 'failing' },
        pass_rate_delta: -1,
      }),
      change('Refund', { change: 'flaky', pass_rate_delta: -1 / 3, head: { runs: 3, passed_runs: 2, pass_rate: 2 / 3, outcome: 'flaky' } }),
      change('Gone', { change: 'removed', head: null, pass_rate_delta: null }),
    ]);
    const table = caseTable(caseRows(report([flakyCase, brokenCase]), compared, []), 80);
    expect(widest(table)).toBe(80);
    expect(table).toMatch(/│ Refund +│ FLAKY +│ 2\/3 67% +│ −33% +│/);
    expect(table).toMatch(/│ +│ +│ +│ flaky +│/);
    expect(table).toMatch(/│ Hours +│ FAIL +│ 0\/3 0% +│ −100% regressed │ +│\n│ +│ +│ +│ newly failing +│/);
    expect(table.trimEnd().split('\n').slice(-2)[0]).toMatch(/│ Gone +│ REMOVED +│ +│ removed +│ +│/);

    const byCase = comparisonTable(compared, 80);
    expect(widest(byCase)).toBeLessThanOrEqual(80);
    expect(byCase).toMatch(/│ Hours +│ newly failing │ 3\/3 100% +│ 0\/3 0% +│ −100% │ regressed │/);
    expect(byCase).toMatch(/│ Gone +│ removed +│ 3\/3 100% +│ +│ +│ unchanged │/);
    expect(verdictLine(compared)).toBe(
      'REGRESSED against session b: pass rate 100% → 50% (−50%); 1 regressed, 0 improved; 1 newly failing, 1 flaky, 1 removed',
    );
  });
});

describe('model usage (issue 14)', () => {
  const role = (calls: number, prompt_tokens: number, completion_tokens: number, latency_ms: number) => ({
    calls,
    prompt_tokens,
    completion_tokens,
    latency_ms,
  });
  const none = role(0, 0, 0, 0);
  const used = (persona: number, agent: number, judge: number): SimulationUsage => ({
    persona: role(persona, 100 * persona, 10 * persona, 200 * persona),
    agent: role(agent, 100 * agent, 10 * agent, 200 * agent),
    judge: role(judge, 100 * judge, 10 * judge, 200 * judge),
    total: role(persona + agent + judge, 100 * (persona + agent + judge), 10 * (persona + agent + judge), 200 * (persona + agent + judge)),
  });
  const offline: SimulationUsage = { persona: none, agent: none, judge: none, total: none };
  const withUsage = (name: string, usage: SimulationUsage | null, caseId = 'case_1'): CaseResult => ({
    ...caseResult(name, [{ criterion: 'Only', success: true, verdict: 'passed', reasoning: 'ok' }], 'passed'),
    caseId,
    simulation: { usage } as CaseResult['simulation'],
  });

  it('shows each run’s prompt + completion tokens, compact; — for a run without model calls or without usage', () => {
    const table = resultsTable([withUsage('Modelled', used(2, 3, 1)), withUsage('Offline', offline), withUsage('Old server', null)], 80);
    expect(table).toMatch(/│ Modelled +│ PASS +│ 1\/1 +│ 660 +│/);
    expect(table).toMatch(/│ Offline +│ PASS +│ 1\/1 +│ — +│/);
    expect(table).toMatch(/│ Old server +│ PASS +│ 1\/1 +│ — +│/);
    expect(widest(table)).toBe(80);
    expect([0, 9_999, 12_345, 999_949, 999_950, 12_345_678].map(compactCount)).toEqual(['0', '9,999', '12.3k', '999.9k', '1.0M', '12.3M']);
    expect(tokensCell([used(1, 0, 0), null, offline, used(0, 1, 0)])).toBe('220');
  });

  it('sums a case’s runs in the per-case table; leaves the tokens to the usage line when compared', () => {
    const runs = [withUsage('Refund', used(1, 1, 1), 'id-Refund'), withUsage('Refund', used(1, 1, 0), 'id-Refund')];
    const table = caseTable(caseRows(report([flakyCase, brokenCase]), null, runs), 80);
    expect(table).toMatch(/│ Refund +│ FLAKY +│ 2\/3 67% +│ 550 +│/);
    expect(table).toMatch(/│ Hours +│ FAIL +│ 0\/3 0% +│ — +│/);
    expect(widest(table)).toBe(80);
  });

  it('says what a run used in one line: calls, tokens, model time and calls per role; offline says so', () => {
    expect(usageLine(used(4, 6, 2))).toBe(
      'model usage: 12 calls, 1,320 tokens (1,200 prompt + 120 completion), 2.4 s model time (persona 4 calls, agent 6, judge 2)',
    );
    expect(usageLine(used(0, 0, 1))).toBe('model usage: 1 call, 110 tokens (100 prompt + 10 completion), 0.2 s model time (judge 1 call)');
    expect(usageLine(offline)).toBe('model usage: no model calls (offline)');
    // The session's own sum when the server sends one; else the runs' that carry one; else nothing.
    const runs = [{ usage: used(1, 0, 1) }, { usage: null }, { usage: used(0, 0, 1) }] as Simulation[];
    expect(sessionUsage({ usage: used(9, 9, 9) }, runs)).toStrictEqual(used(9, 9, 9));
    expect(sessionUsage({}, runs)).toStrictEqual(used(1, 0, 2));
    expect(sessionUsage({}, [{} as Simulation])).toBeUndefined();
  });
});
