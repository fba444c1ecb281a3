import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { compareReports } from '../src/reports/comparison.js';
import { sessionReport } from '../src/reports/session-report.js';
import type { RunOutcome } from '../src/storage/types.js';
import { responseProblems } from './support/strict-spec.js';

/**
 * The comparison of two session reports (issue 12; spec/README.md "Regression decisions"), on reports
 * made by sessionReport from runs written as patterns: `p` a pass, `f` a failure, `e` a run that could
 * not run, `.` a pending run.
 */
type Report = components['schemas']['SimulationSessionReport'];
type Comparison = components['schemas']['SimulationSessionComparison'];
type Evaluation = NonNullable<RunOutcome['success_criteria_analysis']>['evaluations'][number];

const HEAD = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
const BASE = '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b';
const SUITE = '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f';
/** Case ids by a readable name. */
const id = (name: string) => `00000000-0000-4000-8000-${Buffer.from(name.padEnd(6, '_').slice(0, 6)).toString('hex')}`;
const at = (ms: number) => new Date(Date.parse('2026-11-20T09:00:00.000Z') + ms).toISOString();

const verdict = (criterion: string, passed: boolean): Evaluation => ({
  success: passed,
  reasoning: passed ? 'ok' : 'not met',
  criterion,
  verdict: passed ? 'passed' : 'failed',
});

/** One run of case `name`; a judged run's evaluations are one criterion, `Resolves`, with the run's outcome unless given. */
function run(name: string, result: string, evaluations?: Evaluation[]): RunOutcome {
  const judged = result === 'p' || result === 'f';
  return {
    simulation_id: crypto.randomUUID(),
    simulation_case_id: id(name),
    simulation_case_name: `Case ${name}`,
    iteration: 1,
    status: result === '.' ? 'in-progress' : result === 'e' ? 'failed' : 'completed',
    success_criteria: evaluations
      ? evaluations.filter((e) => !e.criterion?.startsWith('check:')).map((e) => e.criterion ?? '')
      : ['Resolves'],
    success_criteria_analysis: judged
      ? { success: result === 'p', evaluations: evaluations ?? [verdict('Resolves', result === 'p')] }
      : null,
    created_at: at(0),
    started_at: result === 'e' ? null : at(0),
    finished_at: result === '.' ? null : at(1000),
    turns: 4,
  };
}

/** A session of the cases given as `{ name: 'ppf' }`, their runs interleaved by iteration as a suite runs them. */
function reportOf(session_id: string, cases: Record<string, string>, extra: RunOutcome[] = []): Report {
  const runs: RunOutcome[] = [];
  const longest = Math.max(0, ...Object.values(cases).map((p) => p.length));
  for (let i = 0; i < longest; i++) {
    for (const [name, pattern] of Object.entries(cases)) if (pattern[i]) runs.push(run(name, pattern[i]!));
  }
  return fromRuns(session_id, [...runs, ...extra]);
}

function fromRuns(session_id: string, runs: RunOutcome[]): Report {
  const count = (status: RunOutcome['status']) => runs.filter((r) => r.status === status).length;
  return sessionReport(
    {
      simulation_session_id: session_id,
      workspace_id: 'ws-1',
      suite_id: SUITE,
      target_agent_id: 'agent-1',
      created_at: at(0),
      cancelled_at: null,
      total_simulations: runs.length,
      completed_simulations: count('completed'),
      failed_simulations: count('failed'),
      pending_simulations: count('in-progress'),
    },
    runs,
  );
}

const problems = (response: unknown) => responseProblems('compareSimulationSessions', 200, { status: 'ok', response });

/** compareReports, with its answer checked against the spec. */
function compare(head: Report, baseline: Report): Comparison {
  const comparison = compareReports(head, baseline);
  expect(problems(comparison)).toEqual([]);
  return comparison;
}

