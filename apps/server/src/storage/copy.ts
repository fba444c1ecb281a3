/**
 * `sims-server copy`: every record of a SQLite database into an empty PostgreSQL database (issue 11,
 * moving a workspace from the embedded default to PostgreSQL).
 *
 * Row by row, column by column, not through the `Storage` interface: the interface reads records as
 * the API answers them (a run's `updated_at` merged with its last event's, JSON documents parsed), so
 * writing them back would not be the stored rows. Here every stored column is copied as the text
 * SQLite holds; the rows go in the order of SQLite's `rowid`, which becomes PostgreSQL's insertion
 * order (`seq`), so ties on `created_at` page in the same order; events keep their per-run numbers.
 * What SQLite derives (list totals, run numbers) is not copied: PostgreSQL counts, and numbers events
 * per run. Idempotency claims whose request never finished are not copied either (their process is
 * gone; SQLite frees them at its next start too).
 *
 * A guard makes the copy refuse a SQLite schema it does not know entirely (a table or a column added
 * by a later migration), so that a new kind of record is never silently left behind.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import type pg from 'pg';
import { PostgresStorage } from './postgres/index.js';
import { SqliteStorage } from './sqlite/index.js';
import { lockDatabase } from './sqlite/lock.js';

/** A table as copied: what to read from SQLite (a SELECT yielding the target's columns, in `rowid` order) and their PostgreSQL types. */
interface TableCopy {
  /** The PostgreSQL table, and the kind printed in the counts. */
  table: string;
  kind: string;
  /** SQLite's columns of the table, every one of which the copy carries (the guard refuses others). */
  sqliteColumns: string[];
  /** The columns written, in order, with their PostgreSQL array types for `unnest`. */
  columns: Array<[name: string, type: 'text' | 'integer']>;
  select: string;
  /** Columns PostgreSQL keeps that SQLite computes on the fly: added to each row before insert. */
  derive?: (row: Record<string, unknown>) => Record<string, unknown>;
}

/** As the PostgreSQL storage folds names for search: JavaScript's lower case, which is SQLite's `fold` too. */
const withFoldedName = (row: Record<string, unknown>) => ({ ...row, name_folded: (row.name as string).toLowerCase() });

/**
 * A table copied column for column as SQLite stores it, under the same names, read in `rowid` order
 * (only the rows `where` keeps): every column text but the `integer` ones; `folded` adds the
 * `name_folded` PostgreSQL keeps for search. `kind` is the table's name unless given.
 */
function asStored(
  table: string,
  sqliteColumns: string[],
  { kind = table, folded = false, integer = [], where }: { kind?: string; folded?: boolean; integer?: string[]; where?: string } = {},
): TableCopy {
  const columns = sqliteColumns.map((name): [string, 'text' | 'integer'] => [name, integer.includes(name) ? 'integer' : 'text']);
  return {
    table,
    kind,
    sqliteColumns,
    columns: folded ? [...columns, ['name_folded', 'text']] : columns,
    select: `SELECT ${sqliteColumns.join(', ')} FROM ${table}${where ? ` WHERE ${where}` : ''} ORDER BY rowid`,
    ...(folded ? { derive: withFoldedName } : {}),
  };
}

