import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulationEngine } from '../src/engine/simulation-engine.js';
import { SqliteStorage } from '../src/storage/sqlite/index.js';
import { migrations } from '../src/storage/sqlite/migrations.js';
import { noUsage } from '../src/storage/usage.js';
import type { SessionRecord, SimulationRecord, SimulationSummary, TimelineItem } from '../src/storage/types.js';
import { agentRecord } from './support/agents.js';
import { eventAt, runOf, sessionRecord } from './support/records.js';
import { tempDir } from './support/server.js';

/**
 * The append-only run log (issue 10, item 2): a run's timeline is rows of `simulation_events`, one
 * INSERT an event; its status and `updated_at` live in their columns only; and a database written by
 * the release before (migrations 1–4, documents with the timeline inside) reads unchanged.
 */
const WS = 'ws-main';
let clock = Date.parse('2025-03-01T09:00:00.000Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const handle of open.splice(0)) await handle.close();
});

const event = (i: number, sender_type?: TimelineItem['sender_type']): TimelineItem => eventAt(i, tick(), sender_type);

/** A run as that release stored it: it knew no usage or divergence (migration 13). */
const documentOf = ({ usage: _usage, divergence: _divergence, ...s }: SimulationRecord) => s;

/**
 * How the release before this one wrote runs (apps/server/src/storage/sqlite/index.ts before
 * migration 5), kept here verbatim as SQL so that the test writes what that release wrote: the whole
 * record as one document, rewritten on every change.
 */
