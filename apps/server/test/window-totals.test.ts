import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dates } from '../src/handlers/common.js';
import { SqliteStorage } from '../src/storage/sqlite/index.js';
import type { DateRange, SessionRecord, SimulationRecord } from '../src/storage/types.js';
import { runOf } from './support/records.js';
import { tempDir } from './support/server.js';

/**
 * A list's total over a date window (issue 10, item 7, scale): SQLite sums the totals the triggers
 * keep per UTC day for the whole days inside the window and counts the rows of its first and last
 * days. Checked against a plain count(*) of the same rows, for random windows (bounds with any
 * offset, normalised as the handlers do) over random runs and sessions, after random updates and
 * deletes; and the kept day totals against the rows themselves.
 */
const WS = 'ws-main';
const OTHER = 'ws-other';
const DAY = 86_400_000;
const FROM = Date.parse('2024-02-20T00:00:00.000Z');
const SPAN = 40 * DAY;
const STATUSES = ['in-progress', 'completed', 'failed'] as const;
const AGENTS = ['agent-1', 'agent-2', 'agent-3'];

/** A seeded generator (mulberry32), so that a failure can be replayed. */
const SEED = 20_261_130;
let state = SEED;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const iso = (ms: number) => new Date(ms).toISOString();
/** A moment in the span, often right at a midnight or a millisecond either side of one. */
const moment = () => {
  const ms = FROM + Math.floor(random() * SPAN);
  const midnight = ms - (ms % DAY);
  return pick([ms, ms, ms, midnight, midnight - 1, midnight + 1]);
};

let storage: SqliteStorage;
let n = 0;
const nextId = (prefix: string) => {
  n += 1;
  return `${prefix}-${n}`;
};

const sessionOf = (ws: string, at: string): SessionRecord => ({
  simulation_session_id: nextId('session'),
  workspace_id: ws,
  suite_id: null,
  target_agent_id: random() < 0.2 ? null : pick(AGENTS),
  created_at: at,
  cancelled_at: null,
});

// The random draws in the order the runs were always made with: the id, the agent, then the status.
const runAt = (session: SessionRecord, at: string): SimulationRecord =>
  runOf(session, 0, {
    simulation_id: nextId('run'),
    simulation_case_id: 'case',
    simulation_case_name: 'Case',
    simulation_case_prompt: 'Prompt',
    success_criteria: ['ok'],
    target_agent_id: pick(AGENTS),
    custom_variables: null,
    status: pick(STATUSES),
    created_at: at,
    updated_at: at,
  });

beforeAll(async () => {
  storage = new SqliteStorage(join(await tempDir(), 'sims.db'));
  for (const id of [WS, OTHER]) await storage.workspaces.create({ id, name: id, created_at: iso(FROM) });
  for (let i = 0; i < 400; i += 1) {
    const at = iso(moment());
    const session = sessionOf(random() < 0.85 ? WS : OTHER, at);
    // Runs of a session share its time, as runs created in one request do; some runs stand alone.
    const runs = Array.from({ length: 1 + Math.floor(random() * 4) }, () => runAt(session, random() < 0.8 ? at : iso(moment())));
    await storage.sessions.createRuns(session, runs);
  }
  // Runs finish (the status moves them between totals), and rows change day or go, which no API does
  // today but the triggers must follow all the same.
  const db = storage.db;
  const ids = (table: string) => db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as string[];
  for (const id of ids('simulations')) {
    const roll = random();
    if (roll < 0.4) {
      await storage.simulations.finish(
        id,
        { status: pick(['completed', 'failed'] as const), success_criteria_analysis: null, error_info: null },
        iso(moment()),
      );
    } else if (roll < 0.5) db.prepare('UPDATE simulations SET created_at = ? WHERE id = ?').run(iso(moment()), id);
    else if (roll < 0.55) db.prepare('UPDATE simulations SET target_agent_id = ? WHERE id = ?').run(pick(AGENTS), id);
    else if (roll < 0.62) db.prepare('DELETE FROM simulations WHERE id = ?').run(id);
  }
  for (const id of ids('sessions')) {
    const roll = random();
    if (roll < 0.1) db.prepare('UPDATE sessions SET created_at = ? WHERE id = ?').run(iso(moment()), id);
    else if (roll < 0.15) db.prepare('UPDATE sessions SET target_agent_id = ? WHERE id = ?').run(pick([...AGENTS, null]), id);
    else if (roll < 0.2) {
      db.prepare('DELETE FROM simulations WHERE session_id = ?').run(id);
      db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    }
  }
});

afterAll(async () => {
  await storage.close();
});