/** Parents before children (PostgreSQL's foreign keys); each in SQLite's insertion order. */
const TABLES: TableCopy[] = [
  asStored('workspaces', ['id', 'name', 'created_at']),
  asStored('api_keys', ['id', 'workspace_id', 'name', 'prefix', 'hash', 'created_at', 'revoked_at'], { kind: 'api keys' }),
  asStored(
    'agents',
    [
      'id',
      'workspace_id',
      'name',
      'prompt',
      'connector',
      'agent_type',
      'avatar_url',
      'phone_number',
      'created_at',
      'updated_at',
      'signing_secret',
      'previous_signing_secret',
      'previous_signing_secret_expires_at',
    ],
    { folded: true },
  ),
  asStored('suites', ['id', 'workspace_id', 'name', 'model_id', 'language', 'created_at', 'updated_at'], { folded: true }),
  asStored(
    'cases',
    [
      'id',
      'workspace_id',
      'suite_id',
      'name',
      'prompt',
      'type',
      'success_criteria',
      'call_success_type',
      'base_agent_id',
      'created_at',
      'updated_at',
      'checks',
      'caller_turns',
      'tool_mocks',
      'expected_agent_turns',
    ],
    { folded: true },
  ),
  asStored('scenarios', ['id', 'workspace_id', 'name', 'description', 'created_at', 'updated_at'], { folded: true }),
  asStored('sessions', ['id', 'workspace_id', 'suite_id', 'target_agent_id', 'created_at', 'cancelled_at']),
  // `run_input` is the run's input (checks, caller turns, tool mocks and recorded agent lines copied
  // from its case), kept with the run; `usage` and `divergence` are its result's (JSON text, or NULL).
  asStored(
    'simulations',
    [
      'id',
      'workspace_id',
      'session_id',
      'case_id',
      'target_agent_id',
      'status',
      'created_at',
      'updated_at',
      'body',
      'run_input',
      'iteration',
      'usage',
      'divergence',
    ],
    { integer: ['iteration'] },
  ),
  {
    // SQLite numbers a run's events `n` from 0 in the order appended, as PostgreSQL numbers them `seq`.
    table: 'simulation_events',
    kind: 'timeline events',
    sqliteColumns: ['seq', 'run', 'n', 'at', 'item'],
    columns: [
      ['simulation_id', 'text'],
      ['seq', 'integer'],
      ['at', 'text'],
      ['item', 'text'],
    ],
    select: `SELECT simulation_runs.simulation_id, simulation_events.n AS seq, simulation_events.at, simulation_events.item
      FROM simulation_events JOIN simulation_runs USING (run) ORDER BY simulation_events.seq`,
  },
  // Webhook endpoints with their secrets (deliveries keep being signed with them after the move) and
  // the outbox: pending deliveries are sent by the dispatchers on PostgreSQL, with the same event ids.
  asStored(
    'webhook_endpoints',
    [
      'id',
      'workspace_id',
      'url',
      'event_types',
      'description',
      'enabled',
      'disabled_reason',
      'secret',
      'previous_secret',
      'previous_secret_expires_at',
      'failing_since',
      'created_at',
      'updated_at',
    ],
    { kind: 'webhook endpoints', integer: ['enabled'] },
  ),
  asStored(
    'webhook_deliveries',
    [
      'id',
      'workspace_id',
      'endpoint_id',
      'event_id',
      'event_type',
      'status',
      'attempt_count',
      'next_attempt_at',
      'attempts',
      'payload',
      'created_at',
      'updated_at',
    ],
    { kind: 'webhook deliveries', integer: ['attempt_count'] },
  ),
  asStored('idempotency_keys', ['workspace_id', 'key', 'request_hash', 'status', 'content_type', 'body', 'created_at'], {
    kind: 'idempotency records',
    integer: ['status'],
    where: 'status IS NOT NULL',
  }),
];

/** SQLite tables that hold nothing to copy: the migrations' own record, totals derived from the rows, the runs' numbers (read through `simulation_events`). */
const NOT_COPIED = new Set(['schema_migrations', 'list_totals', 'list_day_totals', 'simulation_runs']);

/** Rows per INSERT, and characters: a batch is one statement with one array parameter per column. */
const BATCH_ROWS = 1_000;
const BATCH_CHARS = 8 * 1024 * 1024;

export interface CopyCount {
  kind: string;
  count: number;
}

/** The target already holds records; nothing was written. */
export class TargetNotEmptyError extends Error {
  override readonly name = 'TargetNotEmptyError';
  constructor(readonly found: CopyCount[]) {
    super(
      `the PostgreSQL database is not empty (${found.map((f) => `${f.count} ${f.kind}`).join(', ')}): copy into a new database, ` +
        'before any server has started on it (a first start makes a workspace); nothing was copied',
    );
  }
}

/** Refuses a SQLite schema with a table or column this copy does not carry. */
function checkSchema(db: Database): void {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>
  ).map((row) => row.name);
  const known = new Map(TABLES.map((t) => [t.table, t.sqliteColumns]));
  for (const table of tables) {
    if (NOT_COPIED.has(table)) continue;
    const columns = known.get(table);
    if (!columns) throw new Error(`the copy does not know the SQLite table ${table}: it would be left behind; nothing was copied`);
    for (const { name } of db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>) {
      if (!columns.includes(name))
        throw new Error(`the copy does not know the column ${table}.${name}: it would be left behind; nothing was copied`);
    }
  }
}

