import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import {
  agentColumns,
  bodyOf,
  caseColumns,
  jsonOrNull,
  keyColumns,
  type Row,
  scenarioColumns,
  suiteColumns,
  toAgent,
  toCase,
  toKey,
  toRecord,
  toScenario,
  toSession,
  toSimulation,
  toOutcome,
  toSuite,
  toWebhookDelivery,
  toWebhookEndpoint,
  KEPT_ATTEMPTS,
  toDueEndpoint,
  webhookDeliveryColumns,
  webhookEndpointColumns,
} from '../rows.js';
import { COUNTED_STATUSES, NO_SIMULATIONS } from '../session-counters.js';
import {
  type AgentRecord,
  CANCELLED,
  cancelledEvent,
  type CaseRecord,
  type CaseFilter,
  type CaseReadOut,
  EMBEDDED_SIMULATIONS,
  type JsonText,
  NO_RUN_INPUT,
  type RunInput,
  type IdempotencyClaim,
  type Page,
  type PageRequest,
  type Patch,
  type ScenarioRecord,
  type SessionCounters,
  type SessionRecord,
  type SessionView,
  type SimulationRecord,
  type SimulationSummary,
  type SimulationUsage,
  type Storage,
  type SuiteRecord,
  type TimelineItem,
  type WebhookAttempt,
  type WebhookEndpointRecord,
  type WebhookEvent,
  type WorkspaceRecord,
} from '../types.js';
import { deliveriesOf, passes, sessionEvent, simulationEvent, toSubscriber, wanted } from '../../webhooks/events.js';
import { GroupCommit } from './group-commit.js';
import { keysChangeProbe } from './keys-version.js';
import { migrate } from './migrations.js';
import { CASE_READ_OUT, JOIN_BASE_AGENT } from './read-outs.js';
import { insertedTotals, keptDayTotal, keptTotal } from './totals.js';
import { SQLITE_USAGE_SUMS, toUsageSums } from '../usage.js';

type Param = string | number | null;

/** A WHERE clause assembled from optional filters, always within one workspace. */
class Where {
  readonly clauses: string[] = ['workspace_id = ?'];
  readonly params: Param[];
  /** The equality filters by column, as long as there are only those and a date window (a kept total may answer then). */
  equal: Map<string, string> | undefined = new Map();
  /** The date window, when there is one: `created_at` from `start_date` to `end_date`, both included. */
  range: { start_date?: string; end_date?: string } | undefined;

  constructor(readonly workspace_id: string) {
    this.params = [workspace_id];
  }
  add(clause: string, ...params: Param[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    this.equal = undefined;
    return this;
  }
  eq(column: string, value: string): this {
    this.clauses.push(`${column} = ?`);
    this.params.push(value);
    this.equal?.set(column, value);
    return this;
  }
  search(column: string, term: string | undefined): this {
    return term ? this.add(`instr(fold(${column}), ?) > 0`, term.toLowerCase()) : this;
  }
  /**
   * Without statistics SQLite takes a date bound to keep a quarter of the rows, so a window looks
   * more selective than an equality filter and the planner would read the workspace's whole window
   * rather than the filter's index; `likelihood` states that a window keeps a good part of history.
   */
  dates(range: { start_date?: string; end_date?: string }): this {
    const start_date = range.start_date || undefined;
    const end_date = range.end_date || undefined;
    if (start_date === undefined && end_date === undefined) return this;
    this.range = { start_date, end_date };
    // Not `add`: the equality filters beside a window still have a total, kept per day.
    if (start_date !== undefined) {
      this.clauses.push('likelihood(created_at >= ?, 0.5)');
      this.params.push(start_date);
    }
    if (end_date !== undefined) {
      this.clauses.push('likelihood(created_at <= ?, 0.5)');
      this.params.push(end_date);
    }
    return this;
  }
  toString(): string {
    return `WHERE ${this.clauses.join(' AND ')}`;
  }
}

/** A total kept by the triggers (see totals.ts), by its primary key; no row is a total of 0. */
const KEPT_TOTAL = 'SELECT n FROM list_totals WHERE workspace_id = ? AND list = ? AND key1 = ? AND key2 = ?';

/** The parameters of `KEPT_TOTAL` for a list's filters, when a total is kept for them and there is no date window. */
function keptTotalQuery(table: string, where: Where): { sql: string; params: Param[] } | undefined {
  const kept = !where.range && where.equal && keptTotal(table, [...where.equal.keys()]);
  if (!kept) return undefined;
  const [key1 = '', key2 = ''] = kept.by.map((column) => where.equal!.get(column)!);
  return { sql: `coalesce((${KEPT_TOTAL}), 0)`, params: [where.workspace_id, kept.list, key1, key2] };
}

/** The filters of a cases list. */
function caseFilter(ws: string, filter: CaseFilter): Where {
  const where = new Where(ws).search('name', filter.search);
  if (filter.suite_id) where.eq('suite_id', filter.suite_id);
  // Beside a suite (see simulations.list for the `+`).
  if (filter.suite_id && filter.simulation_case_type) where.add('+type = ?', filter.simulation_case_type);
  else if (filter.simulation_case_type) where.eq('type', filter.simulation_case_type);
  return where;
}

const json = (value: unknown) => JSON.stringify(value);

const DAY_MS = 86_400_000;
const UTC_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The UTC day a date bound falls on (its first ten characters, as the day totals are keyed) and the
 * next day's date; null when the bound does not start with a real date of years 0000–9998 (the bounds
 * the handlers pass are `toISOString()` of the normalised instant, so this is a guard for other callers).
 */