class ReleaseBefore {
  constructor(readonly db: Database) {
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of migrations.filter((m) => m.version <= 4)) {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, tick());
      })();
    }
  }
  createRuns(session: SessionRecord, simulations: SimulationRecord[]) {
    this.db
      .prepare('INSERT INTO sessions (id, workspace_id, suite_id, target_agent_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(session.simulation_session_id, session.workspace_id, session.suite_id, session.target_agent_id, session.created_at);
    for (const s of simulations) {
      this.db
        .prepare(`INSERT INTO simulations (id, workspace_id, session_id, case_id, target_agent_id, status, created_at, updated_at, body, run_input)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
          s.simulation_id,
          s.workspace_id,
          s.simulation_session_id,
          s.simulation_case_id,
          s.target_agent_id,
          s.status,
          s.created_at,
          s.updated_at,
          JSON.stringify(documentOf(s)),
          JSON.stringify({ checks: [], caller_turns: ['Hi'] }),
        );
    }
  }
  private update(id: string, at: string, change: (s: SimulationRecord) => void) {
    const row = this.db.prepare('SELECT body FROM simulations WHERE id = ?').get(id) as { body: string };
    const simulation = JSON.parse(row.body) as SimulationRecord;
    change(simulation);
    simulation.updated_at = at;
    this.db
      .prepare('UPDATE simulations SET status = ?, updated_at = ?, body = ? WHERE id = ?')
      .run(simulation.status, at, JSON.stringify(simulation), id);
  }
  markStarted(id: string, at: string) {
    this.update(id, at, (s) => {
      s.started_at = at;
    });
  }
  appendTimeline(id: string, items: TimelineItem[], at: string) {
    this.update(id, at, (s) => {
      s.timeline = [...(s.timeline ?? []), ...items];
    });
  }
  finish(id: string, result: Partial<SimulationRecord>, at: string) {
    this.update(id, at, (s) => {
      Object.assign(s, result);
      s.finished_at = at;
    });
  }
  /** What that release answered for a run: its document as stored (no usage or divergence). */
  read(id: string): Omit<SimulationRecord, 'usage' | 'divergence'> {
    return JSON.parse((this.db.prepare('SELECT body FROM simulations WHERE id = ?').get(id) as { body: string }).body) as SimulationRecord;
  }
}

const summary = (s: SimulationRecord): SimulationSummary => ({
  ...s,
  timeline: null,
  simulation_case_prompt: null,
  success_criteria: null,
  custom_variables: null,
  success_criteria_analysis: null,
});

const counters = (runs: SimulationRecord[]) => ({
  total_simulations: runs.length,
  completed_simulations: runs.filter((r) => r.status === 'completed').length,
  failed_simulations: runs.filter((r) => r.status === 'failed').length,
  pending_simulations: runs.filter((r) => r.status === 'in-progress').length,
});

/** A table's rows as JSON text, sorted, each with `added` columns after its own. */
/** Columns later migrations add to tables the run log leaves alone, as an upgraded row reads them. */
const ADDED_COLUMNS: Record<string, Record<string, unknown>> = {
  sessions: { cancelled_at: null },
  agents: { signing_secret: null, previous_signing_secret: null, previous_signing_secret_expires_at: null },
};

const tableRows = (db: Database, table: string, added: Record<string, unknown> = {}) =>
  db
    .prepare(`SELECT * FROM ${table}`)
    .all()
    .map((r) => JSON.stringify({ ...(r as object), ...added }))
    .sort();

describe('a database written by the release before (migration 5)', () => {
  it('reads every run, session, page and counter unchanged, and keeps the log going', async () => {
    const file = join(await tempDir(), 'sims.db');
    const old = new ReleaseBefore(new BetterSqlite3(file));
    old.db.prepare('INSERT INTO workspaces VALUES (?, ?, ?)').run(WS, 'Main', tick());
    old.db
      .prepare(`INSERT INTO agents (id, workspace_id, name, prompt, connector, agent_type, avatar_url, phone_number, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run('agent-1', WS, 'Nora', 'p', '{"kind":"builtin"}', 'inbound', null, null, tick(), tick());
    const sessions: SessionRecord[] = [0, 1].map(() => ({
      simulation_session_id: randomUUID(),
      workspace_id: WS,
      suite_id: null,
      target_agent_id: 'agent-1',
      created_at: tick(),
      cancelled_at: null,
    }));
    const [first, second] = sessions as [SessionRecord, SessionRecord];
    const runs = [...[0, 1, 2, 3, 4].map((n) => runOf(first, n)), ...[5, 6].map((n) => runOf(second, n))];
    old.createRuns(first, runs.slice(0, 5));
    old.createRuns(second, runs.slice(5));
    const [queued, running, completed, failed, interrupted, noAgent, recorded] = runs.map((r) => r.simulation_id) as string[] as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    // What the engine of that release did for each outcome, step by step.
    for (const id of [running, completed, failed, interrupted, recorded]) {
      old.markStarted(id, tick());
      for (let i = 0; i < 4; i += 1) old.appendTimeline(id, [event(i)], tick());
    }
    const full = (id: string) => old.read(id).timeline!;
    old.finish(
      completed,
      {
        status: 'completed',
        error_info: null,
        timeline: full(completed),
        success_criteria_analysis: {
          success: true,
          reasoning: 'Gave the hours.',
          criteria: [{ criterion: 'Hours given', met: true, reasoning: 'yes' }],
        } as never,
      },
      tick(),
    );
    old.finish(
      failed,
      {
        status: 'failed',
        success_criteria_analysis: null,
        error_info: { code: 408, type: 'timeout', message: 'Too slow.' },
        timeline: full(failed),
      },
      tick(),
    );
    old.finish(
      interrupted,
      {
        status: 'failed',
        success_criteria_analysis: null,
        error_info: { code: 503, type: 'interrupted', message: 'cut off' },
        timeline: [
          ...full(interrupted),
          { sender_type: 'system', type: 'error', value: 'cut off', timestamp: null, timestamp_datetime: tick() },
        ],
      },
      tick(),
    );
    old.finish(
      noAgent,
      { status: 'failed', success_criteria_analysis: null, error_info: { code: 424, type: 'agent_not_found', message: 'gone' } },
      tick(),
    );
    old.finish(
      recorded,
      {
        status: 'completed',
        success_criteria_analysis: null,
        error_info: null,
        recording_url: 'https://example.org/r.wav',
        timeline: full(recorded),
      },
      tick(),
    );

    const before = new Map(runs.map((r) => [r.simulation_id, old.read(r.simulation_id)]));
    // As they were, with the columns later migrations add (`ADDED_COLUMNS`), null in every row from before.
    const untouched = Object.fromEntries(
      ['workspaces', 'agents', 'sessions', 'list_totals'].map((t) => [t, tableRows(old.db, t, ADDED_COLUMNS[t] ?? {})]),
    );
    expect(before.get(interrupted)!.timeline).toHaveLength(5);
    old.db.close();

    const storage = new SqliteStorage(file);
    open.push(storage);
    // Migrated from before the run log (8) to the latest.
    expect(storage.db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: migrations.at(-1)!.version });
    expect(migrations.at(-1)!.version).toBeGreaterThanOrEqual(8);
    // An upgraded run has no usage or divergence (null), an upgraded session none used (zeros).
    const expected = (id: string): SimulationRecord => ({ ...before.get(id)!, usage: null, divergence: null });
    const inSession = (session: SessionRecord) =>
      runs.filter((r) => r.simulation_session_id === session.simulation_session_id).map((r) => expected(r.simulation_id));

    for (const id of before.keys()) expect(await storage.simulations.get(WS, id), id).toStrictEqual(expected(id));
    for (const session of sessions) {
      expect(await storage.sessions.view(WS, session.simulation_session_id)).toStrictEqual({
        ...session,
        simulations: inSession(session),
        ...counters(inSession(session)),
        usage: noUsage(),
      });
    }
    const listed = await storage.sessions.list(WS, {}, { page_number: 1, page_size: 10 });
    expect(listed).toStrictEqual({
      total: 2,
      items: [second, first].map((session) => ({
        ...session,
        simulations: inSession(session).map(summary),
        ...counters(inSession(session)),
        usage: noUsage(),
      })),
    });
    const newestFirst = [...runs].reverse().map((r) => expected(r.simulation_id));
    expect(await storage.simulations.list(WS, {}, { page_number: 1, page_size: 100 })).toStrictEqual({ items: newestFirst, total: 7 });
    // Full pages, so the totals come from those the triggers kept before the migration.
    expect(await storage.simulations.list(WS, { status: 'failed' }, { page_number: 1, page_size: 1 })).toStrictEqual({
      items: [expected(noAgent)],
      total: 3,
    });
    expect(await storage.simulations.list(WS, { status: 'in-progress' }, { page_number: 1, page_size: 1 })).toStrictEqual({
      items: [expected(running)],
      total: 2,
    });
    expect(await storage.simulations.listUnfinished(10)).toStrictEqual([expected(queued), expected(running)]);
    expect(await storage.sessions.counters(WS, [first.simulation_session_id, 'no-such-session'])).toStrictEqual(
      new Map([
        [first.simulation_session_id, counters(inSession(first))],
        ['no-such-session', counters([])],
      ]),
    );
    for (const [table, rows] of Object.entries(untouched)) expect(tableRows(storage.db, table), table).toStrictEqual(rows);

    // The documents no longer hold what the columns and the events hold.
    const bodies = (storage.db.prepare('SELECT body FROM simulations').all() as Array<{ body: string }>).map(
      (r) => JSON.parse(r.body) as object,
    );
    for (const body of bodies)
      for (const key of ['timeline', 'status', 'updated_at', 'usage', 'divergence']) expect(body).not.toHaveProperty(key);
    expect(storage.db.prepare('SELECT count(*) AS n FROM simulation_events').get()).toEqual({ n: 4 * 5 + 1 });

    // The run that was going on carries on where its log stopped.
    const next = event(9);
    const at = tick();
    await storage.simulations.appendTimeline(running, [next], at);
    expect(await storage.simulations.get(WS, running)).toStrictEqual({
      ...expected(running),
      timeline: [...expected(running).timeline!, next],
      updated_at: at,
    });
  });
});