describe('one case, baseline → head', () => {
  const cases: Array<[string, string, string, string, number | null]> = [
    ['stable pass', 'ppp', 'ppp', 'still_passing', 0],
    ['stable fail', 'fff', 'fff', 'still_failing', 0],
    ['2-of-3 flaky on both sides', 'ppf', 'pfp', 'flaky', 0],
    ['fixed', 'fff', 'ppp', 'fixed', 1],
    ['newly broken', 'ppp', 'fff', 'newly_failing', -1],
    ['3/3 → 2/3: within noise', 'ppp', 'ppf', 'flaky', -0.3333],
    ['3/3 → 1/3: regressed', 'ppp', 'pff', 'flaky', -0.6667],
    ['0/3 → 2/3: improved', 'fff', 'fpp', 'flaky', 0.6667],
    ['one iteration, passing → failing', 'p', 'f', 'newly_failing', -1],
    ['one iteration, passing → could not run', 'p', 'e', 'newly_failing', -1],
    ['2/2 → 1/2: Δ −0.5 is on the threshold', 'pp', 'pf', 'flaky', -0.5],
    ['7/10 → 1/5: Δ −0.5 where floats give −0.49999999999999994', 'pppppppfff', 'pffff', 'flaky', -0.5],
    ['1/5 → 7/10: Δ +0.5 likewise', 'pffff', 'pppppppfff', 'flaky', 0.5],
  ];
  const trendOf = (delta: number | null) =>
    delta === null ? 'unchanged' : delta <= -0.5 ? 'regressed' : delta >= 0.5 ? 'improved' : 'unchanged';

  it.each(cases)('%s (%s → %s): %s, Δ %s', (_, before, after, change, delta) => {
    const comparison = compare(reportOf(HEAD, { A: after }), reportOf(BASE, { A: before }));
    const [c] = comparison.cases;
    expect(c).toMatchObject({ simulation_case_id: id('A'), change, pass_rate_delta: delta, trend: trendOf(delta) });
    expect(comparison.verdict).toBe(trendOf(delta));
  });

  it('tallies the finished runs of each side', () => {
    const [c] = compare(reportOf(HEAD, { A: 'pf' }), reportOf(BASE, { A: 'ppef' })).cases;
    expect(c).toMatchObject({
      simulation_case_name: 'Case A',
      baseline: { runs: 4, passed_runs: 2, pass_rate: 0.5, outcome: 'flaky' },
      head: { runs: 2, passed_runs: 1, pass_rate: 0.5, outcome: 'flaky' },
      pass_rate_delta: 0,
    });
  });

  it('takes a side with no finished run as telling nothing: no delta, unchanged, the change read from the other side', () => {
    const pendingHead = compare(reportOf(HEAD, { A: '..' }), reportOf(BASE, { A: 'ppp' })).cases[0];
    expect(pendingHead).toMatchObject({ change: 'still_passing', trend: 'unchanged', pass_rate_delta: null });
    expect(pendingHead?.head).toEqual({ runs: 0, passed_runs: 0, pass_rate: null, outcome: 'pending' });
    const pendingBase = compare(reportOf(HEAD, { A: 'ff' }), reportOf(BASE, { A: '.' })).cases[0];
    expect(pendingBase).toMatchObject({ change: 'still_failing', trend: 'unchanged', pass_rate_delta: null });
    expect(compare(reportOf(HEAD, { A: '.' }), reportOf(BASE, { A: '.' })).cases[0]?.change).toBe('still_failing');
    expect(compare(reportOf(HEAD, { A: '.' }), reportOf(BASE, { A: 'pf' })).cases[0]?.change).toBe('flaky');
  });
});

