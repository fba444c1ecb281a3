import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteStorage } from '../src/storage/sqlite/index.js';
import { migrations } from '../src/storage/sqlite/migrations.js';
import { KEPT_TOTALS } from '../src/storage/sqlite/totals.js';
import type {
  AgentRecord,
  CaseRecord,
  PageRequest,
  SessionRecord,
  SimulationRecord,
  Storage,
  SuiteRecord,
  TimelineItem,
} from '../src/storage/types.js';
import { runOf } from './support/records.js';
import { agentRecord } from './support/agents.js';
import { tempDir } from './support/server.js';

/**
 * Lists stay fast as history grows (issue 9, item 9): every query a list or filter issues is read
 * through an index, in index order; totals come from those kept by triggers, or else from counts that
 * read an index alone. Checked on the plans SQLite makes (`EXPLAIN QUERY PLAN`), never by timing; and
 * the answers themselves (totals, session counters, summaries) are checked against the records.
 */
const WS = 'ws-main';
const OTHER = 'ws-other';
const STATUSES = ['in-progress', 'completed', 'failed'] as const;

/** Distinct, increasing timestamps, some shared, as runs created in one request share theirs. */
let clock = Date.parse('2024-01-01T00:00:00.000Z');
const tick = (ms = 1000) => {
  clock += ms;
  return new Date(clock).toISOString();
};

let storage: SqliteStorage;
const agents: AgentRecord[] = [];
const suites: SuiteRecord[] = [];
const cases: CaseRecord[] = [];
const sessions: SessionRecord[] = [];
const simulations: SimulationRecord[] = [];

const agentOf = (ws: string, name: string): AgentRecord => agentRecord(ws, name, tick());

const caseOf = (ws: string, suite: SuiteRecord | null, i: number): CaseRecord => {
  const at = tick();
  return {
    simulation_case_id: randomUUID(),
    workspace_id: ws,
    suite_id: suite?.id ?? null,
    name: `Case ${i}`,
    prompt: `Prompt ${i}`,
    type: i % 3 === 0 ? 'custom' : 'generated',
    success_criteria: ['ok'],
    call_success_type: 'all',
    checks: [],
    caller_turns: [],
    tool_mocks: [],
    expected_agent_turns: [],
    base_agent_id: suite ? null : agents[i % agents.length]!.id,
    created_at: at,
    updated_at: at,
  } as CaseRecord;
};

const timelineOf = (n: number): TimelineItem[] =>
  Array.from(
    { length: n },
    (_, i) => ({ sender_type: i % 2 ? 'agent' : 'persona', type: 'message', value: `turn ${i}`, timestamp: tick(1) }) as TimelineItem,
  );

const runFor = (session: SessionRecord, c: CaseRecord, agent: AgentRecord, at: string): SimulationRecord =>
  runOf(session, 0, {
    simulation_case_id: c.simulation_case_id,
    simulation_case_name: c.name,
    simulation_case_prompt: c.prompt,
    success_criteria: c.success_criteria,
    call_success_type: c.call_success_type,
    target_agent_id: agent.id,
    agent_name: agent.name,
    custom_variables: null,
    created_at: at,
    updated_at: at,
  });