describe('a database written by the release with migration 5 (events keyed by run id and number)', () => {
  it('keeps every timeline in order, numbers the runs, and appends after the last event in arrival order', async () => {
    const file = join(await tempDir(), 'sims.db');
    const db = new BetterSqlite3(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of migrations.filter((m) => m.version <= 5)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, tick());
    }
    db.prepare('INSERT INTO workspaces VALUES (?, ?, ?)').run(WS, 'Main', tick());
    const session = sessionRecord(WS, tick());
    db.prepare('INSERT INTO sessions (id, workspace_id, suite_id, target_agent_id, created_at) VALUES (?, ?, ?, ?, ?)').run(
      session.simulation_session_id,
      WS,
      null,
      'agent-1',
      session.created_at,
    );
    const runs = [0, 1, 2].map((n) => runOf(session, n, { created_at: tick(), updated_at: tick() }));
    // As that release stored a run: the status and updated_at in their columns, the rest as the document.
    for (const { status, updated_at, timeline: _timeline, ...body } of runs) {
      db.prepare(`INSERT INTO simulations (id, workspace_id, session_id, case_id, target_agent_id, status, created_at, updated_at, body, run_input)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`).run(
        body.simulation_id,
        WS,
        session.simulation_session_id,
        body.simulation_case_id,
        'agent-1',
        status,
        body.created_at,
        updated_at,
        JSON.stringify(body),
      );
    }
    const [a, b, c] = runs.map((r) => r.simulation_id) as [string, string, string];
    // Events of two runs interleaved, as runs going at once wrote them; the third run has none yet.
    const written = new Map<string, Array<{ item: TimelineItem; at: string }>>([
      [a, []],
      [b, []],
    ]);
    for (const id of [a, b, a, b, a]) {
      const log = written.get(id)!;
      const entry = { item: event(log.length), at: tick() };
      db.prepare('INSERT INTO simulation_events (simulation_id, seq, at, item) VALUES (?, ?, ?, ?)').run(
        id,
        log.length,
        entry.at,
        JSON.stringify(entry.item),
      );
      log.push(entry);
    }
    db.close();

    const storage = new SqliteStorage(file);
    open.push(storage);
    expect(storage.db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: migrations.at(-1)!.version });
    const expected = (run: SimulationRecord): SimulationRecord => {
      const log = written.get(run.simulation_id) ?? [];
      return { ...run, timeline: log.map((e) => e.item), updated_at: log.at(-1)?.at ?? run.updated_at };
    };
    for (const run of runs) expect(await storage.simulations.get(WS, run.simulation_id)).toStrictEqual(expected(run));
    // Numbered in creation order; the events moved keep their numbers, a run's together.
    expect(storage.db.prepare('SELECT simulation_id FROM simulation_runs ORDER BY run').pluck().all()).toEqual([a, b, c]);
    expect(storage.db.prepare('SELECT run, n FROM simulation_events ORDER BY seq').raw().all()).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
      [2, 0],
      [2, 1],
    ]);

    // Appends of one turn go to the end of the table in the order they came, each numbered after its run's last.
    const next = [event(7), event(8), event(9)];
    const at = tick();
    await Promise.all([
      storage.simulations.appendTimeline(b, [next[0]!], at),
      storage.simulations.appendTimeline(c, [next[1]!], at),
      storage.simulations.appendTimeline(a, [next[2]!], at),
    ]);
    expect(storage.db.prepare('SELECT run, n FROM simulation_events ORDER BY seq DESC LIMIT 3').raw().all()).toEqual([
      [1, 3],
      [3, 0],
      [2, 2],
    ]);
    expect((await storage.simulations.get(WS, a))!.timeline).toStrictEqual([...expected(runs[0]!).timeline!, next[2]]);
    expect((await storage.simulations.get(WS, b))!.timeline).toStrictEqual([...expected(runs[1]!).timeline!, next[0]]);
    expect(await storage.simulations.get(WS, c)).toStrictEqual({ ...runs[2]!, timeline: [next[1]], updated_at: at });

    // A run created now gets the next number, whoever writes it.
    const later = runOf(session, 3, { created_at: tick(), updated_at: tick() });
    await storage.sessions.createRuns(undefined, [later]);
    expect(storage.db.prepare('SELECT run FROM simulation_runs WHERE simulation_id = ?').pluck().get(later.simulation_id)).toBe(4);
  });
});