/** A bound as a user may write it: UTC, or the same instant at another offset, to the second or with a fraction. */
function written(ms: number): string {
  const offset = pick([0, 0, 330, -480, 60, -720, 840]);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  const text = random() < 0.5 ? local.slice(0, 19) : `${local}${pick(['', '4', '999'])}`;
  if (!offset) return `${text}${pick(['Z', 'z', '+00:00'])}`;
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${text}${offset < 0 ? '-' : '+'}${hours}:${minutes}`;
}

/** A window as the handlers pass it: from either bound or both, sometimes a single day or none at all. */
function window(): DateRange {
  const start = moment();
  const end = pick([start + Math.floor(random() * 20 * DAY), start + Math.floor(random() * DAY), moment(), start - 1, start]);
  const shape = pick(['both', 'both', 'both', 'start', 'end']);
  return dates({
    start_date: shape === 'end' ? undefined : written(start),
    end_date: shape === 'start' ? undefined : written(end),
  });
}

function counted(table: string, ws: string, range: DateRange, equal: Record<string, string>): number {
  const clauses = ['workspace_id = ?'];
  const params: string[] = [ws];
  if (range.start_date) clauses.push('created_at >= ?') && params.push(range.start_date);
  if (range.end_date) clauses.push('created_at <= ?') && params.push(range.end_date);
  for (const [column, value] of Object.entries(equal)) clauses.push(`${column} = ?`) && params.push(value);
  return storage.db
    .prepare(`SELECT count(*) FROM ${table} WHERE ${clauses.join(' AND ')}`)
    .pluck()
    .get(...params) as number;
}

/** A page of one row: full whenever a row matches, so its total is the one the storage works out, not the page's length. */
const ONE = { page_number: 1, page_size: 1 };

describe('list totals over a date window', () => {
  it('keep, per list, key and UTC day, exactly the rows there are', () => {
    const kept = storage.db
      .prepare(`SELECT workspace_id, list, key1, key2, day, n FROM list_day_totals WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5`)
      .raw()
      .all();
    const recounted = storage.db
      .prepare(
        `WITH keyed AS (
          SELECT workspace_id, 'sessions' AS list, '' AS key1, '' AS key2, created_at FROM sessions
          UNION ALL SELECT workspace_id, 'sessions by target_agent_id', coalesce(target_agent_id, ''), '', created_at FROM sessions
          UNION ALL SELECT workspace_id, 'simulations', '', '', created_at FROM simulations
          UNION ALL SELECT workspace_id, 'simulations by status', status, '', created_at FROM simulations
          UNION ALL SELECT workspace_id, 'simulations by target_agent_id', target_agent_id, '', created_at FROM simulations
          UNION ALL SELECT workspace_id, 'simulations by target_agent_id and status', target_agent_id, status, created_at FROM simulations)
        SELECT workspace_id, list, key1, key2, substr(created_at, 1, 10) AS day, count(*) FROM keyed GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
      )
      .raw()
      .all();
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toStrictEqual(recounted);
  });

  it('equal a count of the rows for random windows of runs, by status and agent', async () => {
    for (let i = 0; i < 300; i += 1) {
      const range = window();
      const equal: Record<string, string> = {};
      if (random() < 0.5) equal.status = pick(STATUSES);
      if (random() < 0.4) equal.target_agent_id = pick(AGENTS);
      const ws = random() < 0.9 ? WS : OTHER;
      const { total } = await storage.simulations.list(ws, { ...range, ...equal }, ONE);
      expect(total, `seed ${SEED}, window ${JSON.stringify({ ws, range, equal })}`).toBe(counted('simulations', ws, range, equal));
    }
  });

  it('equal a count of the rows for random windows of sessions, by agent', async () => {
    for (let i = 0; i < 300; i += 1) {
      const range = window();
      const equal: Record<string, string> = random() < 0.5 ? { target_agent_id: pick(AGENTS) } : {};
      const ws = random() < 0.9 ? WS : OTHER;
      const { total } = await storage.sessions.list(ws, { ...range, ...equal }, ONE);
      expect(total, `seed ${SEED}, window ${JSON.stringify({ ws, range, equal })}`).toBe(counted('sessions', ws, range, equal));
    }
  });

  it('are summed from the day totals of the days inside, with only the first and last days counted', async () => {
    const range = dates({ start_date: '2024-02-25T13:00:00+05:30', end_date: '2024-03-20T23:59:59.999-08:00' });
    expect(range).toStrictEqual({ start_date: '2024-02-25T07:30:00.000Z', end_date: '2024-03-21T07:59:59.999Z' });
    const filter = { ...range, status: 'completed' as const };
    const { total } = await storage.simulations.list(WS, filter, ONE);
    expect(total).toBe(counted('simulations', WS, range, { status: 'completed' }));
    expect(total).toBeGreaterThan(1);
    // Shown by moving a kept total: one for a day inside the window moves the answer, one for its first
    // or last day (whose rows are counted) or outside it does not.
    const shifted = async (day: string) => {
      const bump = storage.db.prepare(`UPDATE list_day_totals SET n = n + ? WHERE workspace_id = ? AND list = 'simulations by status'
        AND key1 = 'completed' AND key2 = '' AND day = ?`);
      bump.run(1000, WS, day);
      try {
        return (await storage.simulations.list(WS, filter, ONE)).total - total;
      } finally {
        bump.run(-1000, WS, day);
      }
    };
    const keptDays = storage.db
      .prepare(`SELECT day FROM list_day_totals WHERE workspace_id = ? AND list = 'simulations by status' AND key1 = 'completed'`)
      .pluck()
      .all(WS) as string[];
    for (const day of ['2024-02-25', '2024-02-26', '2024-03-10', '2024-03-20', '2024-03-21', '2024-02-24', '2024-03-22']) {
      if (!keptDays.includes(day)) continue;
      expect(await shifted(day), day).toBe(day > '2024-02-25' && day < '2024-03-21' ? 1000 : 0);
    }
    expect(keptDays.filter((day) => day > '2024-02-25' && day < '2024-03-21').length).toBeGreaterThan(10);
  });
});
