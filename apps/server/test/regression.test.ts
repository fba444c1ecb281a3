import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { NO_JUDGE_REASON } from '@sims/engine';
import { apiClient, otherWorkspace, raw, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';
import { gate, startWebhookAgent, type TurnRequest } from './support/webhook-agent.js';

/**
 * Issue 12 through the real server and engine: an `http` agent on loopback answers so that each case
 * shows a known pattern over three iterations — a check passes when the agent says PASS_WORD — and
 * the test reads the report and the comparison the server makes of it.
 */
type Report = components['schemas']['SimulationSessionReport'];
type Comparison = components['schemas']['SimulationSessionComparison'];

const PASS_WORD = 'ANSWER-OK';
/** Whether the agent passes each of a case's three runs (by the order the runs reach it), in each phase. */
const PATTERNS = {
  stable_pass: { baseline: [true, true, true], head: [true, true, true] },
  stable_fail: { baseline: [false, false, false], head: [false, false, false] },
  flaky: { baseline: [true, true, false], head: [true, false, true] },
  fixed: { baseline: [false, false, false], head: [true, true, true] },
  broken: { baseline: [true, true, true], head: [false, false, false] },
} as const;
type Pattern = keyof typeof PATTERNS;
type Phase = 'baseline' | 'head' | 'held';

let phase: Phase = 'baseline';
let held = gate();
const runsSeen = new Map<string, number>();
const runIndex = new Map<string, number>();

/** The scripted agent: greets, then answers the caller's "case …" line as its pattern says, and hangs up. */
async function answer(turn: TurnRequest) {
  if (!turn.conversation.length) return { json: { reply: 'Hello, how can I help?' } };
  if (phase === 'held') await held.promise;
  const said = turn.conversation.find((m) => m.role === 'persona')?.content ?? '';
  const pattern = /case (\w+)/.exec(said)?.[1] as Pattern | undefined;
  if (!pattern || !(pattern in PATTERNS)) return { json: { reply: 'Sorry, I cannot help.', end_call: true } };
  const key = `${phase}:${pattern}`;
  if (!runIndex.has(turn.simulation_id!)) {
    runIndex.set(turn.simulation_id!, runsSeen.get(key) ?? 0);
    runsSeen.set(key, (runsSeen.get(key) ?? 0) + 1);
  }
  const passes = phase === 'held' || PATTERNS[pattern][phase][runIndex.get(turn.simulation_id!)! % 3];
  return { json: { reply: passes ? `${PASS_WORD}: here is your answer.` : 'Sorry, I cannot help with that.', end_call: true } };
}

let hook: Awaited<ReturnType<typeof startWebhookAgent>>;
let server: TestServer;
let client: ApiClient;
let agentId: string;
let suiteId: string;
const caseIds = new Map<Pattern, string>();

beforeAll(async () => {
  hook = await startWebhookAgent(answer);
  server = await startTestServer({ engineConfig: { allowPrivateNetworks: true, concurrency: 4, timeoutMs: 30_000 } });
  client = apiClient(server.url, server.key);
  agentId = (await client.POST('/agents', { body: { name: 'Patterned', prompt: 'p', connector: { kind: 'http', url: hook.url } } })).data!
    .response.id;
  suiteId = (await client.POST('/simulation_suites', { body: { name: 'Regression', model_id: agentId } })).data!.response.id;
  for (const pattern of Object.keys(PATTERNS) as Pattern[]) {
    const created = await client.POST('/simulation_cases', {
      body: {
        name: `Case ${pattern}`,
        prompt: 'The caller asks a question.',
        success_criteria: ['The agent answers the question'],
        call_success_type: 'any',
        suite_id: suiteId,
        caller_turns: [`case ${pattern}`],
        checks: [{ kind: 'contains', text: PASS_WORD, side: 'agent' }],
      },
    });
    caseIds.set(pattern, created.data!.response.simulation_case.simulation_case_id);
  }
});
afterAll(async () => {
  held.open();
  await server?.stop();
  await hook?.stop();
});

async function execute(iterations: number): Promise<string> {
  const executed = await client.POST('/simulation_suites/{suite_id}/execute', {
    params: { path: { suite_id: suiteId }, query: { target_agent_id: agentId, iterations } },
  });
  expect(executed.response.status).toBe(200);
  return executed.data!.session_id!;
}

async function finished(sessionId: string) {
  for (;;) {
    const read = await client.GET('/simulations/session/{simulation_session_id}', {
      params: { path: { simulation_session_id: sessionId } },
    });
    if (read.data!.response.pending_simulations === 0) return read.data!.response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function report(sessionId: string): Promise<Report> {
  const read = await raw(`${server.url}/simulations/session/${sessionId}/report`, { key: server.key });
  expect(read.status).toBe(200);
  expect(responseProblems('getSimulationSessionReport', 200, read.json)).toEqual([]);
  return read.json.response;
}

async function compare(sessionId: string, baseline?: string) {
  const query = baseline === undefined ? '' : `?baseline=${encodeURIComponent(baseline)}`;
  const read = await raw(`${server.url}/simulations/session/${sessionId}/comparison${query}`, { key: server.key });
  expect(responseProblems('compareSimulationSessions', read.status, read.json)).toEqual([]);
  return read;
}

const caseOf = (r: Report, pattern: Pattern) => r.cases.find((c) => c.simulation_case_id === caseIds.get(pattern))!;

describe('iterations, the report and the comparison (issue 12)', () => {
  let baselineId: string;
  let headId: string;

  it('runs every case three times and reports each pattern', async () => {
    baselineId = await execute(3);
    const session = await finished(baselineId);
    expect(session.total_simulations).toBe(15);
    const runs = (await client.GET('/simulations', { params: { query: { simulation_session_id: baselineId, page_size: 100 } } })).data!
      .response.items;
    expect(runs.map((r) => r.iteration).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);

    const r = await report(baselineId);
    expect(r).toMatchObject({
      simulation_session_id: baselineId,
      suite_id: suiteId,
      finished: true,
      total_simulations: 15,
      completed_simulations: 15,
      passed_simulations: 8,
      pass_rate: 0.5333,
      case_outcomes: { passing: 2, failing: 2, flaky: 1, pending: 0 },
    });
    expect(r.cases.map((c) => c.simulation_case_id)).toEqual([...caseIds.values()]);
    expect(caseOf(r, 'stable_pass')).toMatchObject({ runs: 3, passed_runs: 3, pass_rate: 1, outcome: 'passing', flaky: false });
    expect(caseOf(r, 'stable_fail')).toMatchObject({ runs: 3, passed_runs: 0, failed_runs: 3, pass_rate: 0, outcome: 'failing' });
    expect(caseOf(r, 'flaky')).toMatchObject({ runs: 3, passed_runs: 2, failed_runs: 1, pass_rate: 0.6667, outcome: 'flaky', flaky: true });
    expect(caseOf(r, 'broken')).toMatchObject({ passed_runs: 3, outcome: 'passing' });

    const [criterion, check] = caseOf(r, 'flaky').criteria;
    expect(criterion).toMatchObject({
      kind: 'criterion',
      criterion: 'The agent answers the question',
      evaluations: 3,
      not_evaluated: 3,
      pass_rate: 0,
      top_failure_reasoning: NO_JUDGE_REASON,
      top_failure_count: 3,
    });
    expect(check).toMatchObject({ kind: 'check', evaluations: 3, passed: 2, failed: 1, pass_rate: 0.6667, top_failure_count: 1 });

    // Turns: the caller's and the agent's messages, as the stored timelines hold them.
    const flakyRuns = runs.filter((run) => run.simulation_case_id === caseIds.get('flaky'));
    const messages = flakyRuns.map((run) => run.timeline!.filter((e) => e.type === 'message').length).sort();
    expect(caseOf(r, 'flaky').turns).toEqual({ median: messages[1], p95: messages[2] });
    expect(caseOf(r, 'flaky').duration_ms!.p95).toBeGreaterThanOrEqual(caseOf(r, 'flaky').duration_ms!.median);
  });

  it('has no baseline before the suite has a finished session: 404 naming baseline', async () => {
    const read = await compare(baselineId);
    expect(read.status).toBe(404);
    expect(read.json.error).toMatchObject({ code: 'not_found', details: [{ location: 'query', field: 'baseline' }] });
  });

  it('compares the next session with the last one: regressed, case by case', async () => {
    phase = 'head';
    headId = await execute(3);
    await finished(headId);
    const read = await compare(headId);
    expect(read.status).toBe(200);
    const comparison: Comparison = read.json.response;
    expect(comparison).toMatchObject({
      simulation_session_id: headId,
      baseline_session_id: baselineId,
      suite_id: suiteId,
      verdict: 'regressed',
      summary: {
        newly_failing: 1,
        fixed: 1,
        still_failing: 1,
        still_passing: 1,
        flaky: 1,
        added: 0,
        removed: 0,
        regressed: 1,
        improved: 1,
      },
    });
    const change = Object.fromEntries(comparison.cases.map((c) => [c.simulation_case_id, [c.change, c.trend, c.pass_rate_delta]]));
    expect(change[caseIds.get('broken')!]).toEqual(['newly_failing', 'regressed', -1]);
    expect(change[caseIds.get('fixed')!]).toEqual(['fixed', 'improved', 1]);
    expect(change[caseIds.get('flaky')!]).toEqual(['flaky', 'unchanged', 0]);
    expect(change[caseIds.get('stable_pass')!]).toEqual(['still_passing', 'unchanged', 0]);
    expect(change[caseIds.get('stable_fail')!]).toEqual(['still_failing', 'unchanged', 0]);
    // Regressed first, then improved.
    expect(comparison.cases.slice(0, 2).map((c) => c.simulation_case_id)).toEqual([caseIds.get('broken'), caseIds.get('fixed')]);
    const broken = comparison.cases[0]!;
    expect(broken.baseline).toEqual({ runs: 3, passed_runs: 3, pass_rate: 1, outcome: 'passing' });
    expect(broken.head).toEqual({ runs: 3, passed_runs: 0, pass_rate: 0, outcome: 'failing' });
    expect(broken.criteria.find((c) => c.kind === 'check')).toMatchObject({
      baseline_pass_rate: 1,
      pass_rate: 0,
      delta: -1,
      trend: 'regressed',
    });

    const named = await compare(headId, baselineId);
    expect(named.json).toEqual(read.json);
    // The other way round, the same cases read as improvements and regressions swapped.
    const reversed = await compare(baselineId, headId);
    expect(reversed.status).toBe(200);
    expect(reversed.json.response.summary).toMatchObject({ newly_failing: 1, fixed: 1, regressed: 1, improved: 1 });
  });

  it('refuses a running session (409), itself (422), an unknown baseline (404) and another workspace', async () => {
    phase = 'held';
    held = gate();
    const running = await execute(1);
    const whileRunning = await compare(running);
    expect(whileRunning.status).toBe(409);
    expect(whileRunning.json.error.code).toBe('conflict');
    const againstRunning = await compare(headId, running);
    expect(againstRunning.status).toBe(409);
    const partial = await report(running);
    expect(partial).toMatchObject({ finished: false, pending_simulations: 5, pass_rate: null, case_outcomes: { pending: 5 } });
    expect(partial.cases[0]).toMatchObject({ runs: 1, pending_runs: 1, outcome: 'pending', pass_rate: null, duration_ms: null });
    held.open();
    await finished(running);
    // The last finished session before `running` is now the head session.
    expect((await compare(running)).json.response.baseline_session_id).toBe(headId);

    const self = await compare(headId, headId);
    expect(self.status).toBe(422);
    expect(self.json.error.details[0]).toMatchObject({ location: 'query', field: 'baseline' });
    const unknown = await compare(headId, '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.details[0]).toMatchObject({ location: 'query', field: 'baseline' });

    const strangerKey = await otherWorkspace(server);
    for (const url of [`/simulations/session/${headId}/report`, `/simulations/session/${headId}/comparison`]) {
      const stranger = await raw(`${server.url}${url}`, { key: strangerKey });
      expect(stranger.status).toBe(404);
    }
    expect((await raw(`${server.url}/simulations/session/${headId}/report`)).status).toBe(401);
  });

  it('compares sessions of single simulations only with each other, by id', async () => {
    phase = 'baseline';
    const start = async (iterations: number) =>
      (
        await client.POST('/simulations', {
          body: { simulation_case_id: caseIds.get('stable_pass')!, target_agent_id: agentId, iterations },
        })
      ).data!.response;
    const first = await start(2);
    expect(first.iteration).toBe(1);
    const [a] = [first.simulation_session_id];
    // A run of the case added to the session later is numbered after the two already there.
    const added = await client.POST('/simulations', {
      body: { simulation_case_id: caseIds.get('stable_pass')!, target_agent_id: agentId, simulation_session_id: a },
    });
    expect(added.data!.response.iteration).toBe(3);
    const second = await start(1);
    const b = second.simulation_session_id;
    expect((await finished(a)).total_simulations).toBe(3);
    await finished(b);
    const last = await compare(b);
    expect(last.status).toBe(422);
    expect(last.json.error.details[0]).toMatchObject({ field: 'baseline' });
    const byId = await compare(b, a);
    expect(byId.status).toBe(200);
    expect(byId.json.response).toMatchObject({ verdict: 'unchanged', suite_id: null, summary: { still_passing: 1 } });
    const acrossSuites = await compare(b, headId);
    expect(acrossSuites.status).toBe(422);
  });
});
