import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distribution, round4 } from '../src/reports/figures.js';
import { sessionReport } from '../src/reports/session-report.js';
import type { RunOutcome, SessionCounters, SessionRecord } from '../src/storage/types.js';
import { responseProblems } from './support/strict-spec.js';

/** The session report as a pure function of a session and its runs (issue 12; spec/README.md "Regression decisions"). */
type Evaluation = NonNullable<RunOutcome['success_criteria_analysis']>['evaluations'][number];

const CASE_A = '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d';
const CASE_B = '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
const CASE_C = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const CRITERIA = ['Hours given', 'Polite'];
const T0 = Date.parse('2026-11-20T09:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

type Result = 'pass' | 'fail' | 'error' | 'pending';

let serial = 0;
/** A run of `case_id` with `result`: a pass meets both criteria and the check, a fail misses the second criterion. */
function run(case_id: string, result: Result, extra: Partial<RunOutcome> = {}): RunOutcome {
  serial++;
  const finished = result !== 'pending';
  const judged = result === 'pass' || result === 'fail';
  const evaluations: Evaluation[] = [
    { success: true, reasoning: 'ok', criterion: 'Hours given', verdict: 'passed' },
    result === 'pass'
      ? { success: true, reasoning: 'ok', criterion: 'Polite', verdict: 'passed' }
      : { success: false, reasoning: 'Rude.', criterion: 'Polite', verdict: 'failed' },
    { success: true, reasoning: 'called', criterion: 'tool_called lookup', verdict: 'passed' },
  ];
  return {
    simulation_id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    simulation_case_id: case_id,
    simulation_case_name: `Case ${case_id.slice(0, 4)}`,
    iteration: 1,
    status: result === 'pending' ? 'in-progress' : result === 'error' ? 'failed' : 'completed',
    success_criteria: CRITERIA,
    success_criteria_analysis: judged ? { success: result === 'pass', evaluations } : null,
    created_at: at(0),
    started_at: result === 'error' ? null : at(0),
    finished_at: finished ? at(1000) : null,
    turns: judged ? 4 : 0,
    ...extra,
  };
}

/** A session whose counters are those of `runs`. */
function sessionOf(runs: RunOutcome[]): SessionRecord & SessionCounters {
  const count = (status: RunOutcome['status']) => runs.filter((r) => r.status === status).length;
  return {
    simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    workspace_id: 'ws-1',
    suite_id: '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f',
    target_agent_id: 'agent-1',
    created_at: at(0),
    cancelled_at: null,
    total_simulations: runs.length,
    completed_simulations: count('completed'),
    failed_simulations: count('failed'),
    pending_simulations: count('in-progress'),
  };
}

const reportOf = (runs: RunOutcome[]) => sessionReport(sessionOf(runs), runs);
const onlyCase = (runs: RunOutcome[]) => {
  const { cases } = reportOf(runs);
  expect(cases).toHaveLength(1);
  return cases[0]!;
};
const problems = (response: unknown) => responseProblems('getSimulationSessionReport', 200, { status: 'ok', response });

describe('case outcomes', () => {
  it('a case that passed every run is passing', () => {
    const c = onlyCase([run(CASE_A, 'pass'), run(CASE_A, 'pass'), run(CASE_A, 'pass')]);
    expect(c).toMatchObject({ runs: 3, passed_runs: 3, failed_runs: 0, errored_runs: 0, pending_runs: 0, pass_rate: 1 });
    expect(c).toMatchObject({ outcome: 'passing', flaky: false });
  });

  it('a case that passed no run is failing', () => {
    const c = onlyCase([run(CASE_A, 'fail'), run(CASE_A, 'fail'), run(CASE_A, 'fail')]);
    expect(c).toMatchObject({ runs: 3, passed_runs: 0, failed_runs: 3, pass_rate: 0, outcome: 'failing', flaky: false });
  });

  it('a case that passed 2 of 3 runs is flaky, its rate rounded to 4 decimals', () => {
    const c = onlyCase([run(CASE_A, 'pass'), run(CASE_A, 'fail'), run(CASE_A, 'pass')]);
    expect(c).toMatchObject({ runs: 3, passed_runs: 2, failed_runs: 1, pass_rate: 0.6667, outcome: 'flaky', flaky: true });
    expect(onlyCase([run(CASE_A, 'pass'), run(CASE_A, 'fail'), run(CASE_A, 'fail')]).pass_rate).toBe(0.3333);
  });

  it('a run that could not run counts as not passing, apart from the failed ones', () => {
    const c = onlyCase([run(CASE_A, 'pass'), run(CASE_A, 'error')]);
    expect(c).toMatchObject({ runs: 2, passed_runs: 1, failed_runs: 0, errored_runs: 1, pass_rate: 0.5, outcome: 'flaky' });
    expect(onlyCase([run(CASE_A, 'error')])).toMatchObject({ errored_runs: 1, pass_rate: 0, outcome: 'failing', criteria: [] });
  });

  it('pending runs say nothing yet: a case with no finished run is pending, with no rate or distributions', () => {
    expect(onlyCase([run(CASE_A, 'pending'), run(CASE_A, 'pending')])).toMatchObject({
      runs: 2,
      pending_runs: 2,
      pass_rate: null,
      outcome: 'pending',
      flaky: false,
      duration_ms: null,
      turns: null,
      criteria: [],
    });
    expect(onlyCase([run(CASE_A, 'pass'), run(CASE_A, 'pending')])).toMatchObject({ runs: 2, pass_rate: 1, outcome: 'passing' });
  });

  it('a completed run with no analysis, or an analysis without success, does not pass', () => {
    const c = onlyCase([
      run(CASE_A, 'pass', { success_criteria_analysis: null }),
      run(CASE_A, 'pass', { success_criteria_analysis: { success: false, evaluations: [] } }),
    ]);
    expect(c).toMatchObject({ passed_runs: 0, failed_runs: 2, outcome: 'failing', criteria: [] });
  });

  it('lists cases in the order first run, each named as on its latest run', () => {
    const report = reportOf([
      run(CASE_B, 'pass', { simulation_case_name: 'Old name' }),
      run(CASE_A, 'fail'),
      run(CASE_B, 'pass', { simulation_case_name: 'New name' }),
    ]);
    expect(report.cases.map((c) => [c.simulation_case_id, c.simulation_case_name, c.runs])).toEqual([
      [CASE_B, 'New name', 2],
      [CASE_A, 'Case 9a7b', 1],
    ]);
  });
});

describe('the session', () => {
  it('takes its counters from the session and its passes and outcomes from the runs', () => {
    const runs = [
      run(CASE_A, 'pass'),
      run(CASE_A, 'pass'),
      run(CASE_B, 'pass'),
      run(CASE_B, 'fail'),
      run(CASE_C, 'error'),
      run(CASE_C, 'pending'),
    ];
    const report = reportOf(runs);
    expect(report).toMatchObject({
      simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
      suite_id: '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f',
      target_agent_id: 'agent-1',
      created_at: at(0),
      finished: false,
      total_simulations: 6,
      completed_simulations: 4,
      failed_simulations: 1,
      pending_simulations: 1,
      passed_simulations: 3,
      pass_rate: 0.6,
      case_outcomes: { passing: 1, failing: 1, flaky: 1, pending: 0 },
    });
    expect(problems(report)).toEqual([]);
    // The validation this file relies on refuses what the spec does not declare.
    expect(problems({ ...report, pass_rate: 1.5 })).not.toEqual([]);
    expect(problems({ ...report, cases: [{ ...report.cases[0], workspace_id: 'ws-1' }] })).not.toEqual([]);
  });

  it('is finished when no simulation is pending; an empty session has no rate', () => {
    expect(reportOf([run(CASE_A, 'pass')]).finished).toBe(true);
    const empty = reportOf([]);
    expect(empty).toMatchObject({ finished: true, passed_simulations: 0, pass_rate: null, cases: [] });
    expect(empty.case_outcomes).toEqual({ passing: 0, failing: 0, flaky: 0, pending: 0 });
    expect(problems(empty)).toEqual([]);
  });
});

describe('criteria and checks', () => {
  it('counts each criterion and check over the runs, criteria first, with the most common failure reasoning', () => {
    const c = onlyCase([run(CASE_A, 'pass'), run(CASE_A, 'fail'), run(CASE_A, 'fail'), run(CASE_A, 'error')]);
    expect(c.criteria).toEqual([
      {
        criterion: 'Hours given',
        kind: 'criterion',
        evaluations: 3,
        passed: 3,
        failed: 0,
        not_evaluated: 0,
        pass_rate: 1,
        top_failure_reasoning: null,
        top_failure_count: 0,
      },
      {
        criterion: 'Polite',
        kind: 'criterion',
        evaluations: 3,
        passed: 1,
        failed: 2,
        not_evaluated: 0,
        pass_rate: 0.3333,
        top_failure_reasoning: 'Rude.',
        top_failure_count: 2,
      },
      {
        criterion: 'tool_called lookup',
        kind: 'check',
        evaluations: 3,
        passed: 3,
        failed: 0,
        not_evaluated: 0,
        pass_rate: 1,
        top_failure_reasoning: null,
        top_failure_count: 0,
      },
    ]);
  });

  const judged = (evaluations: Evaluation[], success_criteria: string[] | null = ['Only']) =>
    run(CASE_A, 'fail', { success_criteria, success_criteria_analysis: { success: false, evaluations } });

  it('falls back to the run’s criterion text, to `check N`, and from a missing verdict to success', () => {
    const c = onlyCase([
      judged([
        { success: true, reasoning: 'fine' },
        { success: false, reasoning: 'no call' },
        { success: true, reasoning: 'fine' },
      ]),
    ]);
    expect(c.criteria.map((x) => [x.criterion, x.kind, x.passed, x.failed, x.top_failure_reasoning])).toEqual([
      ['Only', 'criterion', 1, 0, null],
      ['check 1', 'check', 0, 1, 'no call'],
      ['check 2', 'check', 1, 0, null],
    ]);
  });

  it('counts not evaluated verdicts as not passed, with their reasoning among the failures', () => {
    const c = onlyCase([
      judged([{ success: false, reasoning: 'No judge configured.', criterion: 'Only', verdict: 'not_evaluated' }]),
      judged([{ success: false, reasoning: 'No judge configured.', criterion: 'Only', verdict: 'not_evaluated' }]),
      judged([{ success: false, reasoning: 'Wrong hours.', criterion: 'Only', verdict: 'failed' }]),
      judged([{ success: true, reasoning: 'Right.', criterion: 'Only', verdict: 'passed' }]),
    ]);
    expect(c.criteria).toEqual([
      {
        criterion: 'Only',
        kind: 'criterion',
        evaluations: 4,
        passed: 1,
        failed: 1,
        not_evaluated: 2,
        pass_rate: 0.25,
        top_failure_reasoning: 'No judge configured.',
        top_failure_count: 2,
      },
    ]);
  });

  it('breaks a tie between reasonings by the one seen first', () => {
    const failing = (reasoning: string) => judged([{ success: false, reasoning, criterion: 'Only', verdict: 'failed' }]);
    const tie = onlyCase([failing('x'), failing('y'), failing('y'), failing('x')]).criteria[0]!;
    expect([tie.top_failure_reasoning, tie.top_failure_count]).toEqual(['x', 2]);
    const more = onlyCase([failing('x'), failing('y'), failing('y')]).criteria[0]!;
    expect([more.top_failure_reasoning, more.top_failure_count]).toEqual(['y', 2]);
  });

  it('matches by kind, position and text: an edited criterion, a moved one and a check named like a criterion count apart', () => {
    const ok = (criterion: string): Evaluation => ({ success: true, reasoning: 'ok', criterion, verdict: 'passed' });
    const c = onlyCase([
      judged([ok('Greets'), ok('Books')], ['Greets', 'Books']),
      judged([ok('Greets warmly'), ok('Books')], ['Greets warmly', 'Books']),
      judged([ok('Books'), ok('Greets')], ['Books', 'Greets']),
      judged([ok('Greets'), ok('Books')], ['Greets']),
    ]);
    expect(c.criteria.map((x) => [x.kind, x.criterion, x.evaluations])).toEqual([
      ['criterion', 'Greets', 2],
      ['criterion', 'Books', 2],
      ['criterion', 'Greets warmly', 1],
      ['criterion', 'Books', 1],
      ['criterion', 'Greets', 1],
      ['check', 'Books', 1],
    ]);
  });

  it('copes with fewer evaluations than criteria, no criteria on the run, and no evaluations at all', () => {
    const c = onlyCase([
      judged([{ success: true, reasoning: 'ok' }], ['One', 'Two', 'Three']),
      judged([{ success: false, reasoning: 'no' }], null),
      run(CASE_A, 'fail', { success_criteria_analysis: { success: false } as never }),
    ]);
    expect(c.criteria.map((x) => [x.kind, x.criterion, x.passed, x.failed])).toEqual([
      ['criterion', 'One', 1, 0],
      ['check', 'check 1', 0, 1],
    ]);
    expect(c.failed_runs).toBe(3);
  });
});

describe('durations and turns', () => {
  it('median is the middle value or the mean of the two middle ones; p95 the value at rank ⌈0.95·n⌉', () => {
    expect(distribution([])).toBeNull();
    expect(distribution([7])).toEqual({ median: 7, p95: 7 });
    expect(distribution([4, 1, 3, 2])).toEqual({ median: 2.5, p95: 4 });
    expect(distribution([3, 1, 2])).toEqual({ median: 2, p95: 3 });
    const upTo = (n: number) => Array.from({ length: n }, (_, i) => n - i);
    expect(distribution(upTo(20))).toEqual({ median: 10.5, p95: 19 });
    expect(distribution(upTo(21))).toEqual({ median: 11, p95: 20 });
    expect(distribution(upTo(100))).toEqual({ median: 50.5, p95: 95 });
    expect(distribution(upTo(2000))).toEqual({ median: 1000.5, p95: 1900 });
  });

  it('covers the finished runs that started: not the pending ones, nor those that never started', () => {
    const timed = (result: Result, ms: number, turns: number) => run(CASE_A, result, { finished_at: at(ms), turns });
    const c = onlyCase([
      timed('pass', 14_200, 6),
      timed('fail', 18_900, 8),
      timed('pass', 9_000, 5),
      timed('pass', 12_000, 6),
      run(CASE_A, 'pending', { turns: 40 }),
      run(CASE_A, 'error', { turns: 30 }),
    ]);
    expect(c.duration_ms).toEqual({ median: 13_100, p95: 18_900 });
    expect(c.turns).toEqual({ median: 6, p95: 8 });
  });

  it('counts the turns of a run that started but has no end time, and skips times it cannot read', () => {
    const c = onlyCase([
      run(CASE_A, 'error', { started_at: at(0), finished_at: null, turns: 2 }),
      run(CASE_A, 'fail', { started_at: 'not a date', turns: 3 }),
      run(CASE_A, 'fail', { started_at: at(5000), finished_at: at(1000), turns: 4 }),
    ]);
    expect(c.duration_ms).toEqual({ median: 0, p95: 0 });
    expect(c.turns).toEqual({ median: 3, p95: 4 });
  });
});

describe('rounding', () => {
  it('rounds to 4 decimals, half away from zero, so that opposite values round to opposites and never to −0', () => {
    expect([round4(2 / 3), round4(-2 / 3), round4(1 / 3), round4(1 / 32), round4(-1 / 32)]).toEqual([
      0.6667, -0.6667, 0.3333, 0.0313, -0.0313,
    ]);
    expect(Object.is(round4(-0.00001), 0)).toBe(true);
  });
});

const CASE_IDS = [CASE_A, CASE_B, CASE_C];
const texts = fc.constantFrom('Hours given', 'Polite', 'tool_called lookup', '');
const time = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 120_000 }).map(at) },
  { weight: 1, arbitrary: fc.constant('not a date') },
);
/** Evaluations as the spec has them, and as older or odd records may: no text, no verdict, no reasoning. */
const evaluation = fc.record(
  {
    success: fc.boolean(),
    reasoning: fc.constantFrom('Rude.', 'No judge configured.', 'Wrong hours.', ''),
    criterion: texts,
    verdict: fc.constantFrom('passed', 'failed', 'not_evaluated'),
  },
  { requiredKeys: ['success'] },
) as fc.Arbitrary<Evaluation>;
/** Any run the storage could hand over, and some it should not: no analysis on a completed run, fewer evaluations than criteria. */
const outcome: fc.Arbitrary<RunOutcome> = fc.record({
  simulation_id: fc.uuid(),
  simulation_case_id: fc.constantFrom(...CASE_IDS),
  simulation_case_name: fc.option(fc.constantFrom('Refunds', 'Opening hours')),
  iteration: fc.integer({ min: 1, max: 20 }),
  status: fc.constantFrom('in-progress', 'completed', 'failed'),
  success_criteria: fc.option(fc.array(texts, { maxLength: 3 })),
  success_criteria_analysis: fc.option(fc.record({ success: fc.boolean(), evaluations: fc.array(evaluation, { maxLength: 5 }) })),
  created_at: fc.constant(at(0)),
  started_at: fc.option(time),
  finished_at: fc.option(time),
  turns: fc.nat(60),
});