describe('the session', () => {
  it('orders regressed, improved, then the others in the head’s order, removed last; counts every change and trend', () => {
    const head = reportOf(HEAD, { S: 'ppp', R: 'fff', I: 'ppp', N: 'fff', R2: 'pff', F: 'ppf' });
    const baseline = reportOf(BASE, { X: 'ppp', R2: 'ppp', I: 'fff', R: 'ppp', S: 'ppp', F: 'ppp', Y: 'fff' });
    const comparison = compare(head, baseline);
    expect(comparison.cases.map((c) => [c.simulation_case_name, c.change, c.trend])).toEqual([
      ['Case R', 'newly_failing', 'regressed'],
      ['Case R2', 'flaky', 'regressed'],
      ['Case I', 'fixed', 'improved'],
      ['Case S', 'still_passing', 'unchanged'],
      ['Case N', 'added', 'unchanged'],
      ['Case F', 'flaky', 'unchanged'],
      ['Case X', 'removed', 'unchanged'],
      ['Case Y', 'removed', 'unchanged'],
    ]);
    expect(comparison.summary).toEqual({
      newly_failing: 1,
      fixed: 1,
      still_failing: 0,
      still_passing: 1,
      flaky: 2,
      added: 1,
      removed: 2,
      regressed: 2,
      improved: 1,
    });
    expect(comparison).toMatchObject({ simulation_session_id: HEAD, baseline_session_id: BASE, suite_id: SUITE, verdict: 'regressed' });
    const added = comparison.cases.find((c) => c.change === 'added');
    expect(added).toMatchObject({ baseline: null, head: { runs: 3, passed_runs: 0 }, pass_rate_delta: null });
    expect(added?.criteria).toEqual([
      { criterion: 'Resolves', kind: 'criterion', baseline_pass_rate: null, pass_rate: 0, delta: null, trend: 'unchanged' },
    ]);
    const removed = comparison.cases.find((c) => c.simulation_case_name === 'Case X');
    expect(removed).toMatchObject({
      head: null,
      baseline: { runs: 3, passed_runs: 3, pass_rate: 1, outcome: 'passing' },
      pass_rate_delta: null,
    });
    expect(removed?.criteria).toEqual([
      { criterion: 'Resolves', kind: 'criterion', baseline_pass_rate: 1, pass_rate: null, delta: null, trend: 'unchanged' },
    ]);
  });

  it('is improved when a case improved and none regressed', () => {
    expect(compare(reportOf(HEAD, { A: 'ppp', B: 'ppf' }), reportOf(BASE, { A: 'fff', B: 'ppp' })).verdict).toBe('improved');
  });

  it('is not moved by added or removed cases, however they fare', () => {
    const comparison = compare(reportOf(HEAD, { A: 'ppp', N: 'fff' }), reportOf(BASE, { A: 'ppp', X: 'ppp' }));
    expect(comparison.verdict).toBe('unchanged');
    expect(comparison.pass_rate_delta).toBe(-0.5);
  });

  it('reports both pass rates as the reports round them, and a delta rounded once from the counts', () => {
    const comparison = compare(reportOf(HEAD, { A: 'pff' }), reportOf(BASE, { A: 'ppf' }));
    // 0.3333 − 0.6667 would give −0.3334.
    expect(comparison).toMatchObject({ baseline_pass_rate: 0.6667, pass_rate: 0.3333, pass_rate_delta: -0.3333, verdict: 'unchanged' });
    expect(comparison.cases[0]?.pass_rate_delta).toBe(-0.3333);
  });

  it('has no session delta when either side has no finished run', () => {
    const comparison = compare(reportOf(HEAD, { A: '..' }), reportOf(BASE, { A: 'pp' }));
    expect(comparison).toMatchObject({ baseline_pass_rate: 1, pass_rate: null, pass_rate_delta: null, verdict: 'unchanged' });
  });
});

describe('criteria', () => {
  const judged = (name: string, evaluations: Evaluation[]) => run(name, evaluations.every((e) => e.success) ? 'p' : 'f', evaluations);

  it('matches criteria and checks by kind and text: the head’s first, then those only the baseline had', () => {
    const head = fromRuns(HEAD, [
      judged('A', [verdict('Greets', true), verdict('Books', false), verdict('check:Books', false)]),
      judged('A', [verdict('Greets', true), verdict('Books', false), verdict('check:Books', true)]),
    ]);
    const baseline = fromRuns(BASE, [
      judged('A', [verdict('Says bye', true), verdict('Books', true), verdict('check:Books', true)]),
      judged('A', [verdict('Says bye', false), verdict('Books', true), verdict('check:Books', true)]),
    ]);
    expect(head.cases[0]?.criteria.map((c) => [c.kind, c.criterion])).toEqual([
      ['criterion', 'Greets'],
      ['criterion', 'Books'],
      ['check', 'check:Books'],
    ]);
    const [c] = compare(head, baseline).cases;
    expect(c?.criteria).toEqual([
      { criterion: 'Greets', kind: 'criterion', baseline_pass_rate: null, pass_rate: 1, delta: null, trend: 'unchanged' },
      { criterion: 'Books', kind: 'criterion', baseline_pass_rate: 1, pass_rate: 0, delta: -1, trend: 'regressed' },
      { criterion: 'check:Books', kind: 'check', baseline_pass_rate: 1, pass_rate: 0.5, delta: -0.5, trend: 'regressed' },
      { criterion: 'Says bye', kind: 'criterion', baseline_pass_rate: 0.5, pass_rate: null, delta: null, trend: 'unchanged' },
    ]);
  });

  it('keeps a criterion and a check of the same text apart', () => {
    const head = fromRuns(HEAD, [judged('A', [verdict('Books', true)])]);
    const baseline = fromRuns(BASE, [
      run('A', 'p', [verdict('Other', true)]),
      { ...run('A', 'p', [verdict('Other', true), verdict('Books', true)]), success_criteria: ['Other'] },
    ]);
    expect(baseline.cases[0]?.criteria.map((c) => [c.kind, c.criterion])).toEqual([
      ['criterion', 'Other'],
      ['check', 'Books'],
    ]);
    expect(compare(head, baseline).cases[0]?.criteria.map((c) => [c.kind, c.criterion, c.baseline_pass_rate, c.pass_rate])).toEqual([
      ['criterion', 'Books', null, 1],
      ['criterion', 'Other', 1, null],
      ['check', 'Books', 1, null],
    ]);
  });
});