function utcDay(bound: string): { day: string; next: string } | null {
  const day = bound.slice(0, 10);
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  if (!UTC_DAY.test(day) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) return null;
  const next = new Date(ms + DAY_MS).toISOString().slice(0, 10);
  return UTC_DAY.test(next) ? { day, next } : null;
}
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * A simulation is a row: the columns that change while it runs (status, updated_at) and its
 * iteration, the rest of the read-out as a JSON document (`body`), and its timeline as rows of `simulation_events`, one row
 * an event, appended as they happen (migration 5) in arrival order (migration 6). Reads put them
 * together in one statement: the timeline is gathered through the run's number (`simulation_runs`)
 * and the index on (run, n), in the order appended; `updated_at` is that of the row, or of the last
 * event when later (appending an event writes nothing but the event).
 */
const RUN_OF = '(SELECT run FROM simulation_runs WHERE simulation_id = simulations.id)';
const LAST_EVENT_AT = `(SELECT at FROM simulation_events WHERE run = ${RUN_OF} ORDER BY n DESC LIMIT 1) AS last_event_at`;
const SIMULATION_COLUMNS = `simulations.iteration, simulations.status, simulations.updated_at, simulations.body, simulations.usage,
  simulations.divergence,
  (SELECT '[' || group_concat(item, ',' ORDER BY n) || ']' FROM simulation_events WHERE run = ${RUN_OF}) AS timeline,
  ${LAST_EVENT_AT}`;

/** Summaries (see `SimulationSummary`) are cut in SQL, so a page of sessions never reads a timeline. */
const SUMMARY_COLUMNS = `simulations.iteration, simulations.status, simulations.updated_at, simulations.usage, simulations.divergence,
  json_set(simulations.body, '$.simulation_case_prompt', NULL, '$.success_criteria', NULL, '$.custom_variables', NULL,
    '$.success_criteria_analysis', NULL) AS body,
  NULL AS timeline,
  ${LAST_EVENT_AT}`;

/** The counters but the total, each the sum of runs in its status (the statuses are constants of the code). */
const COUNTERS_SQL = Object.entries(COUNTED_STATUSES)
  .map(([name, status]) => `sum(status = '${status}') AS ${name}`)
  .join(', ');

const toSummary = (row: Row): SimulationSummary => toRecord(row, null) as SimulationSummary;

/**
 * Every run of a session for its report (`toOutcome`), oldest first, with no timeline: the document's
 * fields read out (objects as JSON text), and the turns, the caller's and the agent's messages,
 * counted from the run's entries in the partial index of those events (`simulation_events_turns`,
 * whose condition this repeats word for word, so that the planner takes it and no event is parsed).
 */
const OUTCOMES_SQL = `SELECT simulations.id, simulations.case_id, simulations.iteration, simulations.status, simulations.created_at,
    simulations.body ->> '$.simulation_case_name' AS simulation_case_name,
    simulations.body -> '$.success_criteria' AS success_criteria,
    simulations.body -> '$.success_criteria_analysis' AS success_criteria_analysis,
    simulations.body ->> '$.started_at' AS started_at,
    simulations.body ->> '$.finished_at' AS finished_at,
    (SELECT count(*) FROM simulation_events WHERE run = ${RUN_OF}
      AND item ->> '$.type' = 'message' AND item ->> '$.sender_type' IN ('persona', 'agent')) AS turns
  FROM simulations WHERE workspace_id = ? AND session_id = ? ORDER BY created_at, iteration, rowid`;

/** Columns of a record that an update may change, mapped to how they are stored. */
function assignments<T extends object>(patch: Patch<T>, columns: Partial<Record<keyof T, (value: never) => Param>>) {
  const sets: string[] = [];
  const params: Param[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const store = columns[field as keyof T];
    if (!store || value === undefined) continue;
    sets.push(`${field} = ?`);
    params.push(store(value as never));
  }
  return { sets, params };
}

const asIs = (value: never): Param => value as Param;

const asItself = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** Events an INSERT of the run log carries at most, and the VALUES lists of 1 to that many rows. */
const EVENT_ROWS = 16;
const EVENT_VALUES = Array.from({ length: EVENT_ROWS + 1 }, (_, rows) => Array(rows).fill('(?, ?, ?, ?)').join(', '));

/**
 * The embedded storage: one SQLite file in WAL mode. better-sqlite3 is synchronous, so each method
 * runs to completion before the next request is served; compound writes use transactions.
 */