describe('properties over arbitrary runs', () => {
  const rateOk = (rate: number | null) => rate === null || (rate >= 0 && rate <= 1);

  it('never throws; counts add up; rates lie in [0, 1]; every report is valid against the spec', () => {
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 40 }), (runs) => {
        const report = reportOf(runs);
        expect(problems(report)).toEqual([]);
        const finished = runs.filter((r) => r.status !== 'in-progress').length;
        const passed = runs.filter((r) => r.status === 'completed' && r.success_criteria_analysis?.success === true).length;
        expect(report.passed_simulations).toBe(passed);
        expect(report.pass_rate === null).toBe(finished === 0);
        expect(rateOk(report.pass_rate)).toBe(true);
        expect(report.cases.map((c) => c.simulation_case_id)).toEqual([...new Set(runs.map((r) => r.simulation_case_id))]);
        expect(report.cases.reduce((sum, c) => sum + c.runs, 0)).toBe(runs.length);
        const outcomes = report.case_outcomes;
        expect(outcomes.passing + outcomes.failing + outcomes.flaky + outcomes.pending).toBe(report.cases.length);
        for (const c of report.cases) {
          expect(c.runs).toBe(c.passed_runs + c.failed_runs + c.errored_runs + c.pending_runs);
          expect(rateOk(c.pass_rate)).toBe(true);
          expect(c.flaky).toBe(c.outcome === 'flaky');
          expect(c.pass_rate === null).toBe(c.outcome === 'pending');
          for (const d of [c.duration_ms, c.turns]) if (d) expect(0 <= d.median && d.median <= d.p95).toBe(true);
          for (const x of c.criteria) {
            expect(x.evaluations).toBe(x.passed + x.failed + x.not_evaluated);
            expect(rateOk(x.pass_rate)).toBe(true);
            expect(x.top_failure_count).toBeLessThanOrEqual(x.failed + x.not_evaluated);
            expect(x.top_failure_reasoning === null).toBe(x.top_failure_count === 0);
          }
        }
      }),
    );
  });
});