const NAMES = ['A', 'B', 'C', 'D'];
const texts = fc.constantFrom('Greets', 'Books', 'Says bye');
const outcome: fc.Arbitrary<RunOutcome> = fc
  .record({
    name: fc.constantFrom(...NAMES),
    result: fc.constantFrom('p', 'f', 'e', '.'),
    evaluations: fc.array(
      fc.record({ text: texts, passed: fc.boolean() }).map(({ text, passed }) => verdict(text, passed)),
      { maxLength: 3 },
    ),
    criteria: fc.nat(3),
  })
  .map(({ name, result, evaluations, criteria }) => ({
    ...run(name, result, evaluations),
    success_criteria: evaluations.slice(0, criteria).map((e) => e.criterion ?? ''),
  }));
const session = fc.array(outcome, { maxLength: 30 });

describe('properties over arbitrary sessions', () => {
  const RANK = { regressed: 0, improved: 1, unchanged: 2 } as const;
  const trendOf = (delta: number | null) =>
    delta === null ? 'unchanged' : delta <= -0.5 ? 'regressed' : delta >= 0.5 ? 'improved' : 'unchanged';

  it('never throws; lists every case of either side once, in order; counts add up; the verdict follows its rule', () => {
    fc.assert(
      fc.property(session, session, (headRuns, baseRuns) => {
        const head = fromRuns(HEAD, headRuns);
        const baseline = fromRuns(BASE, baseRuns);
        const comparison = compare(head, baseline);
        const headIds = head.cases.map((c) => c.simulation_case_id);
        const removedIds = baseline.cases.map((c) => c.simulation_case_id).filter((x) => !headIds.includes(x));
        const listed = comparison.cases.map((c) => c.simulation_case_id);
        expect(listed.slice(0, headIds.length).sort()).toEqual([...headIds].sort());
        expect(listed.slice(headIds.length)).toEqual(removedIds);
        const ranks = comparison.cases.slice(0, headIds.length).map((c) => RANK[c.trend]);
        expect(ranks).toEqual([...ranks].sort());
        const { regressed, improved, ...changes } = comparison.summary;
        expect(Object.values(changes).reduce((a, b) => a + b, 0)).toBe(comparison.cases.length);
        expect(regressed).toBe(comparison.cases.filter((c) => c.trend === 'regressed').length);
        expect(improved).toBe(comparison.cases.filter((c) => c.trend === 'improved').length);
        expect(comparison.verdict).toBe(regressed ? 'regressed' : improved ? 'improved' : 'unchanged');
        for (const c of comparison.cases) {
          // Up to 30 runs a side, no exact Δ lies within 0.00005 of ±0.5, so the rounded Δ tells the trend.
          expect(c.trend).toBe(trendOf(c.pass_rate_delta));
          for (const x of c.criteria) expect(x.trend).toBe(trendOf(x.delta));
          expect(c.change === 'added').toBe(c.baseline === null);
          expect(c.change === 'removed').toBe(c.head === null);
          if (c.change === 'flaky') expect([c.head?.outcome, c.baseline?.outcome]).toContain('flaky');
        }
      }),
    );
  });

  it('swapping the sides negates every delta and swaps regressed with improved, fixed with newly failing, added with removed', () => {
    const SWAPPED = { newly_failing: 'fixed', fixed: 'newly_failing', added: 'removed', removed: 'added' } as Record<string, string>;
    const TREND = { regressed: 'improved', improved: 'regressed', unchanged: 'unchanged' } as const;
    fc.assert(
      fc.property(session, session, (aRuns, bRuns) => {
        const a = fromRuns(HEAD, aRuns);
        const b = fromRuns(BASE, bRuns);
        const forward = new Map(compareReports(a, b).cases.map((c) => [c.simulation_case_id, c]));
        const backward = compareReports(b, a);
        expect(backward.cases).toHaveLength(forward.size);
        for (const c of backward.cases) {
          const f = forward.get(c.simulation_case_id)!;
          expect(c.change).toBe(SWAPPED[f.change] ?? f.change);
          expect(c.trend).toBe(TREND[f.trend]);
          expect(c.pass_rate_delta).toBe(f.pass_rate_delta === null ? null : -f.pass_rate_delta || 0);
          expect([c.head, c.baseline]).toEqual([f.baseline, f.head]);
        }
      }),
    );
  });
});