/** Inserts rows in the order given (which becomes the table's insertion order, `seq`), one statement for the batch. */
async function insertBatch(client: pg.PoolClient, copy: TableCopy, rows: Array<Record<string, unknown>>): Promise<void> {
  const names = copy.columns.map(([name]) => name);
  const arrays = copy.columns.map(([name]) => rows.map((row) => row[name] ?? null));
  const unnest = copy.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  await client.query(
    `INSERT INTO ${copy.table} (${names.join(', ')}) SELECT ${names.join(', ')}
    FROM unnest(${unnest}) WITH ORDINALITY AS r(${names.join(', ')}, copy_order) ORDER BY copy_order`,
    arrays,
  );
}

/** A row's size for batching: its text columns' lengths. */
const sizeOf = (row: Record<string, unknown>) => {
  let size = 0;
  for (const value of Object.values(row)) if (typeof value === 'string') size += value.length;
  return size;
};

async function copyTable(db: Database, client: pg.PoolClient, copy: TableCopy): Promise<number> {
  const statement: Statement = db.prepare(copy.select);
  let batch: Array<Record<string, unknown>> = [];
  let chars = 0;
  let count = 0;
  // Read as they are written: a table is never held in memory whole.
  for (const read of statement.iterate() as IterableIterator<Record<string, unknown>>) {
    const row = copy.derive ? copy.derive(read) : read;
    batch.push(row);
    chars += sizeOf(row);
    count += 1;
    if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) {
      await insertBatch(client, copy, batch);
      batch = [];
      chars = 0;
    }
  }
  if (batch.length) await insertBatch(client, copy, batch);
  return count;
}

/** Counts of the target's tables holding anything. */
async function nonEmpty(client: pg.PoolClient): Promise<CopyCount[]> {
  const found: CopyCount[] = [];
  for (const { table, kind } of TABLES) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    if (rows[0]!.n > 0) found.push({ kind, count: rows[0]!.n });
  }
  return found;
}

/**
 * Copies every record of `source` into `target`, which must hold none: in one PostgreSQL transaction
 * (a failure leaves the target as it was), with the tables locked against writers meanwhile, and
 * read from SQLite in one snapshot. Answers the number of rows copied per kind, checked against a
 * count of the target's tables before committing.
 */
async function copySqliteToPostgres(source: Database, target: pg.Pool): Promise<CopyCount[]> {
  checkSchema(source);
  const client = await target.connect();
  let ok = false;
  try {
    await client.query('BEGIN');
    // Writers wait (a server started on the target meanwhile); readers do not.
    await client.query(`LOCK TABLE ${TABLES.map((t) => t.table).join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
    const found = await nonEmpty(client);
    if (found.length) throw new TargetNotEmptyError(found);
    const counts: CopyCount[] = [];
    source.exec('BEGIN');
    try {
      for (const copy of TABLES) counts.push({ kind: copy.kind, count: await copyTable(source, client, copy) });
    } finally {
      source.exec('COMMIT');
    }
    const written = await nonEmpty(client);
    for (const { kind, count } of counts) {
      const there = written.find((w) => w.kind === kind)?.count ?? 0;
      if (there !== count) throw new Error(`copied ${count} ${kind} but the target holds ${there}; nothing was copied`);
    }
    await client.query('COMMIT');
    ok = true;
    return counts;
  } finally {
    if (!ok) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

export interface CopyOptions {
  /** The folder of the SQLite database (`sims.db`), as `SIMS_DATA_DIR`. */
  fromDir: string;
  /** The target's `postgres://` URL. */
  toUrl: string;
}

/**
 * The command: takes the SQLite database's lock (no server may run on it meanwhile), opens it as a
 * server would (applying its migrations), migrates the PostgreSQL database and copies.
 */
export async function copyDatabase({ fromDir, toUrl }: CopyOptions): Promise<CopyCount[]> {
  const file = join(fromDir, 'sims.db');
  if (!existsSync(file)) throw new Error(`no SQLite database at ${file}: give the data directory with --from or SIMS_DATA_DIR`);
  if (!/^postgres(ql)?:\/\//i.test(toUrl)) throw new Error('--to must be a postgres:// URL');
  const lock = lockDatabase(file);
  try {
    const source = new SqliteStorage(file);
    try {
      const target = new PostgresStorage(toUrl, { maxConnections: 1 });
      try {
        await target.migrate();
        return await copySqliteToPostgres(source.db, target.pool);
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  } finally {
    lock.release();
  }
}
