/**
 * The networked storage: PostgreSQL, for several server processes on one database (issue 11). It
 * answers exactly as the SQLite storage does (the storage contract tests run the same cases on both):
 * the same ordering, paging, filters, tenancy, idempotency and run log.
 *
 * Driver: `pg` (node-postgres), not `postgres` (postgres.js). Both work on Node 20; `pg` because the
 * job queues this storage is meant to carry runs for (pg-boss 10, graphile-worker 0.17) are built on
 * it, so the server keeps one driver and one kind of pool; and because its explicit `Pool` and
 * `PoolClient` make plain what runs on one connection (a transaction, the migration's advisory lock).
 * Statements are named, so each connection parses a statement once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
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
  KEPT_ATTEMPTS,
  toDueEndpoint,
  toWebhookDelivery,
  toWebhookEndpoint,
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
  type IdempotencyClaim,
  type Page,
  type PageRequest,
  type Patch,
  NO_RUN_INPUT,
  type RunInput,
  type ScenarioRecord,
  type SessionCounters,
  type SessionRecord,
  type SessionView,
  type SimulationRecord,
  type SimulationSummary,
  type SimulationUsage,
  type Storage,
  type SuiteRecord,
  type WebhookAttempt,
  type WebhookEndpointRecord,
  type WebhookEvent,
  type WorkspaceRecord,
} from '../types.js';
import { deliveriesOf, passes, sessionEvent, simulationEvent, type Subscriber, toSubscriber, wanted } from '../../webhooks/events.js';
import { migrate, TURN_EVENT } from './migrations.js';
import { AppendQueue, insertEvents } from './run-log.js';
import { caseReadOut } from '../../views.js';
import { POSTGRES_USAGE_SUMS, toUsageSums } from '../usage.js';

type Queryable = pg.Pool | pg.PoolClient;

/** Statement names by SQL text: the same text is prepared once per connection and reused. */
const names = new Map<string, string>();
const nameOf = (text: string) => {
  let name = names.get(text);
  if (!name) {
    name = `sims-${names.size + 1}`;
    names.set(text, name);
  }
  return name;
};

/** A WHERE clause assembled from optional filters, always within one workspace. */
class Where {
  readonly clauses: string[] = ['workspace_id = $1'];
  readonly params: unknown[];

  constructor(workspace_id: string) {
    this.params = [workspace_id];
  }
  /** The placeholder of a new parameter. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  add(clause: string): this {
    this.clauses.push(clause);
    return this;
  }
  eq(column: string, value: string): this {
    return this.add(`${column} = ${this.param(value)}`);
  }
  search(term: string | undefined): this {
    return term ? this.add(`strpos(name_folded, ${this.param(fold(term))}) > 0`) : this;
  }
  dates(range: { start_date?: string; end_date?: string }): this {
    if (range.start_date) this.add(`created_at >= ${this.param(range.start_date)}`);
    if (range.end_date) this.add(`created_at <= ${this.param(range.end_date)}`);
    return this;
  }
  toString(): string {
    return `WHERE ${this.clauses.join(' AND ')}`;
  }
}

/** The filters of a cases list. */
function caseFilter(ws: string, filter: CaseFilter): Where {
  const where = new Where(ws).search(filter.search);
  if (filter.suite_id) where.eq('suite_id', filter.suite_id);
  if (filter.simulation_case_type) where.eq('type', filter.simulation_case_type);
  return where;
}

/** How names are searched: as SQLite's `fold`, JavaScript's lower case (see migrations.ts). */
const fold = (value: string) => value.toLowerCase();
const json = (value: unknown) => JSON.stringify(value);

/**
 * Whether the process that owns claim `k` is alive: its heartbeat is within the lease, an interval
 * given as parameter `$n`. PostgreSQL's clock, so that the nodes' clocks need not agree.
 */
const ownerAlive = (n: number) =>
  `EXISTS (SELECT 1 FROM server_nodes node WHERE node.id = k.owner AND node.seen_at > now() - $${n}::interval)`;

/** A case row's base agent as one more column (its row as JSON), so that a case and its agent are read in one query. */
const WITH_BASE_AGENT =
  '*, (SELECT row_to_json(a) FROM agents a WHERE a.id = cases.base_agent_id AND a.workspace_id = cases.workspace_id) AS base_agent';

/** The read-out of a case row read `WITH_BASE_AGENT`. */
const toCaseReadOut = (row: Row): CaseReadOut => caseReadOut(toCase(row), row.base_agent ? toAgent(row.base_agent as Row) : undefined);

/**
 * A simulation is a row: the columns that change while it runs (status, updated_at) and its
 * iteration, the rest of the read-out as a JSON document (`body`), and its timeline as rows of `simulation_events`, appended as
 * they happen; `updated_at` reads as that of the row or of the last event, whichever is later (as in
 * SQLite, whose layout this is).
 */
const LAST_EVENT_AT = '(SELECT at FROM simulation_events WHERE simulation_id = simulations.id ORDER BY seq DESC LIMIT 1) AS last_event_at';
const SIMULATION_COLUMNS = `simulations.iteration, simulations.status, simulations.updated_at, simulations.body, simulations.usage,
  simulations.divergence,
  (SELECT '[' || string_agg(item, ',' ORDER BY seq) || ']' FROM simulation_events WHERE simulation_id = simulations.id) AS timeline,
  ${LAST_EVENT_AT}`;
const SUMMARY_COLUMNS = `simulations.iteration, simulations.status, simulations.updated_at, simulations.body, simulations.usage,
  simulations.divergence, NULL AS timeline, ${LAST_EVENT_AT}`;

/** What a summary leaves out (see `SimulationSummary`), set to null as SQLite's `json_set` does: in place, or added last. */
const SUMMARY_NULLS = ['simulation_case_prompt', 'success_criteria', 'custom_variables', 'success_criteria_analysis'] as const;

/** The counters but the total, each the number of runs in its status (the statuses are constants of the code). */
const COUNTERS_SQL = Object.entries(COUNTED_STATUSES)
  .map(([name, status]) => `(count(*) FILTER (WHERE status = '${status}'))::int AS ${name}`)
  .join(', ');

const toSummary = (row: Row): SimulationSummary => toRecord(row, null, SUMMARY_NULLS) as SimulationSummary;

/**
 * Every run of a session for its report (`toOutcome`), oldest first, with no timeline: the document
 * as stored, its fields read in JavaScript (PostgreSQL's `json` operators refuse a text holding the
 * escape \u0000 anywhere, and verdicts may quote an agent that said one); and the turns, the caller's
 * and the agent's messages, counted per run through the partial index of those events
 * (`simulation_events_turns`, whose condition `TURN_EVENT` is repeated here, so that the planner
 * takes it and no event is read). Measured on 2,000 runs of 20 events: a count per run through the
 * index took a few milliseconds, a grouped count of the session's events, which the planner then
 * reads and filters whole, ten times that.
 */
const OUTCOMES_SQL = `SELECT s.id, s.case_id, s.iteration, s.status, s.created_at, s.body, t.turns
  FROM simulations s
  CROSS JOIN LATERAL (SELECT count(*)::int AS turns FROM simulation_events WHERE simulation_id = s.id AND ${TURN_EVENT}) t
  WHERE s.workspace_id = $1 AND s.session_id = $2
  ORDER BY s.created_at, s.iteration, s.seq`;

/** The row of `OUTCOMES_SQL` as `toOutcome` reads it: the document's fields beside the columns, objects as JSON text. */
function outcomeRow(row: Row): Row {
  const body = JSON.parse(row.body as string) as Record<string, unknown>;
  const text = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  return {
    ...row,
    simulation_case_name: body.simulation_case_name ?? null,
    success_criteria: text(body.success_criteria),
    success_criteria_analysis: text(body.success_criteria_analysis),
    started_at: body.started_at ?? null,
    finished_at: body.finished_at ?? null,
  };
}

type Store = (value: never) => unknown;
const asIs: Store = (value) => value;
const asJson: Store = (value) => json(value);

/** Columns of a record that an update may change, mapped to how they are stored; a new name is searched folded. */
function assignments<T extends object>(patch: Patch<T>, columns: Partial<Record<keyof T, Store>>, params: unknown[]) {
  const sets: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const store = columns[field as keyof T];
    if (!store || value === undefined) continue;
    params.push(store(value as never));
    sets.push(`${field} = $${params.length}`);
    if (field === 'name') {
      params.push(fold(value as string));
      sets.push(`name_folded = $${params.length}`);
    }
  }
  return sets;
}