/** A few hundred runs in sessions of two agents, finished, failed or still going; a second workspace beside. */
async function seed(s: Storage) {
  await s.workspaces.create({ id: WS, name: 'Main', created_at: tick() });
  await s.workspaces.create({ id: OTHER, name: 'Other', created_at: tick() });
  for (const name of ['Acme', 'Globex']) {
    const agent = agentOf(WS, name);
    agents.push(agent);
    await s.agents.create(agent);
  }
  await s.agents.create(agentOf(OTHER, 'Elsewhere'));
  for (let i = 0; i < 3; i += 1) {
    const at = tick();
    const suite = {
      id: randomUUID(),
      workspace_id: WS,
      name: `Suite ${i}`,
      model_id: agents[i % 2]!.id,
      language: 'en-US',
      created_at: at,
      updated_at: at,
    };
    suites.push(suite);
    await s.suites.create(suite);
  }
  for (let i = 0; i < 40; i += 1) {
    const c = caseOf(WS, i < 30 ? suites[i % 3]! : null, i);
    cases.push(c);
    await s.cases.create(c);
  }
  for (let i = 0; i < 3; i += 1) {
    const at = tick();
    await s.scenarios.create({
      id: randomUUID(),
      workspace_id: WS,
      name: `Scenario ${i}`,
      description: 'd',
      created_at: at,
      updated_at: at,
    });
  }
  for (let i = 0; i < 30; i += 1) {
    const agent = agents[i % 2]!;
    const session: SessionRecord = {
      simulation_session_id: randomUUID(),
      workspace_id: i % 10 === 9 ? OTHER : WS,
      suite_id: suites[i % 3]!.id,
      target_agent_id: agent.id,
      created_at: tick(),
      cancelled_at: null,
    };
    const at = session.created_at;
    const runs = Array.from({ length: 4 + (i % 9) }, (_, j) => runFor(session, cases[(i + j) % cases.length]!, agent, at));
    await s.sessions.createRuns(session, runs);
    sessions.push(session);
    for (const [j, run] of runs.entries()) {
      const status = STATUSES[(i + j) % 3]!;
      if (status !== 'in-progress') {
        await s.simulations.markStarted(run.simulation_id, tick(1));
        await s.simulations.appendTimeline(run.simulation_id, timelineOf(6), tick(1));
        await s.simulations.finish(run.simulation_id, { status, success_criteria_analysis: null, error_info: null }, tick(1));
      }
    }
    simulations.push(...runs);
  }
}

beforeAll(async () => {
  storage = new SqliteStorage(join(await tempDir(), 'sims.db'));
  await seed(storage);
});
afterAll(() => storage.close());

const page = (page_number: number, page_size: number): PageRequest => ({ page_number, page_size });
const stored = async () =>
  (await Promise.all(simulations.map((s) => storage.simulations.get(s.workspace_id, s.simulation_id)))).filter(
    (s): s is SimulationRecord => s !== undefined && s.workspace_id === WS,
  );

/** Every filter combination each list operation accepts, over values that match and one that does not. */
function* listCalls(): Generator<[string, () => Promise<unknown>]> {
  const [acme] = agents;
  const from = sessions[5]!.created_at;
  const to = sessions[20]!.created_at;
  const sizes = [page(1, 5), page(2, 5), page(1, 100), page(50, 5)];
  for (const p of sizes) {
    yield ['agents', () => storage.agents.list(WS, {}, p)];
    yield ['agents search', () => storage.agents.list(WS, { search: 'acm' }, p)];
    for (const model_ids of [undefined, [acme!.id], agents.map((a) => a.id)]) {
      for (const search of [undefined, 'suite']) {
        for (const dates of [{}, { start_date: from }, { start_date: from, end_date: to }]) {
          yield [
            `suites ${JSON.stringify({ model_ids, search, dates })}`,
            () => storage.suites.list(WS, { model_ids, search, ...dates }, p),
          ];
        }
      }
    }
    for (const suite_id of [undefined, suites[1]!.id]) {
      for (const simulation_case_type of [undefined, 'custom'] as const) {
        for (const search of [undefined, 'case 1']) {
          yield [
            `cases ${JSON.stringify({ suite_id, simulation_case_type, search })}`,
            () => storage.cases.list(WS, { suite_id, simulation_case_type, search }, p),
          ];
        }
      }
    }
    yield ['scenarios', () => storage.scenarios.list(WS, {}, p)];
    yield ['scenarios dated', () => storage.scenarios.list(WS, { search: 'scen', start_date: from, end_date: to }, p)];
    for (const target_agent_id of [undefined, acme!.id, 'no-such-agent']) {
      for (const dates of [{}, { start_date: from }, { end_date: to }]) {
        yield [`sessions ${JSON.stringify({ target_agent_id, dates })}`, () => storage.sessions.list(WS, { target_agent_id, ...dates }, p)];
      }
    }
    for (const simulation_session_id of [undefined, sessions[3]!.simulation_session_id]) {
      for (const status of [undefined, ...STATUSES]) {
        for (const target_agent_id of [undefined, acme!.id]) {
          for (const dates of [{}, { start_date: from, end_date: to }]) {
            const filter = { simulation_session_id, status, target_agent_id, ...dates };
            yield [`simulations ${JSON.stringify(filter)}`, () => storage.simulations.list(WS, filter, p)];
          }
        }
      }
    }
  }
  yield ['cases in one suite', () => storage.cases.listInSuites(WS, [suites[0]!.id])];
  yield [
    'cases in suites',
    () =>
      storage.cases.listInSuites(
        WS,
        suites.map((s) => s.id),
      ),
  ];
  yield ['cases counted in a suite', () => storage.cases.countInSuite(WS, suites[0]!.id)];
  yield ['cases by agent', () => storage.cases.listByAgent(WS, acme!.id, 50)];
  yield ['scenarios, all', () => storage.scenarios.all(WS)];
  yield ['session view', () => storage.sessions.view(WS, sessions[0]!.simulation_session_id)];
  yield ['session runs counted', () => storage.sessions.countSimulations(WS, sessions[0]!.simulation_session_id)];
  yield ['unfinished runs', () => storage.simulations.listUnfinished(1000)];
}

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