describe('the run log', () => {
  async function fresh() {
    const storage = new SqliteStorage(join(await tempDir(), 'sims.db'));
    open.push(storage);
    await storage.workspaces.create({ id: WS, name: 'Main', created_at: tick() });
    const session = sessionRecord(WS, tick());
    const runs = [runOf(session, 1), runOf(session, 2)];
    await storage.sessions.createRuns(session, runs);
    return { storage, session, runs };
  }
  const changes = (storage: SqliteStorage) => (storage.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  const row = (storage: SqliteStorage, id: string) =>
    storage.db.prepare('SELECT status, updated_at, body FROM simulations WHERE id = ?').get(id);

  it('numbers the runs it creates in the order given, with their totals, and no insert trigger does it', async () => {
    const { storage, session, runs } = await fresh();
    const more = [runOf(session, 3), runOf(session, 4, { status: 'completed' })];
    await storage.sessions.createRuns(undefined, more);
    const numbered = storage.db.prepare('SELECT simulation_id FROM simulation_runs ORDER BY run').pluck().all();
    expect(numbered).toEqual([...runs, ...more].map((r) => r.simulation_id));
    const total = (list: string, key1 = '', key2 = '') =>
      storage.db
        .prepare('SELECT n FROM list_totals WHERE workspace_id = ? AND list = ? AND key1 = ? AND key2 = ?')
        .pluck()
        .get(WS, list, key1, key2);
    expect(total('simulations')).toBe(4);
    expect(total('simulations by status', 'in-progress')).toBe(3);
    expect(total('simulations by target_agent_id and status', more[1]!.target_agent_id!, 'completed')).toBe(1);
    const days = storage.db.prepare("SELECT sum(n) FROM list_day_totals WHERE workspace_id = ? AND list = 'simulations'").pluck().get(WS);
    expect(days).toBe(4);
    const triggers = storage.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'simulations'").pluck().all();
    expect(triggers.filter((name) => String(name).endsWith('_insert') || name === 'simulations_run_number')).toEqual([]);
  });

  it("appends an event as one row and leaves the run's row as it was", async () => {
    const { storage, runs } = await fresh();
    const id = runs[0]!.simulation_id;
    await storage.simulations.markStarted(id, tick());
    const rowBefore = row(storage, id);
    const items: TimelineItem[] = [];
    for (let i = 0; i < 5; i += 1) {
      const item = event(i);
      items.push(item);
      const changed = changes(storage);
      await storage.simulations.appendTimeline(id, [item], item.timestamp_datetime!);
      expect(changes(storage) - changed).toBe(1);
    }
    expect(row(storage, id)).toEqual(rowBefore);
    const read = await storage.simulations.get(WS, id);
    expect(read!.timeline).toStrictEqual(items);
    // While it runs, a run was last updated by its last event.
    expect(read!.updated_at).toBe(items.at(-1)!.timestamp_datetime);
    expect((await storage.simulations.get(WS, runs[1]!.simulation_id))!.timeline).toStrictEqual([]);
    await expect(storage.simulations.appendTimeline('no-such-run', [event(0)], tick())).rejects.toThrow();
  });

  it('commits the appends of one turn together, in order, and refuses only one whose run is gone', async () => {
    const { storage, runs } = await fresh();
    const [one, two] = runs.map((r) => r.simulation_id) as [string, string];
    const items = [event(0), event(1), event(2), event(3)];
    const settled = await Promise.allSettled([
      storage.simulations.appendTimeline(one, [items[0]!], tick()),
      storage.simulations.appendTimeline(two, [items[1]!], tick()),
      storage.simulations.appendTimeline('no-such-run', [event(9)], tick()),
      storage.simulations.appendTimeline(one, [items[2]!, items[3]!], tick()),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((await storage.simulations.get(WS, one))!.timeline).toStrictEqual([items[0], items[2], items[3]]);
    expect((await storage.simulations.get(WS, two))!.timeline).toStrictEqual([items[1]]);
    // The batch was rolled back and written again: the storage counts each log's end afresh, so the
    // events are numbered on from where they are, with no gap and no number taken twice.
    const more = [event(4), event(5)] as const;
    await storage.simulations.appendTimeline(one, [more[0]], tick());
    await storage.simulations.appendTimeline(two, [more[1]], tick());
    const numbers = (id: string) =>
      storage.db
        .prepare('SELECT n FROM simulation_events WHERE run = (SELECT run FROM simulation_runs WHERE simulation_id = ?) ORDER BY n')
        .pluck()
        .all(id);
    expect(numbers(one)).toEqual([0, 1, 2, 3]);
    expect(numbers(two)).toEqual([0, 1]);
    expect((await storage.simulations.get(WS, one))!.timeline).toStrictEqual([items[0], items[2], items[3], more[0]]);
    expect((await storage.simulations.get(WS, two))!.timeline).toStrictEqual([items[1], more[1]]);
  });

  it('finishes with the status in its column only, the timeline as appended, and late events after it', async () => {
    const { storage, session, runs } = await fresh();
    const [one, two] = runs.map((r) => r.simulation_id) as [string, string];
    const early = [event(0), event(1)];
    await storage.simulations.markStarted(one, tick());
    await storage.simulations.appendTimeline(one, early, tick());
    const events = () => (storage.db.prepare('SELECT count(*) AS n FROM simulation_events').get() as { n: number }).n;
    const at = tick();
    await storage.simulations.finish(one, { status: 'completed', success_criteria_analysis: null, error_info: null }, at);
    expect(events()).toBe(2);
    const late = [event(2, 'system')];
    await storage.simulations.finish(
      two,
      { status: 'failed', success_criteria_analysis: null, error_info: { code: 503, type: 'interrupted', message: 'x' }, events: late },
      tick(),
    );
    const [a, b] = [await storage.simulations.get(WS, one), await storage.simulations.get(WS, two)];
    expect(a).toMatchObject({ status: 'completed', timeline: early, finished_at: at, updated_at: at });
    expect(b).toMatchObject({ status: 'failed', timeline: late, error_info: { type: 'interrupted' } });
    const stored = row(storage, one) as { status: string; body: string };
    expect(stored.status).toBe('completed');
    expect(JSON.parse(stored.body)).not.toHaveProperty('status');
    expect(JSON.parse(stored.body)).not.toHaveProperty('timeline');
    expect((await storage.sessions.counters(WS, [session.simulation_session_id])).get(session.simulation_session_id)).toStrictEqual({
      total_simulations: 2,
      completed_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 0,
    });
    expect((await storage.simulations.list(WS, { status: 'completed' }, { page_number: 1, page_size: 1 })).total).toBe(1);
    await expect(
      storage.simulations.finish('no-such-run', { status: 'failed', success_criteria_analysis: null, error_info: null }, tick()),
    ).rejects.toThrow(/no simulation/);
  });

  it("stores the runner's whole timeline in order even when appending an event failed", async () => {
    const timelines: Array<Array<Pick<TimelineItem, 'sender_type' | 'type' | 'value'>>> = [];
    for (const failAt of [undefined, 2]) {
      const { storage, runs } = await fresh();
      await storage.agents.create(
        // Paced, so that the call's turns are appended one by one (its last with the result).
        agentRecord(WS, 'Nora', tick(), { id: 'agent-1', prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: 5 } }),
      );
      let calls = 0;
      const append = storage.simulations.appendTimeline;
      storage.simulations.appendTimeline = async (...args) => {
        calls += 1;
        if (calls === failAt) throw new Error('disk full');
        return append(...args);
      };
      const engine = new SimulationEngine(storage, { concurrency: 1, timeoutMs: 30_000, allowPrivateNetworks: false, llm: {} });
      const run = runs[0]!;
      storage.db
        .prepare('UPDATE simulations SET run_input = ? WHERE id = ?')
        .run(JSON.stringify({ checks: [], caller_turns: ['Hi, when are you open?', 'Thanks, goodbye. [END_CALL]'] }), run.simulation_id);
      engine.submit([run]);
      for (let i = 0; i < 2000 && (await storage.simulations.get(WS, run.simulation_id))!.status === 'in-progress'; i += 1)
        await new Promise((r) => setTimeout(r, 10));
      await engine.stop();
      const read = (await storage.simulations.get(WS, run.simulation_id))!;
      expect(read.status, JSON.stringify(read.error_info)).toBe('completed');
      if (failAt) expect(calls).toBe(failAt);
      timelines.push(read.timeline!.map(({ sender_type, type, value }) => ({ sender_type, type, value })));
    }
    expect(timelines[0]!.length).toBeGreaterThan(3);
    expect(timelines[1]).toStrictEqual(timelines[0]);
  });
});