export class SqliteStorage implements Storage {
  readonly db: Database;
  private readonly statements = new Map<string, Statement>();
  /** The engine's writes (runs starting, events, runs finishing), committed a turn of the event loop at a time. */
  private readonly writes: GroupCommit;
  /**
   * Where the log of each running simulation ends (its run number and last event number), so that an
   * append is only INSERTs: read from the database as a run starts (or at its first append), dropped when it finishes,
   * and forgotten whole when a batch of writes is rolled back (the numbers it counted were undone).
   */
  private readonly logEnds = new Map<string, { run: number; n: number }>();
  /** API keys created or revoked through this connection (see `keysChangeProbe`). */
  private keyWrites = 0;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // A checkpoint copies the WAL into the database file and syncs both. At SQLite's default (every
    // 1,000 pages, about 4 MB) a run log with a hundred runs going checkpoints several times a second,
    // and copying and syncing then cost more than the appends themselves; every 10,000 pages (about
    // 40 MB of WAL at most) a page rewritten by many commits is copied once, with one sync, not many.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.function(
      'fold',
      { deterministic: true },
      (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) as string,
    );
    migrate(this.db);
    this.writes = new GroupCommit(this.db, () => this.logEnds.clear());
  }

  /** Prepared statements are compiled once per SQL text and reused. */
  /** Inserts a record's columns (see `rows.ts`) into `table`. */
  private insert(table: string, columns: Row): void {
    const names = Object.keys(columns);
    this.sql(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${placeholders(names.length)})`).run(...Object.values(columns));
  }

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** A page of `table`, newest first, ties in insertion order reversed (unless `order` says otherwise). */
  private page<T>(
    table: string,
    where: Where,
    page: PageRequest,
    map: (row: Row) => T,
    columns = '*',
    order = 'created_at DESC, rowid DESC',
  ): Page<T> {
    const offset = (page.page_number - 1) * page.page_size;
    const rows = this.sql(`SELECT ${columns} FROM ${table} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      ...where.params,
      page.page_size,
      offset,
    ) as Row[];
    return { items: rows.map(map), total: this.pageTotal(table, where, page, rows.length) };
  }

  /**
   * The total of a page's list. A page short of full holds the last rows, so it tells the total; only
   * a full page, or one past the end, needs counting (which reads every matching index entry).
   */
  private pageTotal(table: string, where: Where, page: PageRequest, rows: number): number {
    const offset = (page.page_number - 1) * page.page_size;
    const last = rows < page.page_size && (rows > 0 || offset === 0);
    return last ? offset + rows : this.count(table, where);
  }

  /** From the totals the triggers keep when there is one for these filters, else counted. */
  private count(table: string, where: Where): number {
    if (where.range) return this.countWindow(table, where, where.range);
    const kept = keptTotalQuery(table, where);
    if (kept)
      return (
        (this.sql(KEPT_TOTAL)
          .pluck()
          .get(...kept.params) as number | undefined) ?? 0
      );
    return (this.sql(`SELECT count(*) AS n FROM ${table} ${where}`).get(...where.params) as { n: number }).n;
  }

  /**
   * A date window's total: the totals kept per UTC day for the days strictly inside it, plus a count
   * of the rows of its first and last days (read through the index, a day's rows at most). Exact
   * because `created_at` is always `toISOString()`: a row of a day strictly between the first and the
   * last is inside the window, and compares as text below the next day's date and above the day's own.
   * Counted whole when no total is kept per day for the filters, or a bound is not such a date.
   */
  private countWindow(table: string, where: Where, range: { start_date?: string; end_date?: string }): number {
    const kept = where.equal && keptDayTotal(table, [...where.equal.keys()]);
    const first = range.start_date === undefined ? undefined : utcDay(range.start_date);
    const last = range.end_date === undefined ? undefined : utcDay(range.end_date);
    const counted = (extra = '', ...params: Param[]) =>
      (this.sql(`SELECT count(*) AS n FROM ${table} ${where}${extra}`).get(...where.params, ...params) as { n: number }).n;
    if (!kept || first === null || last === null || (first && last && first.day >= last.day)) return counted();
    const [key1 = '', key2 = ''] = kept.by.map((column) => where.equal!.get(column)!);
    const inside = this.sql(`SELECT coalesce(sum(n), 0) AS n FROM list_day_totals
      WHERE workspace_id = ? AND list = ? AND key1 = ? AND key2 = ? AND day > ? AND day < ?`).get(
      where.workspace_id,
      kept.list,
      key1,
      key2,
      first?.day ?? '',
      last?.day ?? '~',
    ) as { n: number };
    return inside.n + (first ? counted(' AND created_at < ?', first.next) : 0) + (last ? counted(' AND created_at >= ?', last.day) : 0);
  }

  private one<T>(table: string, workspace_id: string, id: string, map: (row: Row) => T, columns = '*'): T | undefined {
    const row = this.sql(`SELECT ${columns} FROM ${table} WHERE workspace_id = ? AND id = ?`).get(workspace_id, id) as Row | undefined;
    return row ? map(row) : undefined;
  }

  private remove(table: string, workspace_id: string, id: string): boolean {
    return this.sql(`DELETE FROM ${table} WHERE workspace_id = ? AND id = ?`).run(workspace_id, id).changes > 0;
  }

  private patch<T extends object>(
    table: string,
    workspace_id: string,
    id: string,
    patch: Patch<T>,
    columns: Partial<Record<keyof T, (value: never) => Param>>,
    map: (row: Row) => T,
  ): T | undefined {
    const { sets, params } = assignments(patch, columns);
    if (sets.length) this.sql(`UPDATE ${table} SET ${sets.join(', ')} WHERE workspace_id = ? AND id = ?`).run(...params, workspace_id, id);
    return this.one(table, workspace_id, id, map);
  }

  readonly workspaces: Storage['workspaces'] = {
    create: async (w: WorkspaceRecord) => {
      this.sql('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(w.id, w.name, w.created_at);
    },
    list: async () => this.sql('SELECT * FROM workspaces ORDER BY rowid').all() as WorkspaceRecord[],
    get: async (id) => this.sql('SELECT * FROM workspaces WHERE id = ?').get(id) as WorkspaceRecord | undefined,
  };

  readonly apiKeys: Storage['apiKeys'] = {
    create: async (k) => {
      this.insert('api_keys', keyColumns(k));
      this.keyWrites += 1;
    },
    findActiveByHash: async (hash) => {
      const row = this.sql('SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL').get(hash) as Row | undefined;
      return row ? toKey(row) : undefined;
    },
    list: async (workspace_id) => {
      const rows = workspace_id
        ? this.sql('SELECT * FROM api_keys WHERE workspace_id = ? ORDER BY rowid').all(workspace_id)
        : this.sql('SELECT * FROM api_keys ORDER BY rowid').all();
      return (rows as Row[]).map(toKey);
    },
    revoke: async (idOrPrefix, at) => {
      const rows = this.sql('SELECT * FROM api_keys WHERE (id = ? OR prefix = ?) AND revoked_at IS NULL').all(
        idOrPrefix,
        idOrPrefix,
      ) as Row[];
      if (rows.length !== 1) return undefined;
      this.sql('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(at, rows[0]!.id);
      this.keyWrites += 1;
      return { ...toKey(rows[0]!), revoked_at: at };
    },
    changeProbe: () => keysChangeProbe(this.db, () => this.keyWrites),
  };

  readonly agents: Storage['agents'] = {
    create: async (a) => {
      this.insert('agents', agentColumns(a));
    },
    get: async (ws, id) => this.one('agents', ws, id, toAgent),
    getMany: async (ws, ids) => {
      const unique = [...new Set(ids)];
      if (!unique.length) return new Map();
      const rows = this.sql(`SELECT * FROM agents WHERE workspace_id = ? AND id IN (${placeholders(unique.length)})`).all(
        ws,
        ...unique,
      ) as Row[];
      return new Map(rows.map((row) => [row.id as string, toAgent(row)]));
    },
    list: async (ws, filter, page) => this.page('agents', new Where(ws).search('name', filter.search), page, toAgent),
    update: async (ws, id, patch) =>
      this.patch<AgentRecord>(
        'agents',
        ws,
        id,
        patch,
        {
          name: asIs,
          prompt: asIs,
          connector: (v: AgentRecord['connector']) => json(v),
          agent_type: asIs,
          avatar_url: asIs,
          phone_number: asIs,
          updated_at: asIs,
          signing_secret: asIs,
          previous_signing_secret: asIs,
          previous_signing_secret_expires_at: asIs,
        },
        toAgent,
      ),
    delete: async (ws, id) => this.remove('agents', ws, id),
  };

  readonly suites: Storage['suites'] = {
    create: async (s) => {
      this.insert('suites', suiteColumns(s));
    },
    get: async (ws, id) => this.one('suites', ws, id, toSuite),
    list: async (ws, filter, page) => {
      const where = new Where(ws).search('name', filter.search).dates(filter);
      const models = [...new Set(filter.model_ids ?? [])];
      // One agent is read through its index; several would each need a sort, so the workspace's
      // suites are read in order and checked (a workspace has far fewer suites than runs).
      if (models.length === 1) where.eq('model_id', models[0]!);
      else if (models.length) where.add(`+model_id IN (${placeholders(models.length)})`, ...models);
      return this.page('suites', where, page, toSuite);
    },
    update: async (ws, id, patch) =>
      this.patch<SuiteRecord>(
        'suites',
        ws,
        id,
        patch,
        {
          name: asIs,
          model_id: asIs,
          language: asIs,
          updated_at: asIs,
        },
        toSuite,
      ),
    delete: async (ws, id) =>
      this.db.transaction(() => {
        this.sql('DELETE FROM cases WHERE workspace_id = ? AND suite_id = ?').run(ws, id);
        return this.remove('suites', ws, id);
      })(),
  };

  readonly cases: Storage['cases'] = {
    create: async (c) => {
      this.insert('cases', caseColumns(c));
    },
    get: async (ws, id) => this.one('cases', ws, id, toCase),
    readOut: async (ws, id) =>
      this.sql(`SELECT ${CASE_READ_OUT} FROM cases c ${JOIN_BASE_AGENT} WHERE c.workspace_id = ? AND c.id = ?`).pluck().get(ws, id) as
        | JsonText<CaseReadOut>
        | undefined,
    list: async (ws, filter, page) => this.page('cases', caseFilter(ws, filter), page, toCase),
    readOutPage: async (ws, filter, page) => {
      const where = caseFilter(ws, filter);
      // Each read-out is written by SQLite; joined here, which costs less than `group_concat`. A total
      // kept for the filters comes with each row (read once: its subquery does not depend on the row).
      const kept = keptTotalQuery('cases', where);
      const rows = this.sql(`SELECT ${CASE_READ_OUT}, ${kept?.sql ?? 'NULL'} FROM cases c ${JOIN_BASE_AGENT} ${where}
        ORDER BY c.created_at DESC, c.rowid DESC LIMIT ? OFFSET ?`)
        .raw()
        .all(...(kept?.params ?? []), ...where.params, page.page_size, (page.page_number - 1) * page.page_size) as [
        string,
        number | null,
      ][];
      const total =
        rows.length === page.page_size && rows[0]![1] !== null ? rows[0]![1] : this.pageTotal('cases', where, page, rows.length);
      return { items: `[${rows.map((row) => row[0]).join(',')}]` as JsonText<CaseReadOut[]>, total };
    },
    listInSuites: async (ws, suiteIds) => {
      if (!suiteIds.length) return [];
      // Ordered by suite first, as the index is, so that several suites need no sort.
      const rows = this.sql(`SELECT * FROM cases WHERE workspace_id = ? AND suite_id IN (${placeholders(suiteIds.length)})
        ORDER BY suite_id, created_at, rowid`).all(ws, ...suiteIds) as Row[];
      return rows.map(toCase);
    },
    countInSuite: async (ws, suiteId) => this.count('cases', new Where(ws).eq('suite_id', suiteId)),
    listByAgent: async (ws, agentId, limit) => {
      const rows = this.sql(`SELECT * FROM cases WHERE workspace_id = ? AND (base_agent_id = ?
          OR suite_id IN (SELECT id FROM suites WHERE workspace_id = ? AND model_id = ?))
        ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(ws, agentId, ws, agentId, limit) as Row[];
      return rows.map(toCase);
    },
    update: async (ws, id, patch) =>
      this.patch<CaseRecord>(
        'cases',
        ws,
        id,
        patch,
        {
          name: asIs,
          prompt: asIs,
          success_criteria: (v: string[]) => json(v),
          call_success_type: asIs,
          checks: (v: CaseRecord['checks']) => json(v),
          caller_turns: (v: string[]) => json(v),
          tool_mocks: (v: CaseRecord['tool_mocks']) => json(v),
          expected_agent_turns: (v: string[]) => json(v),
          suite_id: asIs,
          updated_at: asIs,
        },
        toCase,
      ),
    delete: async (ws, id) => this.remove('cases', ws, id),
  };

  readonly scenarios: Storage['scenarios'] = {
    create: async (s) => {
      this.insert('scenarios', scenarioColumns(s));
    },
    get: async (ws, id) => this.one('scenarios', ws, id, toScenario),
    all: async (ws) =>
      (this.sql('SELECT * FROM scenarios WHERE workspace_id = ? ORDER BY created_at, rowid').all(ws) as Row[]).map(toScenario),
    list: async (ws, filter, page) => this.page('scenarios', new Where(ws).search('name', filter.search).dates(filter), page, toScenario),
    update: async (ws, id, patch) =>
      this.patch<ScenarioRecord>(
        'scenarios',
        ws,
        id,
        patch,
        {
          name: asIs,
          description: asIs,
          updated_at: asIs,
        },
        toScenario,
      ),
    delete: async (ws, id) => this.remove('scenarios', ws, id),
  };

  /**
   * Sessions with their oldest simulations (see `EMBEDDED_SIMULATIONS`), in full or as summaries, and
   * the counters of all their runs: a statement a session, each reading its first runs in the order of
   * the session's index (a session holds up to thousands), and one for the counters.
   */
  private sessionViews<S extends SimulationRecord>(ws: string, sessions: SessionRecord[], summaries: boolean): SessionView<S>[] {
    if (!sessions.length) return [];
    const ids = sessions.map((s) => s.simulation_session_id);
    const oldest = this.sql(`SELECT ${summaries ? SUMMARY_COLUMNS : SIMULATION_COLUMNS} FROM simulations
      WHERE workspace_id = ? AND session_id = ? ORDER BY created_at, iteration, rowid LIMIT ${EMBEDDED_SIMULATIONS}`);
    const counters = this.countSessions(ws, ids, true);
    return sessions.map((session) => ({
      ...session,
      simulations: (oldest.all(ws, session.simulation_session_id) as Row[]).map(
        (row) => (summaries ? toSummary(row) : toSimulation(row)) as S,
      ),
      ...counters.get(session.simulation_session_id)!,
    }));
  }

  /**
   * Counted in SQL on the status column, by the statuses `COUNTED_STATUSES` assigns each counter; with
   * `usage`, the sums of the runs' usage too, in the same pass (see usage.ts).
   */
  private countSessions(ws: string, ids: string[]): Map<string, SessionCounters>;
  private countSessions(ws: string, ids: string[], usage: true): Map<string, SessionCounters & { usage: SimulationUsage }>;
  private countSessions(ws: string, ids: string[], usage = false): Map<string, SessionCounters & { usage?: SimulationUsage }> {
    const rows = this.sql(`SELECT session_id, count(*) AS total_simulations, ${COUNTERS_SQL}${usage ? `, ${SQLITE_USAGE_SUMS}` : ''}
      FROM simulations WHERE workspace_id = ? AND session_id IN (${placeholders(ids.length)}) GROUP BY session_id`).all(
      ws,
      ...ids,
    ) as Row[];
    const found = new Map(rows.map((row) => [row.session_id as string, row]));
    return new Map(
      ids.map((id) => {
        const row = found.get(id);
        const counters: SessionCounters = row
          ? {
              total_simulations: Number(row.total_simulations),
              completed_simulations: Number(row.completed_simulations),
              failed_simulations: Number(row.failed_simulations),
              pending_simulations: Number(row.pending_simulations),
            }
          : { ...NO_SIMULATIONS };
        return [id, usage ? { ...counters, usage: toUsageSums(row) } : counters];
      }),
    );
  }

  readonly sessions: Storage['sessions'] = {
    createRuns: async (session, simulations, inputs) => {
      const insertSession = this.sql(
        'INSERT INTO sessions (id, workspace_id, suite_id, target_agent_id, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      const insertSimulation =
        this.sql(`INSERT INTO simulations (id, workspace_id, session_id, case_id, target_agent_id, iteration, status, created_at, updated_at, body, run_input,
          usage, divergence)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      // Numbered and counted here rather than by insert triggers (see `insertedTotals`).
      const insertRun = this.sql('INSERT INTO simulation_runs (simulation_id) VALUES (?)');
      const addTotal = this.sql(`INSERT INTO list_totals (workspace_id, list, key1, key2, n) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (workspace_id, list, key1, key2) DO UPDATE SET n = n + excluded.n`);
      const addDayTotal = this.sql(`INSERT INTO list_day_totals (workspace_id, list, key1, key2, day, n) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (workspace_id, list, key1, key2, day) DO UPDATE SET n = n + excluded.n`);
      this.db.transaction(() => {
        if (session)
          insertSession.run(
            session.simulation_session_id,
            session.workspace_id,
            session.suite_id,
            session.target_agent_id,
            session.created_at,
          );
        for (const s of simulations) {
          insertSimulation.run(
            s.simulation_id,
            s.workspace_id,
            s.simulation_session_id,
            s.simulation_case_id,
            s.target_agent_id,
            s.iteration,
            s.status,
            s.created_at,
            s.updated_at,
            bodyOf(s),
            inputs?.has(s.simulation_id) ? json(inputs.get(s.simulation_id)) : null,
            jsonOrNull(s.usage),
            jsonOrNull(s.divergence),
          );
          insertRun.run(s.simulation_id);
        }
        const { totals, dayTotals } = insertedTotals('simulations', simulations);
        for (const total of totals) addTotal.run(...total);
        for (const total of dayTotals) addDayTotal.run(...total);
      })();
    },
    get: async (ws, id) => this.one('sessions', ws, id, toSession),
    view: async (ws, id) => {
      const session = this.one('sessions', ws, id, toSession);
      return session ? this.sessionViews<SimulationRecord>(ws, [session], false)[0] : undefined;
    },
    list: async (ws, filter, page) => {
      const where = new Where(ws).dates(filter);
      if (filter.target_agent_id) where.eq('target_agent_id', filter.target_agent_id);
      const { items, total } = this.page('sessions', where, page, toSession);
      return { items: this.sessionViews<SimulationSummary>(ws, items, true), total };
    },
    countSimulations: async (ws, id) => this.count('simulations', new Where(ws).eq('session_id', id)),
    counters: async (ws, ids) => (ids.length ? this.countSessions(ws, [...new Set(ids)]) : new Map()),
    outcomes: async (ws, id) => {
      if (!this.one('sessions', ws, id, toSession)) return undefined;
      return (this.sql(OUTCOMES_SQL).all(ws, id) as Row[]).map(toOutcome);
    },
    latestFinished: async (ws, suite_id, before) => {
      const row = this.sql(`SELECT * FROM sessions WHERE workspace_id = ? AND suite_id = ? AND (created_at, id) < (?, ?)
        AND cancelled_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM simulations WHERE session_id = sessions.id AND status = 'in-progress')
        ORDER BY created_at DESC, id DESC LIMIT 1`).get(ws, suite_id, before.created_at, before.simulation_session_id) as Row | undefined;
      return row ? toSession(row) : undefined;
    },
    // With the engine's writes, after those queued before it: the events a run stored before the
    // cancel stay in its timeline, the cancel's event comes last, and one commit closes every run.
    cancel: async (ws, id, at) => {
      let cancelled: string[] | undefined;
      await this.writes.add(() => {
        cancelled = undefined;
        if (!this.one('sessions', ws, id, toSession)) return;
        const pending = this.sql(`SELECT id FROM simulations WHERE workspace_id = ? AND session_id = ? AND status = 'in-progress'
          ORDER BY created_at, iteration, rowid`)
          .pluck()
          .all(ws, id) as string[];
        cancelled = pending.filter((run) => this.cancelRun(run, at));
        if (!cancelled.length) return;
        this.sql('UPDATE sessions SET cancelled_at = coalesce(cancelled_at, ?) WHERE id = ?').run(at, id);
        this.outbox(cancelled, at, 'session.cancelled');
      });
      return cancelled;
    },
  };

  /**
   * The outbox (see `Storage.webhooks`), in the transaction of the change: the deliveries of the
   * events of runs just finished (all of one session), and of their session's event: `session.cancelled`,
   * or `session.completed` when no run of it is pending any more. A workspace with no enabled
   * endpoint costs one look-up through the endpoints' index.
   */
  private outbox(runs: string[], at: string, session: 'session.completed' | 'session.cancelled'): void {
    const subscribers = (
      this.sql(`SELECT id, event_types, workspace_id FROM webhook_endpoints
        WHERE workspace_id = (SELECT workspace_id FROM simulations WHERE id = ?) AND enabled = 1`).all(runs[0]) as Row[]
    ).map((row) => ({ ...toSubscriber(row), workspace_id: row.workspace_id as string }));
    if (!subscribers.length) return;
    const ws = subscribers[0]!.workspace_id;
    const events: WebhookEvent[] = [];
    if (wanted(subscribers, 'simulation.completed') || wanted(subscribers, 'simulation.failed'))
      for (const run of runs)
        events.push(simulationEvent(this.sql('SELECT iteration, status, body FROM simulations WHERE id = ?').get(run) as Row, at));
    const event = wanted(subscribers, session) && this.sessionEvent(ws, runs[0]!, at, session);
    if (event) events.push(event);
    for (const delivery of deliveriesOf(ws, subscribers, events, at)) this.insert('webhook_deliveries', webhookDeliveryColumns(delivery));
  }

  /** The event of a run's session (`session.completed` only once none of its runs is pending), or undefined. */
  private sessionEvent(ws: string, run: string, at: string, type: 'session.completed' | 'session.cancelled'): WebhookEvent | undefined {
    const id = this.sql('SELECT session_id FROM simulations WHERE id = ?').pluck().get(run) as string | null;
    const session = id ? this.one('sessions', ws, id, toSession) : undefined;
    if (!session) return undefined;
    if (
      type === 'session.completed' &&
      this.sql(`SELECT 1 FROM simulations WHERE session_id = ? AND status = 'in-progress' LIMIT 1`).get(id)
    )
      return undefined;
    const completed = this.sql(`SELECT body FROM simulations WHERE workspace_id = ? AND session_id = ? AND status = 'completed'`)
      .pluck()
      .all(ws, id) as string[];
    return sessionEvent(type, session, this.countSessions(ws, [id!]).get(id!)!, completed.filter(passes).length, at);
  }

  /** Closes a run in progress as cancelled (see `simulations.cancel`); answers whether it was in progress. */
  private cancelRun(id: string, at: string): boolean {
    const started = this.sql(
      `SELECT json_extract(body, '$.started_at') IS NOT NULL FROM simulations WHERE id = ? AND status = 'in-progress'`,
    )
      .pluck()
      .get(id) as number | undefined;
    if (started === undefined) return false;
    this.updateSimulation(id, at, { error_info: CANCELLED, finished_at: at }, 'failed');
    if (started) this.appendEvents(id, [cancelledEvent(at)], at, true);
    this.logEnds.delete(id);
    return true;
  }

  /**
   * Sets fields of a simulation's document in place (`json_set`, no read into JavaScript) with its
   * `updated_at`, the status when given and the `columns` given (names of the code's own), if the run is still in progress (and, for `queued`, not
   * started yet, when the run starts: then where its log ends is kept, see `logEnds`); answers whether
   * it changed, and throws if there is no such simulation.
   */
  private updateSimulation(
    id: string,
    at: string,
    fields: Record<string, unknown>,
    status?: SimulationRecord['status'],
    queued = false,
    columns: Record<string, Param> = {},
  ): boolean {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    for (const [key] of entries) if (!/^\w+$/.test(key)) throw new Error(`not a simulation field: ${key}`);
    // A string or null is set as itself (a timestamp, most often); anything else is parsed from JSON text.
    const paths = entries.map(([key, value]) => `'$.${key}', ${asItself(value) ? '?' : 'json(?)'}`).join(', ');
    const body = entries.length ? `, body = json_set(body, ${paths})` : '';
    const own = Object.keys(columns)
      .map((column) => `, ${column} = ?`)
      .join('');
    const params = [
      ...(status ? [status] : []),
      at,
      ...Object.values(columns),
      ...entries.map(([, value]) => (asItself(value) ? value : json(value))),
      id,
    ];
    const set = `UPDATE simulations SET ${status ? 'status = ?, ' : ''}updated_at = ?${own}${body} WHERE id = ? AND status = 'in-progress'`;
    if (queued) {
      // A run starting: its log's end comes back with it, so that its first append reads nothing.
      const end = this.sql(`${set} AND json_extract(body, '$.started_at') IS NULL RETURNING
        (SELECT run FROM simulation_runs WHERE simulation_id = simulations.id) AS run,
        (SELECT max(n) FROM simulation_events JOIN simulation_runs USING (run) WHERE simulation_id = simulations.id) AS n`).get(
        ...params,
      ) as { run: number; n: number | null } | undefined;
      if (end) {
        this.logEnds.set(id, { run: end.run, n: end.n ?? -1 });
        return true;
      }
    } else if (this.sql(set).run(...params).changes) return true;
    if (!this.sql('SELECT 1 FROM simulations WHERE id = ?').get(id)) throw new Error(`no simulation ${id}`);
    return false;
  }

  /**
   * Appends to a run's log, at the end of the table (arrival order), each event numbered after the
   * run's last. Only to a run in progress, unless `finishing` (its result's own events): a run's
   * end is cached from its start (or its first append) until it finishes, so a run that finished (or
   * was finished by another process, as interrupted) is read again and refused.
   */
  private appendEvents(id: string, items: TimelineItem[], at: string, finishing = false): void {
    if (!items.length) return;
    let end = this.logEnds.get(id);
    if (!end) {
      const last = this.logEnd(id);
      if (!finishing && last.status !== 'in-progress') throw new Error(`simulation ${id} is no longer in progress`);
      end = last;
    }
    // Up to EVENT_ROWS events an INSERT: a statement run costs more than the rows it adds.
    let n = end.n;
    for (let from = 0; from < items.length; from += EVENT_ROWS) {
      const rows = items.slice(from, from + EVENT_ROWS);
      const params: Param[] = [];
      for (const item of rows) params.push(end.run, ++n, at, json(item));
      this.sql(`INSERT INTO simulation_events (run, n, at, item) VALUES ${EVENT_VALUES[rows.length]}`).run(params);
    }
    // Only once every row is in: a write that throws leaves the log's end as it was.
    this.logEnds.set(id, { run: end.run, n });
  }

  /** Where a run's log ends: its run number, its last event's (-1 before the first) and its status. */
  private logEnd(id: string): { run: number; n: number; status: string } {
    const last = this.sql(`SELECT run, (SELECT max(n) FROM simulation_events WHERE simulation_events.run = simulation_runs.run) AS n,
        (SELECT status FROM simulations WHERE simulations.id = simulation_runs.simulation_id) AS status
      FROM simulation_runs WHERE simulation_id = ?`).get(id) as { run: number; n: number | null; status: string } | undefined;
    if (!last) throw new Error(`no simulation ${id}`);
    return { run: last.run, n: last.n ?? -1, status: last.status };
  }

  readonly simulations: Storage['simulations'] = {
    get: async (ws, id) => {
      const row = this.sql(`SELECT ${SIMULATION_COLUMNS} FROM simulations WHERE workspace_id = ? AND id = ?`).get(ws, id) as
        | Row
        | undefined;
      return row ? toSimulation(row) : undefined;
    },
    list: async (ws, filter, page) => {
      const session = filter.simulation_session_id;
      const where = new Where(ws).dates(filter);
      if (session) {
        // A session holds a bounded few runs (thousands at most): filters beside it are written `+column`, which keeps the column
        // out of SQLite's index choice, so the session's index is read and the filters checked on its
        // rows. Without statistics the planner could as well pick, say, the status index and read the
        // workspace's whole history of that status to fill one page.
        where.eq('session_id', session);
        if (filter.status) where.add('+status = ?', filter.status);
        if (filter.target_agent_id) where.add('+target_agent_id = ?', filter.target_agent_id);
        // The session's index orders its runs by iteration too: its runs newest first, as a session read takes them oldest first.
        return this.page('simulations', where, page, toSimulation, SIMULATION_COLUMNS, 'created_at DESC, iteration DESC, rowid DESC');
      }
      if (filter.status) where.eq('status', filter.status);
      if (filter.target_agent_id) where.eq('target_agent_id', filter.target_agent_id);
      return this.page('simulations', where, page, toSimulation, SIMULATION_COLUMNS);
    },
    listUnfinished: async (limit) =>
      (
        this.sql(`SELECT ${SIMULATION_COLUMNS} FROM simulations WHERE status = 'in-progress' ORDER BY created_at, rowid LIMIT ?`).all(
          limit,
        ) as Row[]
      ).map(toSimulation),
    runInput: async (id) => {
      const row = this.sql('SELECT run_input FROM simulations WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      return { ...NO_RUN_INPUT, ...(row.run_input ? (JSON.parse(row.run_input as string) as Partial<RunInput>) : {}) };
    },
    markStarted: async (id, at, details = {}) => {
      let started = false;
      await this.writes.add(() => {
        started = this.updateSimulation(id, at, { ...details, started_at: at }, undefined, true);
      });
      return started;
    },
    appendTimeline: (id, items, at) => this.writes.add(() => this.appendEvents(id, items, at)),
    // After the events queued before it, as every engine write is committed in the order it came.
    // A run no longer in progress keeps its result: a second finish changes nothing (the triggers
    // that move the totals see no update).
    finish: async (id, { status, events, usage, divergence, ...result }, at) => {
      let finished = false;
      await this.writes.add(() => {
        finished = this.updateSimulation(id, at, { ...result, finished_at: at }, status, false, {
          usage: jsonOrNull(usage),
          divergence: jsonOrNull(divergence),
        });
        if (finished && events?.length) this.appendEvents(id, events, at, true);
        if (finished) this.outbox([id], at, 'session.completed');
        this.logEnds.delete(id);
      });
      return finished;
    },
    cancel: async (ws, id, at) => {
      let cancelled = false;
      await this.writes.add(() => {
        cancelled = Boolean(this.sql('SELECT 1 FROM simulations WHERE workspace_id = ? AND id = ?').get(ws, id)) && this.cancelRun(id, at);
        if (cancelled) this.outbox([id], at, 'session.completed');
      });
      return cancelled;
    },
    closed: async (ids) => {
      if (!ids.length) return [];
      const open = new Set(
        this.sql(`SELECT id FROM simulations WHERE id IN (${placeholders(ids.length)}) AND status = 'in-progress'`)
          .pluck()
          .all(...ids) as string[],
      );
      return ids.filter((id) => !open.has(id));
    },
  };

  readonly webhooks: Storage['webhooks'] = {
    create: async (e) => {
      this.insert('webhook_endpoints', webhookEndpointColumns(e));
    },
    get: async (ws, id) => this.one('webhook_endpoints', ws, id, toWebhookEndpoint),
    list: async (ws, page) => this.page('webhook_endpoints', new Where(ws), page, toWebhookEndpoint),
    update: async (ws, id, patch) =>
      this.patch<WebhookEndpointRecord>(
        'webhook_endpoints',
        ws,
        id,
        patch,
        {
          url: asIs,
          event_types: (v: WebhookEndpointRecord['event_types']) => json(v),
          description: asIs,
          enabled: (v: boolean) => (v ? 1 : 0),
          disabled_reason: asIs,
          secret: asIs,
          previous_secret: asIs,
          previous_secret_expires_at: asIs,
          failing_since: asIs,
          updated_at: asIs,
        },
        toWebhookEndpoint,
      ),
    delete: async (ws, id) => this.remove('webhook_endpoints', ws, id),
    deliveries: async (ws, endpoint_id, filter, page) => {
      const where = new Where(ws).eq('endpoint_id', endpoint_id);
      if (filter.status) where.add('+status = ?', filter.status);
      return this.page('webhook_deliveries', where, page, toWebhookDelivery);
    },
    // A new retry schedule: the attempts so far stay in the log, the count starts again.
    redeliver: async (ws, endpoint_id, id, at) => {
      const row = this.sql(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, attempt_count = 0, updated_at = ?
        WHERE workspace_id = ? AND endpoint_id = ? AND id = ? RETURNING *`).get(at, at, ws, endpoint_id, id) as Row | undefined;
      return row ? toWebhookDelivery(row) : undefined;
    },
    claimDue: async (now, limit, leaseMs) =>
      this.db.transaction(() => {
        const rows = this.sql(`SELECT d.*, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.failing_since
          FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.enabled = 1
          ORDER BY d.next_attempt_at, d.rowid LIMIT ?`).all(now, limit) as Row[];
        const lease = new Date(Date.parse(now) + leaseMs).toISOString();
        const move = this.sql('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?');
        return rows.map((row) => {
          move.run(lease, row.id as string);
          return { delivery: toWebhookDelivery({ ...row, next_attempt_at: lease }), endpoint: toDueEndpoint(row) };
        });
      })(),
    recordAttempt: async (id, attempt, outcome, disable) =>
      this.db.transaction(() => {
        const row = this.sql('SELECT endpoint_id, attempts FROM webhook_deliveries WHERE id = ?').get(id) as Row | undefined;
        if (!row) return false;
        const attempts = [attempt, ...(JSON.parse(row.attempts as string) as WebhookAttempt[])].slice(0, KEPT_ATTEMPTS);
        const next = outcome.status === 'retry' ? outcome.next_attempt_at : null;
        const status = outcome.status === 'retry' ? 'pending' : outcome.status;
        this.sql(`UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, attempt_count = attempt_count + 1, attempts = ?, updated_at = ?
          WHERE id = ?`).run(status, next, json(attempts), attempt.attempted_at, id);
        const failing = outcome.status === 'delivered' ? null : attempt.attempted_at;
        this.sql(`UPDATE webhook_endpoints SET failing_since = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(failing_since, ?) END
          WHERE id = ?`).run(failing, failing, row.endpoint_id as string);
        if (disable)
          this.sql('UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?').run(
            disable.reason,
            attempt.attempted_at,
            row.endpoint_id as string,
          );
        return true;
      })(),
  };

  readonly idempotency: Storage['idempotency'] = {
    claim: async (ws, key, hash, at, ttlMs) =>
      this.db.transaction((): IdempotencyClaim => {
        const cutoff = new Date(Date.parse(at) - ttlMs).toISOString();
        this.sql('DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND created_at < ?').run(ws, key, cutoff);
        const row = this.sql('SELECT * FROM idempotency_keys WHERE workspace_id = ? AND key = ?').get(ws, key) as Row | undefined;
        if (!row) {
          this.sql('INSERT INTO idempotency_keys (workspace_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)').run(ws, key, hash, at);
          return { state: 'claimed' };
        }
        if (row.request_hash !== hash) return { state: 'mismatch' };
        if (row.status === null) return { state: 'in_flight' };
        return { state: 'replay', status: row.status as number, content_type: row.content_type as string, body: row.body as string };
      })(),
    complete: async (ws, key, response) => {
      this.sql('UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE workspace_id = ? AND key = ?').run(
        response.status,
        response.content_type,
        response.body,
        ws,
        key,
      );
    },
    release: async (ws, key) => {
      this.sql('DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND status IS NULL').run(ws, key);
    },
  };

  /** Claims left by a process that stopped mid-request can never complete: free them at start. */
  releaseAbandonedClaims(): void {
    this.sql('DELETE FROM idempotency_keys WHERE status IS NULL').run();
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush();
    this.db.close();
  }
}

export function openSqliteStorage(file: string): SqliteStorage {
  const storage = new SqliteStorage(file);
  storage.releaseAbandonedClaims();
  return storage;
}