export interface PostgresStorageOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /**
   * How long a process's idempotency claims outlive its last heartbeat (default 30 s; it beats every
   * sixth of that): after it, another process takes the process for gone and its claims for free.
   */
  nodeLeaseMs?: number;
}

/**
 * Work done inside the transaction that creates runs, before it commits: the run queue sends their
 * jobs there, so that a run is acknowledged (committed) exactly when its job is.
 */
export type RunsCreatedHook = (db: pg.PoolClient, simulations: SimulationRecord[]) => Promise<void>;

export class PostgresStorage implements Storage {
  readonly pool: pg.Pool;
  /** This process among those on the database: the owner of its idempotency claims. */
  readonly nodeId = randomUUID();
  private readonly appends: AppendQueue;
  private readonly nodeLeaseMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private runsCreated: RunsCreatedHook | undefined;

  constructor(connectionString: string, options: PostgresStorageOptions = {}) {
    this.nodeLeaseMs = options.nodeLeaseMs ?? 30_000;
    this.pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10 });
    // An idle connection that the server drops is removed from the pool, which opens another when
    // next needed; without a listener the pool's 'error' event would end the process.
    this.pool.on('error', () => {});
    this.appends = new AppendQueue(this.pool);
  }

  /** Sets (or, with undefined, removes) the work done in the transaction that creates runs. */
  onRunsCreated(hook: RunsCreatedHook | undefined): void {
    this.runsCreated = hook;
  }

  /** Applies the migrations not yet applied (waiting for another process doing it); answers the versions applied now. */
  migrate(): Promise<number[]> {
    return migrate(this.pool);
  }

  /** Inserts a record's columns (see `rows.ts`) into `table`. */
  private async insert(table: string, columns: Row, db: Queryable = this.pool): Promise<void> {
    const names = Object.keys(columns);
    await this.query(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(columns),
      db,
    );
  }

  private async query(text: string, values: unknown[] = [], db: Queryable = this.pool): Promise<Row[]> {
    return (await db.query({ name: nameOf(text), text, values })).rows;
  }

  /**
   * Runs `work` in one transaction on one connection. `begin` may ask for one snapshot for reads that
   * must agree with each other (`REPEATABLE READ`): READ COMMITTED gives each statement its own.
   */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      // A connection whose rollback fails is not given back to the pool.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw error;
    }
  }

  /** A page of `table`, newest first, ties in insertion order reversed (unless `order` says otherwise). */
  private async page<T>(
    table: string,
    where: Where,
    page: PageRequest,
    map: (row: Row) => T,
    columns = '*',
    order = 'created_at DESC, seq DESC',
  ): Promise<Page<T>> {
    const offset = (page.page_number - 1) * page.page_size;
    const n = where.params.length;
    const rows = await this.query(`SELECT ${columns} FROM ${table} ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`, [
      ...where.params,
      page.page_size,
      offset,
    ]);
    // A page short of full holds the last rows, so it tells the total; only a full page, or one past
    // the end, needs counting.
    const last = rows.length < page.page_size && (rows.length > 0 || offset === 0);
    const total = last ? offset + rows.length : await this.count(table, where);
    return { items: rows.map(map), total };
  }

  /**
   * Counted: PostgreSQL counts from an index, and totals kept by triggers (as SQLite keeps them)
   * would make every insert of a workspace wait on one row of totals, across all processes.
   */
  private async count(table: string, where: Where): Promise<number> {
    const rows = await this.query(`SELECT count(*)::int AS n FROM ${table} ${where}`, where.params);
    return rows[0]!.n as number;
  }

  private async one<T>(table: string, workspace_id: string, id: string, map: (row: Row) => T, columns = '*'): Promise<T | undefined> {
    const [row] = await this.query(`SELECT ${columns} FROM ${table} WHERE workspace_id = $1 AND id = $2`, [workspace_id, id]);
    return row ? map(row) : undefined;
  }

  private async remove(table: string, workspace_id: string, id: string, db: Queryable = this.pool): Promise<boolean> {
    const result = await db.query({
      name: nameOf(`DELETE FROM ${table} WHERE workspace_id = $1 AND id = $2`),
      text: `DELETE FROM ${table} WHERE workspace_id = $1 AND id = $2`,
      values: [workspace_id, id],
    });
    return (result.rowCount ?? 0) > 0;
  }

  private async patch<T extends object>(
    table: string,
    workspace_id: string,
    id: string,
    patch: Patch<T>,
    columns: Partial<Record<keyof T, Store>>,
    map: (row: Row) => T,
  ): Promise<T | undefined> {
    const params: unknown[] = [workspace_id, id];
    const sets = assignments(patch, columns, params);
    if (!sets.length) return this.one(table, workspace_id, id, map);
    const [row] = await this.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE workspace_id = $1 AND id = $2 RETURNING *`, params);
    return row ? map(row) : undefined;
  }

  readonly workspaces: Storage['workspaces'] = {
    create: async (w: WorkspaceRecord) => {
      await this.query('INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)', [w.id, w.name, w.created_at]);
    },
    list: async () => (await this.query('SELECT id, name, created_at FROM workspaces ORDER BY seq')) as unknown as WorkspaceRecord[],
    get: async (id) => {
      const [row] = await this.query('SELECT id, name, created_at FROM workspaces WHERE id = $1', [id]);
      return row as WorkspaceRecord | undefined;
    },
  };

  readonly apiKeys: Storage['apiKeys'] = {
    create: async (k) => {
      await this.insert('api_keys', keyColumns(k));
    },
    findActiveByHash: async (hash) => {
      const [row] = await this.query('SELECT * FROM api_keys WHERE hash = $1 AND revoked_at IS NULL', [hash]);
      return row ? toKey(row) : undefined;
    },
    list: async (workspace_id) => {
      const rows = workspace_id
        ? await this.query('SELECT * FROM api_keys WHERE workspace_id = $1 ORDER BY seq', [workspace_id])
        : await this.query('SELECT * FROM api_keys ORDER BY seq');
      return rows.map(toKey);
    },
    revoke: async (idOrPrefix, at) =>
      this.transaction(async (client) => {
        const rows = await this.query(
          'SELECT * FROM api_keys WHERE (id = $1 OR prefix = $1) AND revoked_at IS NULL FOR UPDATE',
          [idOrPrefix],
          client,
        );
        if (rows.length !== 1) return undefined;
        await this.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2', [at, rows[0]!.id], client);
        return { ...toKey(rows[0]!), revoked_at: at };
      }),
  };

  readonly agents: Storage['agents'] = {
    create: async (a) => {
      await this.insert('agents', { ...agentColumns(a), name_folded: fold(a.name) });
    },
    get: async (ws, id) => this.one('agents', ws, id, toAgent),
    getMany: async (ws, ids) => {
      const unique = [...new Set(ids)];
      if (!unique.length) return new Map();
      const rows = await this.query('SELECT * FROM agents WHERE workspace_id = $1 AND id = ANY($2::text[])', [ws, unique]);
      return new Map(rows.map((row) => [row.id as string, toAgent(row)]));
    },
    list: async (ws, filter, page) => this.page('agents', new Where(ws).search(filter.search), page, toAgent),
    update: async (ws, id, patch) =>
      this.patch<AgentRecord>(
        'agents',
        ws,
        id,
        patch,
        {
          name: asIs,
          prompt: asIs,
          connector: asJson,
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
      await this.insert('suites', { ...suiteColumns(s), name_folded: fold(s.name) });
    },
    get: async (ws, id) => this.one('suites', ws, id, toSuite),
    list: async (ws, filter, page) => {
      const where = new Where(ws).search(filter.search).dates(filter);
      const models = [...new Set(filter.model_ids ?? [])];
      if (models.length === 1) where.eq('model_id', models[0]!);
      else if (models.length) where.add(`model_id = ANY(${where.param(models)}::text[])`);
      return this.page('suites', where, page, toSuite);
    },
    update: async (ws, id, patch) =>
      this.patch<SuiteRecord>('suites', ws, id, patch, { name: asIs, model_id: asIs, language: asIs, updated_at: asIs }, toSuite),
    delete: async (ws, id) =>
      this.transaction(async (client) => {
        await this.query('DELETE FROM cases WHERE workspace_id = $1 AND suite_id = $2', [ws, id], client);
        return this.remove('suites', ws, id, client);
      }),
  };

  readonly cases: Storage['cases'] = {
    create: async (c) => {
      await this.insert('cases', { ...caseColumns(c), name_folded: fold(c.name) });
    },
    get: async (ws, id) => this.one('cases', ws, id, toCase),
    readOut: async (ws, id) => {
      const readOut = await this.one('cases', ws, id, toCaseReadOut, WITH_BASE_AGENT);
      return readOut && (JSON.stringify(readOut) as JsonText<CaseReadOut>);
    },
    list: async (ws, filter, page) => this.page('cases', caseFilter(ws, filter), page, toCase),
    readOutPage: async (ws, filter, page) => {
      const { items, total } = await this.page('cases', caseFilter(ws, filter), page, toCaseReadOut, WITH_BASE_AGENT);
      return { items: JSON.stringify(items) as JsonText<CaseReadOut[]>, total };
    },
    listInSuites: async (ws, suiteIds) => {
      if (!suiteIds.length) return [];
      const rows = await this.query(
        'SELECT * FROM cases WHERE workspace_id = $1 AND suite_id = ANY($2::text[]) ORDER BY suite_id, created_at, seq',
        [ws, suiteIds],
      );
      return rows.map(toCase);
    },
    countInSuite: async (ws, suiteId) => this.count('cases', new Where(ws).eq('suite_id', suiteId)),
    listByAgent: async (ws, agentId, limit) => {
      const rows = await this.query(
        `SELECT * FROM cases WHERE workspace_id = $1 AND (base_agent_id = $2
          OR suite_id IN (SELECT id FROM suites WHERE workspace_id = $1 AND model_id = $2))
        ORDER BY created_at DESC, seq DESC LIMIT $3`,
        [ws, agentId, limit],
      );
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
          success_criteria: asJson,
          call_success_type: asIs,
          checks: asJson,
          caller_turns: asJson,
          tool_mocks: asJson,
          expected_agent_turns: asJson,
          suite_id: asIs,
          updated_at: asIs,
        },
        toCase,
      ),
    delete: async (ws, id) => this.remove('cases', ws, id),
  };

  readonly scenarios: Storage['scenarios'] = {
    create: async (s) => {
      await this.insert('scenarios', { ...scenarioColumns(s), name_folded: fold(s.name) });
    },
    get: async (ws, id) => this.one('scenarios', ws, id, toScenario),
    all: async (ws) => (await this.query('SELECT * FROM scenarios WHERE workspace_id = $1 ORDER BY created_at, seq', [ws])).map(toScenario),
    list: async (ws, filter, page) => this.page('scenarios', new Where(ws).search(filter.search).dates(filter), page, toScenario),
    update: async (ws, id, patch) =>
      this.patch<ScenarioRecord>('scenarios', ws, id, patch, { name: asIs, description: asIs, updated_at: asIs }, toScenario),
    delete: async (ws, id) => this.remove('scenarios', ws, id),
  };

  /**
   * Sessions with their oldest simulations (see `EMBEDDED_SIMULATIONS`), in full or as summaries, and
   * the counters of all their runs: two queries for any number of sessions, the first reading each
   * session's first runs in the order of its index (a session holds up to thousands).
   */
  private async sessionViews<S extends SimulationRecord>(
    ws: string,
    sessions: SessionRecord[],
    summaries: boolean,
  ): Promise<SessionView<S>[]> {
    if (!sessions.length) return [];
    const ids = sessions.map((s) => s.simulation_session_id);
    // One snapshot, so that the counters agree with the runs read with them (a run that finishes
    // between two statements would otherwise be counted completed and read in progress).
    const [rows, counters] = await this.transaction(
      async (client) =>
        [
          await this.query(
            `SELECT ids.id AS session_id, oldest.* FROM unnest($2::text[]) WITH ORDINALITY AS ids(id, n)
          CROSS JOIN LATERAL (
            SELECT ${summaries ? SUMMARY_COLUMNS : SIMULATION_COLUMNS}, simulations.created_at AS sort_created_at, simulations.seq AS sort_seq
            FROM simulations WHERE workspace_id = $1 AND session_id = ids.id
            ORDER BY created_at, iteration, seq LIMIT ${EMBEDDED_SIMULATIONS}
          ) oldest
          ORDER BY ids.n, oldest.sort_created_at, oldest.iteration, oldest.sort_seq`,
            [ws, ids],
            client,
          ),
          await this.countSessions(ws, ids, client, true),
        ] as const,
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
    const bySession = new Map<string, S[]>(ids.map((id) => [id, []]));
    for (const row of rows) bySession.get(row.session_id as string)!.push((summaries ? toSummary(row) : toSimulation(row)) as S);
    return sessions.map((session) => ({
      ...session,
      simulations: bySession.get(session.simulation_session_id)!,
      ...counters.get(session.simulation_session_id)!,
    }));
  }

  /**
   * Counted in SQL on the status column, by the statuses `COUNTED_STATUSES` assigns each counter; with
   * `usage`, the sums of the runs' usage too, in the same pass (see usage.ts).
   */
  private async countSessions(ws: string, ids: string[], db?: Queryable): Promise<Map<string, SessionCounters>>;
  private async countSessions(
    ws: string,
    ids: string[],
    db: Queryable,
    usage: true,
  ): Promise<Map<string, SessionCounters & { usage: SimulationUsage }>>;
  private async countSessions(
    ws: string,
    ids: string[],
    db: Queryable = this.pool,
    usage = false,
  ): Promise<Map<string, SessionCounters & { usage?: SimulationUsage }>> {
    const rows = await this.query(
      `SELECT session_id, count(*)::int AS total_simulations, ${COUNTERS_SQL}${usage ? `, ${POSTGRES_USAGE_SUMS}` : ''}
      FROM simulations WHERE workspace_id = $1 AND session_id = ANY($2::text[]) GROUP BY session_id`,
      [ws, ids],
      db,
    );
    const found = new Map(rows.map((row) => [row.session_id as string, row]));
    return new Map(
      ids.map((id) => {
        const row = found.get(id);
        const counters: SessionCounters = row
          ? {
              total_simulations: row.total_simulations as number,
              completed_simulations: row.completed_simulations as number,
              failed_simulations: row.failed_simulations as number,
              pending_simulations: row.pending_simulations as number,
            }
          : { ...NO_SIMULATIONS };
        return [id, usage ? { ...counters, usage: toUsageSums(row) } : counters];
      }),
    );
  }

  readonly sessions: Storage['sessions'] = {
    createRuns: async (session, simulations, inputs) => {
      await this.transaction(async (client) => {
        if (session)
          await this.query(
            'INSERT INTO sessions (id, workspace_id, suite_id, target_agent_id, created_at) VALUES ($1, $2, $3, $4, $5)',
            [session.simulation_session_id, session.workspace_id, session.suite_id, session.target_agent_id, session.created_at],
            client,
          );
        if (!simulations.length) return;
        // One statement for all the runs, a column an array, in the order given (their insertion order).
        const column = <T>(pick: (s: SimulationRecord) => T) => simulations.map(pick);
        await this.query(
          `INSERT INTO simulations (id, workspace_id, session_id, case_id, target_agent_id, status, created_at, updated_at, body, run_input, iteration,
            usage, divergence)
          SELECT id, workspace_id, session_id, case_id, target_agent_id, status, created_at, updated_at, body, run_input, iteration,
            usage, divergence
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
              $11::integer[], $12::text[], $13::text[])
            WITH ORDINALITY AS r(id, workspace_id, session_id, case_id, target_agent_id, status, created_at, updated_at, body, run_input,
              iteration, usage, divergence, n)
          ORDER BY n`,
          [
            column((s) => s.simulation_id),
            column((s) => s.workspace_id),
            column((s) => s.simulation_session_id),
            column((s) => s.simulation_case_id),
            column((s) => s.target_agent_id),
            column((s) => s.status),
            column((s) => s.created_at),
            column((s) => s.updated_at),
            column(bodyOf),
            column((s) => (inputs?.has(s.simulation_id) ? json(inputs.get(s.simulation_id)) : null)),
            column((s) => s.iteration),
            column((s) => jsonOrNull(s.usage)),
            column((s) => jsonOrNull(s.divergence)),
          ],
          client,
        );
        if (this.runsCreated) await this.runsCreated(client, simulations);
      });
    },
    get: async (ws, id) => this.one('sessions', ws, id, toSession),
    view: async (ws, id) => {
      const session = await this.one('sessions', ws, id, toSession);
      return session ? (await this.sessionViews<SimulationRecord>(ws, [session], false))[0] : undefined;
    },
    list: async (ws, filter, page) => {
      const where = new Where(ws).dates(filter);
      if (filter.target_agent_id) where.eq('target_agent_id', filter.target_agent_id);
      const { items, total } = await this.page('sessions', where, page, toSession);
      return { items: await this.sessionViews<SimulationSummary>(ws, items, true), total };
    },
    countSimulations: async (ws, id) => this.count('simulations', new Where(ws).eq('session_id', id)),
    counters: async (ws, ids) => (ids.length ? this.countSessions(ws, [...new Set(ids)]) : new Map()),
    outcomes: async (ws, id) => {
      if (!(await this.one('sessions', ws, id, toSession))) return undefined;
      return (await this.query(OUTCOMES_SQL, [ws, id])).map((row) => toOutcome(outcomeRow(row)));
    },
    latestFinished: async (ws, suite_id, before) => {
      const [row] = await this.query(
        `SELECT * FROM sessions WHERE workspace_id = $1 AND suite_id = $2 AND (created_at, id) < ($3, $4)
        AND cancelled_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM simulations WHERE session_id = sessions.id AND status = 'in-progress')
        ORDER BY created_at DESC, id DESC LIMIT 1`,
        [ws, suite_id, before.created_at, before.simulation_session_id],
      );
      return row ? toSession(row) : undefined;
    },
    cancel: async (ws, id, at) => {
      await this.appends.idle();
      return this.cancelling(async (client) => {
        // The session's row locked first: two cancels of one session take their turns.
        const [session] = await this.query('SELECT id FROM sessions WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [ws, id], client);
        if (!session) return undefined;
        const pending = await this.query(
          `SELECT id FROM simulations WHERE workspace_id = $1 AND session_id = $2 AND status = 'in-progress'
          ORDER BY created_at, iteration, seq`,
          [ws, id],
          client,
        );
        const cancelled: string[] = [];
        for (const run of pending) if (await this.cancelRun(client, run.id as string, at)) cancelled.push(run.id as string);
        if (!cancelled.length) return cancelled;
        await this.query('UPDATE sessions SET cancelled_at = coalesce(cancelled_at, $2) WHERE id = $1', [id, at], client);
        const subscribers = await this.subscribers(client, cancelled[0]!, false);
        if (subscribers) await this.outbox(client, subscribers, cancelled, at, 'session.cancelled');
        return cancelled;
      });
    },
  };

  /**
   * Runs a cancel in one transaction, again if it lost a race for a timeline position: a worker on
   * another process may append to the run between the cancel's read of where its log ends and its
   * insert (the same event number, refused by the key); the next try numbers after it.
   */
  private async cancelling<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.transaction(work);
      } catch (error) {
        if (attempt >= 5 || (error as { code?: string }).code !== '23505') throw error;
      }
    }
  }

  /**
   * The outbox's look-up, first in the transaction of a change to a run: the enabled endpoints of the
   * run's workspace, undefined when there are none (one query through the endpoints' index). When one
   * takes `session.completed`, the run's session is locked (`lockSession`), before the run: of two runs
   * of a session finishing at once on two processes, the second to take the lock then sees the first
   * finished, so exactly one of them finds no run pending and reports the session completed. Sessions
   * are always locked before their runs (as `sessions.cancel` does), so the two never wait on each other.
   */
  private async subscribers(
    client: pg.PoolClient,
    run: string,
    lockSession = true,
  ): Promise<{ ws: string; subscribers: Subscriber[] } | undefined> {
    const rows = await this.query(
      `SELECT id, event_types, workspace_id FROM webhook_endpoints
      WHERE workspace_id = (SELECT workspace_id FROM simulations WHERE id = $1) AND enabled = 1 ORDER BY seq`,
      [run],
      client,
    );
    if (!rows.length) return undefined;
    const subscribers = rows.map(toSubscriber);
    if (lockSession && wanted(subscribers, 'session.completed'))
      await this.query('SELECT 1 FROM sessions WHERE id = (SELECT session_id FROM simulations WHERE id = $1) FOR UPDATE', [run], client);
    return { ws: rows[0]!.workspace_id as string, subscribers };
  }

  /** The deliveries of runs just finished (all of one session) and of their session's event, as SQLite's `outbox` writes them. */
  private async outbox(
    client: pg.PoolClient,
    { ws, subscribers }: { ws: string; subscribers: Subscriber[] },
    runs: string[],
    at: string,
    session: 'session.completed' | 'session.cancelled',
  ): Promise<void> {
    const events: WebhookEvent[] = [];
    if (wanted(subscribers, 'simulation.completed') || wanted(subscribers, 'simulation.failed'))
      for (const run of runs) {
        const [row] = await this.query('SELECT iteration, status, body FROM simulations WHERE id = $1', [run], client);
        events.push(simulationEvent(row!, at));
      }
    const event = wanted(subscribers, session) && (await this.sessionEvent(client, ws, runs[0]!, at, session));
    if (event) events.push(event);
    for (const delivery of deliveriesOf(ws, subscribers, events, at))
      await this.insert('webhook_deliveries', webhookDeliveryColumns(delivery), client);
  }

  /** The event of a run's session (`session.completed` only once none of its runs is pending), or undefined. */
  private async sessionEvent(
    client: pg.PoolClient,
    ws: string,
    run: string,
    at: string,
    type: 'session.completed' | 'session.cancelled',
  ): Promise<WebhookEvent | undefined> {
    const [row] = await this.query(
      'SELECT * FROM sessions WHERE workspace_id = $1 AND id = (SELECT session_id FROM simulations WHERE id = $2)',
      [ws, run],
      client,
    );
    if (!row) return undefined;
    const session = toSession(row);
    const id = session.simulation_session_id;
    if (type === 'session.completed') {
      const pending = await this.query(`SELECT 1 FROM simulations WHERE session_id = $1 AND status = 'in-progress' LIMIT 1`, [id], client);
      if (pending.length) return undefined;
    }
    // The documents are read in JavaScript, not through json operators (see migrations.ts on NUL).
    const completed = await this.query(
      `SELECT body FROM simulations WHERE workspace_id = $1 AND session_id = $2 AND status = 'completed'`,
      [ws, id],
      client,
    );
    const counters = (await this.countSessions(ws, [id], client)).get(id)!;
    return sessionEvent(type, session, counters, completed.filter((r) => passes(r.body as string)).length, at);
  }

  /** Closes a run in progress as cancelled (see `simulations.cancel`), under its row's lock; answers whether it was in progress. */
  private async cancelRun(client: pg.PoolClient, id: string, at: string): Promise<boolean> {
    const [row] = await this.query('SELECT body FROM simulations WHERE id = $1 AND status = $2 FOR UPDATE', [id, 'in-progress'], client);
    if (!row) return false;
    const started = (JSON.parse(row.body as string) as SimulationRecord).started_at != null;
    if (!(await this.updateSimulation(client, id, at, { error_info: CANCELLED, finished_at: at }, 'failed'))) return false;
    if (started) await insertEvents(client, [{ id, items: [cancelledEvent(at)], at }], true);
    return true;
  }

  /**
   * Sets fields of a simulation's document with its `updated_at`, and the status when given, if the
   * run is still in progress (and, for `queued`, not started yet); answers whether it changed, and
   * throws if there is no such simulation; `columns` (usage and divergence, as stored) are set with
   * them when given. Read and written under the row's lock, in JavaScript: a
   * field already there keeps its place, a new one goes last, as SQLite's `json_set` does. The lock
   * makes the check and the write one step for deliveries of one run on several workers.
   */
  private async updateSimulation(
    client: pg.PoolClient,
    id: string,
    at: string,
    fields: Record<string, unknown>,
    status?: SimulationRecord['status'],
    queued = false,
    columns?: { usage: string | null; divergence: string | null },
  ): Promise<boolean> {
    const [row] = await this.query('SELECT status, body FROM simulations WHERE id = $1 FOR UPDATE', [id], client);
    if (!row) throw new Error(`no simulation ${id}`);
    if (row.status !== 'in-progress') return false;
    const body = JSON.parse(row.body as string) as Record<string, unknown>;
    if (queued && body.started_at != null) return false;
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
    if (columns)
      await this.query(
        'UPDATE simulations SET status = coalesce($2, status), updated_at = $3, body = $4, usage = $5, divergence = $6 WHERE id = $1',
        [id, status ?? null, at, json(body), columns.usage, columns.divergence],
        client,
      );
    else
      await this.query(
        'UPDATE simulations SET status = coalesce($2, status), updated_at = $3, body = $4 WHERE id = $1',
        [id, status ?? null, at, json(body)],
        client,
      );
    return true;
  }

  readonly simulations: Storage['simulations'] = {
    get: async (ws, id) => {
      const [row] = await this.query(`SELECT ${SIMULATION_COLUMNS} FROM simulations WHERE workspace_id = $1 AND id = $2`, [ws, id]);
      return row ? toSimulation(row) : undefined;
    },
    list: async (ws, filter, page) => {
      const where = new Where(ws).dates(filter);
      if (filter.simulation_session_id) where.eq('session_id', filter.simulation_session_id);
      if (filter.status) where.eq('status', filter.status);
      if (filter.target_agent_id) where.eq('target_agent_id', filter.target_agent_id);
      // A session's runs newest first, in the reverse of the order a session read takes them (its index's).
      const order = filter.simulation_session_id ? 'created_at DESC, iteration DESC, seq DESC' : undefined;
      return this.page('simulations', where, page, toSimulation, SIMULATION_COLUMNS, order);
    },
    listUnfinished: async (limit) =>
      (
        await this.query(
          `SELECT ${SIMULATION_COLUMNS} FROM simulations WHERE status = 'in-progress' ORDER BY created_at, seq LIMIT $1`,
          // Beyond bigint's range means no limit (the engine asks for Number.MAX_SAFE_INTEGER).
          [Math.min(limit, Number.MAX_SAFE_INTEGER)],
        )
      ).map(toSimulation),
    runInput: async (id) => {
      const [row] = await this.query('SELECT run_input FROM simulations WHERE id = $1', [id]);
      if (!row) return undefined;
      return { ...NO_RUN_INPUT, ...(row.run_input ? (JSON.parse(row.run_input as string) as Partial<RunInput>) : {}) };
    },
    // After the events queued before it, as the SQLite storage commits the engine's writes in order.
    markStarted: async (id, at, details = {}) => {
      await this.appends.idle();
      return this.transaction((client) => this.updateSimulation(client, id, at, { ...details, started_at: at }, undefined, true));
    },
    appendTimeline: (id, items, at) => this.appends.add({ id, items, at }),
    finish: async (id, { status, events, usage, divergence, ...result }, at) => {
      // Events still waiting to be written come before the result (the engine awaits its appends).
      await this.appends.idle();
      // A run no longer in progress keeps its result: a second finish changes nothing.
      return this.transaction(async (client) => {
        const subscribers = await this.subscribers(client, id);
        const columns = { usage: jsonOrNull(usage), divergence: jsonOrNull(divergence) };
        if (!(await this.updateSimulation(client, id, at, { ...result, finished_at: at }, status, false, columns))) return false;
        if (events?.length) await insertEvents(client, [{ id, items: events, at }], true);
        if (subscribers) await this.outbox(client, subscribers, [id], at, 'session.completed');
        return true;
      });
    },
    cancel: async (ws, id, at) => {
      // This process's events of the run come first (a worker's; an API node has none).
      await this.appends.idle();
      return this.cancelling(async (client) => {
        const [row] = await this.query('SELECT 1 FROM simulations WHERE workspace_id = $1 AND id = $2', [ws, id], client);
        if (!row) return false;
        const subscribers = await this.subscribers(client, id);
        if (!(await this.cancelRun(client, id, at))) return false;
        if (subscribers) await this.outbox(client, subscribers, [id], at, 'session.completed');
        return true;
      });
    },
    closed: async (ids) => {
      if (!ids.length) return [];
      const open = new Set(
        (await this.query(`SELECT id FROM simulations WHERE id = ANY($1::text[]) AND status = 'in-progress'`, [ids])).map(
          (row) => row.id as string,
        ),
      );
      return ids.filter((id) => !open.has(id));
    },
  };

  readonly webhooks: Storage['webhooks'] = {
    create: async (e) => {
      await this.insert('webhook_endpoints', webhookEndpointColumns(e));
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
          event_types: asJson,
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
      if (filter.status) where.eq('status', filter.status);
      return this.page('webhook_deliveries', where, page, toWebhookDelivery);
    },
    // A new retry schedule: the attempts so far stay in the log, the count starts again.
    redeliver: async (ws, endpoint_id, id, at) => {
      const [row] = await this.query(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, attempt_count = 0, updated_at = $1
        WHERE workspace_id = $2 AND endpoint_id = $3 AND id = $4 RETURNING *`,
        [at, ws, endpoint_id, id],
      );
      return row ? toWebhookDelivery(row) : undefined;
    },
    // One statement: the due rows are locked as they are picked, skipping those another dispatcher
    // holds, and moved to the end of their lease before the lock is let go.
    claimDue: async (now, limit, leaseMs) => {
      const lease = new Date(Date.parse(now) + leaseMs).toISOString();
      const rows = await this.query(
        `UPDATE webhook_deliveries d SET next_attempt_at = $2
        FROM (SELECT d2.id, d2.next_attempt_at AS due, d2.seq AS due_seq, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.failing_since
          FROM webhook_deliveries d2 JOIN webhook_endpoints e ON e.id = d2.endpoint_id
          WHERE d2.status = 'pending' AND d2.next_attempt_at <= $1 AND e.enabled = 1
          ORDER BY d2.next_attempt_at, d2.seq LIMIT $3 FOR UPDATE OF d2 SKIP LOCKED) c
        WHERE d.id = c.id
        RETURNING d.*, c.due, c.due_seq, c.url, c.secret, c.previous_secret, c.previous_secret_expires_at, c.failing_since`,
        [now, lease, Math.min(limit, Number.MAX_SAFE_INTEGER)],
      );
      rows.sort((a, b) =>
        (a.due as string) < (b.due as string) ? -1 : (a.due as string) > (b.due as string) ? 1 : Number(a.due_seq) - Number(b.due_seq),
      );
      return rows.map((row) => ({ delivery: toWebhookDelivery(row), endpoint: toDueEndpoint(row) }));
    },
    recordAttempt: async (id, attempt, outcome, disable) =>
      this.transaction(async (client) => {
        const [row] = await this.query('SELECT endpoint_id, attempts FROM webhook_deliveries WHERE id = $1 FOR UPDATE', [id], client);
        if (!row) return false;
        const attempts = [attempt, ...(JSON.parse(row.attempts as string) as WebhookAttempt[])].slice(0, KEPT_ATTEMPTS);
        const next = outcome.status === 'retry' ? outcome.next_attempt_at : null;
        const status = outcome.status === 'retry' ? 'pending' : outcome.status;
        await this.query(
          `UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, attempt_count = attempt_count + 1, attempts = $4, updated_at = $5
          WHERE id = $1`,
          [id, status, next, json(attempts), attempt.attempted_at],
          client,
        );
        await this.query(
          `UPDATE webhook_endpoints SET failing_since = CASE WHEN $2::text IS NULL THEN NULL ELSE coalesce(failing_since, $2) END,
            enabled = CASE WHEN $3::text IS NULL THEN enabled ELSE 0 END,
            disabled_reason = coalesce($3, disabled_reason),
            updated_at = CASE WHEN $3::text IS NULL THEN updated_at ELSE $4 END
          WHERE id = $1`,
          [row.endpoint_id, outcome.status === 'delivered' ? null : attempt.attempted_at, disable?.reason ?? null, attempt.attempted_at],
          client,
        );
        return true;
      }),
  };

  readonly idempotency: Storage['idempotency'] = {
    claim: async (ws, key, hash, at, ttlMs) => {
      const cutoff = new Date(Date.parse(at) - ttlMs).toISOString();
      await this.query('DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND created_at < $3', [ws, key, cutoff]);
      // Another process may claim, complete or release the same key meanwhile: insert if absent
      // (waiting for a concurrent insert to commit), else read what it holds; if it was released
      // between the two, claim again.
      for (;;) {
        const inserted = await this.query(
          `INSERT INTO idempotency_keys (workspace_id, key, request_hash, created_at, owner) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (workspace_id, key) DO NOTHING RETURNING 1`,
          [ws, key, hash, at, this.nodeId],
        );
        if (inserted.length) return { state: 'claimed' } satisfies IdempotencyClaim;
        const [row] = await this.query(
          `SELECT request_hash, status, content_type, body, owner, ${ownerAlive(3)} AS alive
          FROM idempotency_keys k WHERE workspace_id = $1 AND key = $2`,
          [ws, key, `${this.nodeLeaseMs} milliseconds`],
        );
        if (!row) continue;
        if (row.status === null && !row.alive) {
          // Its process is gone (no heartbeat within the lease): its request can never complete.
          await this.query(
            'DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND status IS NULL AND owner IS NOT DISTINCT FROM $3',
            [ws, key, row.owner],
          );
          continue;
        }
        if (row.request_hash !== hash) return { state: 'mismatch' };
        if (row.status === null) return { state: 'in_flight' };
        return { state: 'replay', status: row.status as number, content_type: row.content_type as string, body: row.body as string };
      }
    },
    complete: async (ws, key, response) => {
      await this.query('UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE workspace_id = $4 AND key = $5', [
        response.status,
        response.content_type,
        response.body,
        ws,
        key,
      ]);
    },
    release: async (ws, key) => {
      await this.query('DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND status IS NULL', [ws, key]);
    },
  };

  /**
   * Joins the processes on the database: records this one's heartbeat now and every sixth of the
   * lease, and frees the claims of processes that are gone (no heartbeat within the lease; claims
   * made before owners were recorded have none). Claims of live processes are theirs: with several
   * API nodes on one database, a node starting frees only a dead node's claims.
   */
  async join(): Promise<void> {
    const lease = `${this.nodeLeaseMs} milliseconds`;
    const beat = () =>
      this.query('INSERT INTO server_nodes (id, seen_at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET seen_at = now()', [this.nodeId]);
    await beat();
    await this.query(`DELETE FROM idempotency_keys k WHERE status IS NULL AND NOT ${ownerAlive(1)}`, [lease]);
    await this.query('DELETE FROM server_nodes WHERE seen_at <= now() - $1::interval', [lease]);
    this.heartbeat = setInterval(() => void beat().catch(() => {}), Math.max(1, Math.floor(this.nodeLeaseMs / 6)));
    this.heartbeat.unref();
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  private closing: Promise<void> | undefined;

  /** Leaves the processes on the database (its claims are then free to others) and closes the pool. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.appends.idle();
      if (this.heartbeat) {
        clearInterval(this.heartbeat);
        await this.query('DELETE FROM server_nodes WHERE id = $1', [this.nodeId]).catch(() => {});
      }
      // The pool may be gone already (the tests end it to play a process that died).
      if (!this.pool.ending) await this.pool.end();
    })();
    return this.closing;
  }
}

/**
 * Opens the storage on `postgres://…`, applies the migrations (several processes may start at once)
 * and joins the processes on the database, freeing the idempotency claims of those that are gone.
 */
export async function openPostgresStorage(connectionString: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const storage = new PostgresStorage(connectionString, options);
  try {
    await storage.migrate();
    await storage.join();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}