describe('query plans of lists and filters', () => {
  let plans: Array<{ sql: string; plan: string[] }>;

  beforeAll(async () => {
    const prepare = vi.spyOn(storage.db, 'prepare');
    for (const [, call] of listCalls()) await call();
    const texts = new Set(prepare.mock.calls.map(([sql]) => sql).filter((sql) => /^\s*SELECT\b/i.test(sql) && /\bFROM\b/i.test(sql)));
    prepare.mockRestore();
    // Parameters only matter to the planner for their number: the values are left NULL.
    plans = [...texts].map((sql) => {
      const params = Array.from({ length: sql.split('?').length - 1 }, () => null);
      const rows = storage.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as PlanRow[];
      return { sql: sql.replace(/\s+/g, ' '), plan: rows.map((r) => r.detail) };
    });
  });

  it('covers every kind of list query (the spy saw them)', () => {
    expect(plans.length).toBeGreaterThan(40);
    for (const table of ['agents', 'suites', 'cases', 'scenarios', 'sessions', 'simulations']) {
      // Runs are read with their timelines gathered from their events (see SIMULATION_COLUMNS).
      expect(
        plans.some((p) => new RegExp(`^SELECT .*FROM ${table} WHERE .*ORDER BY created_at DESC, rowid DESC LIMIT`).test(p.sql)),
        table,
      ).toBe(true);
      expect(
        plans.some((p) => p.sql.includes(`SELECT count(*) AS n FROM ${table} WHERE`)),
        `count of ${table}`,
      ).toBe(true);
    }
  });

  it('reads no table or index from end to end: each is searched through an index', () => {
    const scans = plans.flatMap(({ sql, plan }) =>
      plan
        // A partial index holds only what the query asks for (the unfinished runs): reading it whole is the point.
        .filter((detail) => /^SCAN /.test(detail) && !/USING (COVERING )?INDEX simulations_unfinished$/.test(detail))
        .map((detail) => `${detail}   <- ${sql}`),
    );
    expect(scans).toEqual([]);
  });

  it('sorts nothing: ORDER BY and GROUP BY follow an index', () => {
    // Except one run's events into its timeline: `ORDER BY n` inside the aggregate is what makes
    // their order defined (they are read in that order, by the index on (run, n)), and a run holds a bounded few.
    const sorts = plans.flatMap(({ sql, plan }) =>
      plan
        .filter((detail) => /TEMP B-TREE/.test(detail) && detail !== 'USE TEMP B-TREE FOR group_concat(ORDER BY)')
        .map((detail) => `${detail}   <- ${sql}`),
    );
    expect(plans.some(({ plan }) => plan.includes('SEARCH simulation_events USING INDEX simulation_events_by_run (run=?)'))).toBe(true);
    expect(sorts).toEqual([]);
  });

  // `+column` marks a filter the storage checks on rows on purpose: beside a session or a suite (few
  // rows), or several agents' suites (an index per agent would need a sort).
  const checkedOnRows = (sql: string) => / \+\w/.test(sql);

  it('answers counts from an index alone, unless a name search, a session or suite, or a filter checked on rows needs them', () => {
    const counts = plans.filter(({ sql }) => /count\(\*\)/.test(sql) && !/fold\(|session_id|suite_id/.test(sql) && !checkedOnRows(sql));
    expect(counts.length).toBeGreaterThan(10);
    for (const { sql, plan } of counts) expect(plan.join(' | '), sql).toMatch(/USING COVERING INDEX/);
  });

  it('searches by every filter an index can serve (status no longer read from the rows)', () => {
    const served = (sql: string) =>
      [...sql.matchAll(/(\w+) (=|IN \(|>=|<=) ?\?/g)].map(([, column, op]) => `${column}${op === '>=' ? '>' : op === '<=' ? '<' : '='}?`);
    const lists = plans.filter(
      ({ sql }) =>
        /FROM (simulations|sessions|cases|suites|agents|scenarios) WHERE/.test(sql) &&
        /ORDER BY|count\(\*\)/.test(sql) &&
        !/ OR /.test(sql) &&
        !checkedOnRows(sql),
    );
    expect(lists.length).toBeGreaterThan(40);
    for (const { sql, plan } of lists) {
      const search = plan.find((detail) => detail.startsWith('SEARCH'))!;
      for (const term of served(sql)) expect(search, sql).toContain(term);
    }
    for (const column of ['status', 'session_id', 'target_agent_id', 'type', 'suite_id', 'model_id', 'created_at']) {
      expect(
        lists.some(({ plan }) => plan.some((detail) => detail.includes(`${column}=?`) || detail.includes(`${column}>?`))),
        column,
      ).toBe(true);
    }
  });

  it('takes totals kept by triggers for plain filters, by primary key, and counts none of them', () => {
    const kept = plans.filter(({ sql }) => sql.includes('FROM list_totals'));
    expect(kept).toHaveLength(1);
    expect(kept[0]!.plan).toEqual(['SEARCH list_totals USING PRIMARY KEY (workspace_id=? AND list=? AND key1=? AND key2=?)']);
    const plainCounts = plans
      .map(({ sql }) => /^SELECT count\(\*\) AS n FROM (\w+) WHERE workspace_id = \?((?: AND \w+ = \?)*)$/.exec(sql))
      .filter((match) => match !== null)
      .map(([, table, filters]) => ({ table, by: [...filters!.matchAll(/AND (\w+) = \?/g)].map(([, column]) => column).sort() }));
    const keptFor = plainCounts.filter(({ table, by }) =>
      KEPT_TOTALS.some((k) => k.table === table && [...k.by].sort().join() === by.join()),
    );
    expect(keptFor).toEqual([]);
  });

  it("reads a session's runs or a suite's cases through that container whatever else is filtered", () => {
    const within = plans.filter(({ sql }) => /(session_id|suite_id) (= \?|IN \()/.test(sql) && !/SELECT id FROM suites/.test(sql));
    expect(within.length).toBeGreaterThan(10);
    for (const { sql, plan } of within)
      expect(plan.join(' | '), sql).toMatch(/USING (COVERING )?INDEX (simulations_by_session|cases_by_suite) /);
  });
});

describe('list answers', () => {
  it('gives exact totals whether it counts or infers them from a short page', async () => {
    const runs = await stored();
    const acme = agents[0]!.id;
    for (const status of [undefined, ...STATUSES]) {
      const expected = runs.filter((r) => (!status || r.status === status) && r.target_agent_id === acme);
      for (const size of [1, 7, expected.length, expected.length + 1, 100]) {
        const pages = Math.ceil(expected.length / size) + 1;
        const seen: string[] = [];
        for (let n = 1; n <= pages; n += 1) {
          const got = await storage.simulations.list(WS, { status, target_agent_id: acme }, page(n, size));
          expect(got.total, `status ${status}, size ${size}, page ${n}`).toBe(expected.length);
          seen.push(...got.items.map((s) => s.simulation_id));
        }
        expect(new Set(seen).size).toBe(expected.length);
        expect(seen.sort()).toEqual(expected.map((r) => r.simulation_id).sort());
      }
    }
    expect(await storage.sessions.list(WS, { target_agent_id: 'nobody' }, page(1, 10))).toEqual({ items: [], total: 0 });
    expect((await storage.sessions.list(WS, {}, page(99, 10))).total).toBe(sessions.filter((s) => s.workspace_id === WS).length);
  });

  it('lists newest first, ties broken by insertion order reversed', async () => {
    const runs = (await stored()).filter((r) => r.simulation_session_id === sessions[4]!.simulation_session_id);
    const listed = await storage.simulations.list(WS, { simulation_session_id: sessions[4]!.simulation_session_id }, page(1, 100));
    expect(listed.items.map((s) => s.simulation_id)).toEqual(runs.map((r) => r.simulation_id).reverse());
  });

  it("counts each session's runs by status, in reads and in lists", async () => {
    const runs = await stored();
    const list = await storage.sessions.list(WS, {}, page(1, 100));
    expect(list.items).toHaveLength(sessions.filter((s) => s.workspace_id === WS).length);
    for (const session of list.items) {
      const own = runs.filter((r) => r.simulation_session_id === session.simulation_session_id);
      const expected = {
        total_simulations: own.length,
        completed_simulations: own.filter((r) => r.status === 'completed').length,
        failed_simulations: own.filter((r) => r.status === 'failed').length,
        pending_simulations: own.filter((r) => r.status === 'in-progress').length,
      };
      expect(expected.completed_simulations * expected.failed_simulations * expected.pending_simulations).toBeGreaterThan(0);
      expect(session).toMatchObject(expected);
      expect(await storage.sessions.view(WS, session.simulation_session_id)).toMatchObject(expected);
      expect(await storage.sessions.countSimulations(WS, session.simulation_session_id)).toBe(own.length);
    }
    const other = sessions.find((s) => s.workspace_id === OTHER)!;
    expect(await storage.sessions.countSimulations(WS, other.simulation_session_id)).toBe(0);
    expect(await storage.sessions.view(WS, other.simulation_session_id)).toBeUndefined();
  });

  it('embeds summaries in session lists (no timeline, case copies, variables or verdicts) and full runs in a session read', async () => {
    const session = sessions[1]!;
    const full = (await storage.sessions.view(WS, session.simulation_session_id))!;
    const listed = (await storage.sessions.list(WS, {}, page(1, 100))).items.find(
      (s) => s.simulation_session_id === session.simulation_session_id,
    )!;
    expect(full.simulations.some((s) => (s.timeline ?? []).length === 6)).toBe(true);
    expect(full.simulations.every((s) => s.simulation_case_prompt !== null)).toBe(true);
    expect(listed.simulations).toEqual(
      full.simulations.map((s) => ({
        ...s,
        timeline: null,
        simulation_case_prompt: null,
        success_criteria: null,
        custom_variables: null,
        success_criteria_analysis: null,
      })),
    );
    expect(full.simulations.map((s) => s.simulation_id)).toEqual(
      simulations.filter((s) => s.simulation_session_id === session.simulation_session_id).map((s) => s.simulation_id),
    );
  });

  it('counts and groups the cases of suites', async () => {
    for (const suite of suites) {
      expect(await storage.cases.countInSuite(WS, suite.id)).toBe(cases.filter((c) => c.suite_id === suite.id).length);
      expect(await storage.cases.countInSuite(OTHER, suite.id)).toBe(0);
    }
    const listed = await storage.cases.listInSuites(
      WS,
      suites.map((s) => s.id),
    );
    const bySuite = (suite: SuiteRecord) => listed.filter((c) => c.suite_id === suite.id).map((c) => c.simulation_case_id);
    for (const suite of suites) {
      expect(bySuite(suite)).toEqual(cases.filter((c) => c.suite_id === suite.id).map((c) => c.simulation_case_id));
    }
    expect(listed.map((c) => c.suite_id)).toEqual([...listed.map((c) => c.suite_id)].sort());
  });
});

describe('kept totals', () => {
  /** The list call answering the total kept for these filters, and the count it must equal. */
  const FILTERS: Record<string, (value: string) => object> = {
    model_id: (v) => ({ model_ids: [v] }),
    type: (v) => ({ simulation_case_type: v }),
    suite_id: (v) => ({ suite_id: v }),
    target_agent_id: (v) => ({ target_agent_id: v }),
    status: (v) => ({ status: v }),
  };
  const list = (s: Storage, table: string, ws: string, filter: object) => {
    const lists: Record<string, (p: PageRequest) => Promise<{ total: number }>> = {
      agents: (p) => s.agents.list(ws, filter, p),
      scenarios: (p) => s.scenarios.list(ws, filter, p),
      suites: (p) => s.suites.list(ws, filter, p),
      cases: (p) => s.cases.list(ws, filter, p),
      sessions: (p) => s.sessions.list(ws, filter, p),
      simulations: (p) => s.simulations.list(ws, filter, p),
    };
    // A page of one is full whenever anything matches, so the total is never read off a short page.
    return lists[table]!(page(1, 1));
  };

  /** Every kept total, for every value in the table and one that is not, against a count of the rows. */
  async function expectTotalsRight(s: SqliteStorage) {
    let checked = 0;
    for (const ws of [WS, OTHER]) {
      for (const { table, by } of KEPT_TOTALS) {
        const combos = s.db.prepare(`SELECT DISTINCT ${['1', ...by].join(', ')} FROM ${table} WHERE workspace_id = ?`).all(ws) as Array<
          Record<string, string | null>
        >;
        const values = [...combos, Object.fromEntries(by.map((c) => [c, 'absent']))].filter((combo) => by.every((c) => combo[c] !== null));
        for (const combo of values) {
          const where = by.map((c) => ` AND ${c} = ?`).join('');
          const expected = (
            s.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE workspace_id = ?${where}`).get(ws, ...by.map((c) => combo[c])) as {
              n: number;
            }
          ).n;
          const filter = Object.assign({}, ...by.map((c) => FILTERS[c]!(combo[c]!)));
          expect((await list(s, table, ws, filter)).total, `${table} ${JSON.stringify(filter)} in ${ws}`).toBe(expected);
          checked += 1;
        }
      }
    }
    return checked;
  }

  it('stay equal to the counts through inserts, moves between suites and agents, status changes and deletes', async () => {
    const s = new SqliteStorage(join(await tempDir(), 'sims.db'));
    try {
      await s.workspaces.create({ id: WS, name: 'Main', created_at: tick() });
      await s.workspaces.create({ id: OTHER, name: 'Other', created_at: tick() });
      const [a1, a2, a3] = [agentOf(WS, 'A1'), agentOf(WS, 'A2'), agentOf(OTHER, 'A3')];
      for (const a of [a1!, a2!, a3!]) await s.agents.create(a);
      const suite = (agent: AgentRecord, name: string): SuiteRecord => {
        const at = tick();
        return {
          id: randomUUID(),
          workspace_id: agent.workspace_id,
          name,
          model_id: agent.id,
          language: 'en-US',
          created_at: at,
          updated_at: at,
        };
      };
      const [s1, s2, s3] = [suite(a1!, 'S1'), suite(a2!, 'S2'), suite(a3!, 'S3')];
      for (const x of [s1!, s2!, s3!]) await s.suites.create(x);
      const made: CaseRecord[] = [];
      for (const [i, home] of [s1, s1, s1, s2, s2, null, s3].entries()) {
        const c = { ...caseOf(home?.workspace_id ?? WS, home ?? null, i), base_agent_id: null };
        made.push(c);
        await s.cases.create(c);
      }
      await s.scenarios.create({
        id: randomUUID(),
        workspace_id: WS,
        name: 'Sc',
        description: 'd',
        created_at: tick(),
        updated_at: tick(),
      });
      const runs: SimulationRecord[] = [];
      for (const [i, agent] of [a1!, a2!, a1!, a3!].entries()) {
        const session: SessionRecord = {
          simulation_session_id: randomUUID(),
          workspace_id: agent.workspace_id,
          suite_id: null,
          target_agent_id: i === 2 ? null : agent.id,
          created_at: tick(),
          cancelled_at: null,
        };
        const own = made
          .filter((c) => c.workspace_id === agent.workspace_id)
          .slice(0, 3)
          .map((c) => runFor(session, c, agent, session.created_at));
        await s.sessions.createRuns(session, own);
        runs.push(...own);
      }
      expect(await expectTotalsRight(s)).toBeGreaterThan(30);

      await s.simulations.markStarted(runs[0]!.simulation_id, tick());
      await s.simulations.appendTimeline(runs[0]!.simulation_id, timelineOf(2), tick());
      await s.simulations.finish(
        runs[0]!.simulation_id,
        { status: 'completed', success_criteria_analysis: null, error_info: null },
        tick(),
      );
      await s.simulations.finish(runs[1]!.simulation_id, { status: 'failed', success_criteria_analysis: null, error_info: null }, tick());
      await s.simulations.finish(
        runs.at(-1)!.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: null },
        tick(),
      );
      await s.cases.update(WS, made[0]!.simulation_case_id, { suite_id: s2!.id });
      await s.cases.update(WS, made[5]!.simulation_case_id, { suite_id: s1!.id });
      await s.suites.update(WS, s2!.id, { model_id: a1!.id });
      expect(await expectTotalsRight(s)).toBeGreaterThan(30);

      await s.cases.delete(WS, made[3]!.simulation_case_id);
      await s.suites.delete(WS, s1!.id);
      await s.agents.delete(WS, a2!.id);
      expect(await s.cases.countInSuite(WS, s1!.id)).toBe(0);
      expect(await s.cases.countInSuite(WS, s2!.id)).toBe(2);
      expect(await expectTotalsRight(s)).toBeGreaterThan(30);
    } finally {
      await s.close();
    }
  });

  it('are right on the seeded history', async () => {
    expect(await expectTotalsRight(storage)).toBeGreaterThan(40);
  });
});

describe('migrations 3 and 4 on an existing database', () => {
  it('add the indexes and the totals to a version-2 database and keep its rows', async () => {
    const file = join(await tempDir(), 'sims.db');
    const old = new BetterSqlite3(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of migrations.filter((m) => m.version <= 2)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, tick());
    }
    const session = {
      simulation_session_id: 'session-v2',
      workspace_id: WS,
      suite_id: null,
      target_agent_id: agents[0]!.id,
      created_at: tick(),
      cancelled_at: null,
    };
    const v2runs = (['failed', 'failed', 'completed'] as const).map((status) => ({
      ...runFor(session, cases[0]!, agents[0]!, tick()),
      status,
    }));
    old.prepare('INSERT INTO workspaces VALUES (?, ?, ?)').run(WS, 'Main', tick());
    old
      .prepare('INSERT INTO sessions VALUES (?, ?, ?, ?, ?)')
      .run(session.simulation_session_id, WS, null, session.target_agent_id, session.created_at);
    for (const run of v2runs) {
      old
        .prepare(`INSERT INTO simulations (id, workspace_id, session_id, case_id, target_agent_id, status, created_at, updated_at, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
          run.simulation_id,
          WS,
          session.simulation_session_id,
          run.simulation_case_id,
          run.target_agent_id,
          run.status,
          run.created_at,
          run.updated_at,
          JSON.stringify(run),
        );
    }
    old.close();
    const v2 = new SqliteStorage(file);
    // Pages of one are full, so these totals are the ones migration 4 filled in from the rows.
    expect(await v2.simulations.list(WS, { status: 'failed' }, page(1, 1))).toEqual({ items: [v2runs[1]], total: 2 });
    expect((await v2.simulations.list(WS, { target_agent_id: agents[0]!.id }, page(1, 1))).total).toBe(3);
    expect((await v2.sessions.list(WS, {}, page(1, 1))).total).toBe(1);
    expect(await v2.sessions.view(WS, session.simulation_session_id)).toMatchObject({
      total_simulations: 3,
      failed_simulations: 2,
      simulations: v2runs,
    });
    expect(v2.db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: migrations.at(-1)!.version });
    const indexes = (
      v2.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>
    ).map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'simulations_by_status',
        'simulations_by_agent',
        'simulations_by_session',
        'sessions_by_agent',
        'cases_by_type',
      ]),
    );
    await v2.close();
  });
});
