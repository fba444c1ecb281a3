import type pg from 'pg';

/**
 * Versioned schema changes for PostgreSQL, applied in order at start-up, each in its own transaction.
 * Never edit a migration that has shipped: add the next version. Version 1 is the schema SQLite
 * reached in its version 5 (the append-only run log); the two numberings are independent.
 *
 * Every text column sorts and compares as SQLite does, byte by byte (`COLLATE "C"`), whatever the
 * database's locale: lists are ordered by `created_at` strings, date windows compare them, and a
 * locale's collation would order punctuation and case differently. `seq` is the insertion order
 * that SQLite's `rowid` gives (ties on `created_at` are broken by it). Names are searched in
 * `name_folded`, lower-cased by the storage with JavaScript's `toLowerCase` as SQLite's `fold` does:
 * PostgreSQL's `lower` depends on the database's ctype and leaves non-ASCII letters alone under `C`.
 * JSON documents are `text`, not `jsonb`, so that they read back with their keys in the order written.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const TEXT = 'text COLLATE "C"';

/**
 * Whether an event (its JSON text as stored) is a message of the caller or the agent: a turn, as a
 * session's report counts them. Matched in the text, not through `json` operators: PostgreSQL refuses
 * to read any field of a JSON text that holds the escape \u0000 anywhere ("unsupported Unicode escape
 * sequence"), and an agent may say one. Events are stored as `JSON.stringify` writes them (no white
 * space), and inside a JSON string every `"` is escaped, so `"type":"message"` can only be the
 * event's own field. The outcomes query repeats this condition word for word, so that the planner
 * counts through the partial index.
 */
export const TURN_EVENT = `strpos(item, '"type":"message"') > 0
  AND (strpos(item, '"sender_type":"persona"') > 0 OR strpos(item, '"sender_type":"agent"') > 0)`;

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'workspaces, keys, the simulation resources and the append-only run log',
    sql: `
      CREATE TABLE workspaces (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        name ${TEXT} NOT NULL,
        created_at ${TEXT} NOT NULL
      );
      CREATE TABLE api_keys (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        name ${TEXT} NOT NULL,
        prefix ${TEXT} NOT NULL,
        hash ${TEXT} NOT NULL UNIQUE,
        created_at ${TEXT} NOT NULL,
        revoked_at ${TEXT}
      );
      CREATE INDEX api_keys_by_prefix ON api_keys (prefix);
      CREATE TABLE agents (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        name ${TEXT} NOT NULL,
        name_folded ${TEXT} NOT NULL,
        prompt ${TEXT} NOT NULL,
        connector ${TEXT} NOT NULL,
        agent_type ${TEXT} NOT NULL,
        avatar_url ${TEXT},
        phone_number ${TEXT},
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL
      );
      CREATE INDEX agents_by_workspace ON agents (workspace_id, created_at, seq);
      CREATE TABLE suites (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        name ${TEXT} NOT NULL,
        name_folded ${TEXT} NOT NULL,
        model_id ${TEXT} NOT NULL,
        language ${TEXT} NOT NULL,
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL
      );
      CREATE INDEX suites_by_workspace ON suites (workspace_id, created_at, seq);
      CREATE INDEX suites_by_agent ON suites (workspace_id, model_id, created_at, seq);
      CREATE TABLE cases (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        suite_id ${TEXT},
        name ${TEXT} NOT NULL,
        name_folded ${TEXT} NOT NULL,
        prompt ${TEXT} NOT NULL,
        type ${TEXT} NOT NULL,
        success_criteria ${TEXT} NOT NULL,
        call_success_type ${TEXT} NOT NULL,
        checks ${TEXT} NOT NULL DEFAULT '[]',
        caller_turns ${TEXT} NOT NULL DEFAULT '[]',
        base_agent_id ${TEXT},
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL
      );
      CREATE INDEX cases_by_workspace ON cases (workspace_id, created_at, seq);
      CREATE INDEX cases_by_suite ON cases (workspace_id, suite_id, created_at, seq);
      CREATE INDEX cases_by_agent ON cases (workspace_id, base_agent_id, created_at, seq);
      CREATE INDEX cases_by_type ON cases (workspace_id, type, created_at, seq);
      CREATE TABLE scenarios (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        name ${TEXT} NOT NULL,
        name_folded ${TEXT} NOT NULL,
        description ${TEXT} NOT NULL,
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL
      );
      CREATE INDEX scenarios_by_workspace ON scenarios (workspace_id, created_at, seq);
      CREATE TABLE sessions (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        suite_id ${TEXT},
        target_agent_id ${TEXT},
        created_at ${TEXT} NOT NULL
      );
      CREATE INDEX sessions_by_workspace ON sessions (workspace_id, created_at, seq);
      CREATE INDEX sessions_by_agent ON sessions (workspace_id, target_agent_id, created_at, seq);
      CREATE TABLE simulations (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        session_id ${TEXT} NOT NULL REFERENCES sessions(id),
        case_id ${TEXT} NOT NULL,
        target_agent_id ${TEXT} NOT NULL,
        status ${TEXT} NOT NULL,
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL,
        -- the rest of the read-out (case and agent copies, verdicts) as one JSON document
        body ${TEXT} NOT NULL,
        run_input ${TEXT}
      );
      CREATE INDEX simulations_by_workspace ON simulations (workspace_id, created_at, seq);
      CREATE INDEX simulations_by_session ON simulations (workspace_id, session_id, created_at, seq);
      CREATE INDEX simulations_by_status ON simulations (workspace_id, status, created_at, seq);
      CREATE INDEX simulations_by_agent ON simulations (workspace_id, target_agent_id, created_at, seq);
      CREATE INDEX simulations_by_agent_status ON simulations (workspace_id, target_agent_id, status, created_at, seq);
      CREATE INDEX simulations_unfinished ON simulations (created_at, seq) WHERE status = 'in-progress';
      CREATE TABLE simulation_events (
        simulation_id ${TEXT} NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        at ${TEXT} NOT NULL,
        item ${TEXT} NOT NULL,
        PRIMARY KEY (simulation_id, seq)
      );
      CREATE TABLE idempotency_keys (
        workspace_id ${TEXT} NOT NULL,
        key ${TEXT} NOT NULL,
        request_hash ${TEXT} NOT NULL,
        status integer,
        content_type ${TEXT},
        body ${TEXT},
        created_at ${TEXT} NOT NULL,
        PRIMARY KEY (workspace_id, key)
      );
    `,
  },
  {
    version: 2,
    name: 'idempotency claims owned by a server process, processes known by their heartbeat',
    sql: `
      CREATE TABLE server_nodes (
        id ${TEXT} PRIMARY KEY,
        seen_at timestamptz NOT NULL
      );
      ALTER TABLE idempotency_keys ADD COLUMN owner ${TEXT};
    `,
  },
  {
    version: 3,
    name: "iterations (issue 12): a run's iteration, a session's runs in its order, its pending runs, a suite's sessions",
    // As SQLite's version 9: runs stored before read as iteration 1; a session's runs are indexed in
    // the order a session read embeds its oldest (and a list of them takes in reverse); the runs in
    // progress by session (a partial index) tell whether a session is finished without reading its
    // runs; a suite's sessions are read latest first for the baseline of a comparison. A report counts
    // each run's turns from a partial index of the caller's and the agent's messages: parsing every
    // event of 2,000 runs of 20 took hundreds of milliseconds, the index a few.
    sql: `
      ALTER TABLE simulations ADD COLUMN iteration integer NOT NULL DEFAULT 1;
      DROP INDEX simulations_by_session;
      CREATE INDEX simulations_by_session ON simulations (workspace_id, session_id, created_at, iteration, seq);
      CREATE INDEX simulations_pending_by_session ON simulations (session_id) WHERE status = 'in-progress';
      CREATE INDEX sessions_by_suite ON sessions (workspace_id, suite_id, created_at, id);
      CREATE INDEX simulation_events_turns ON simulation_events (simulation_id) WHERE ${TURN_EVENT};
    `,
  },
  {
    version: 4,
    name: 'cancelled sessions (issue 13): when a session was cancelled, null for the others',
    sql: `ALTER TABLE sessions ADD COLUMN cancelled_at ${TEXT};`,
  },
  {
    version: 5,
    name: 'webhooks (issue 13): endpoints and the outbox of their deliveries',
    // As SQLite's version 11. The dispatchers of several processes claim due deliveries through the
    // partial index with FOR UPDATE SKIP LOCKED.
    sql: `
      CREATE TABLE webhook_endpoints (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL REFERENCES workspaces(id),
        url ${TEXT} NOT NULL,
        event_types ${TEXT} NOT NULL,
        description ${TEXT},
        enabled integer NOT NULL,
        disabled_reason ${TEXT},
        secret ${TEXT} NOT NULL,
        previous_secret ${TEXT},
        previous_secret_expires_at ${TEXT},
        failing_since ${TEXT},
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL
      );
      CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, created_at, seq);
      CREATE TABLE webhook_deliveries (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id ${TEXT} PRIMARY KEY,
        workspace_id ${TEXT} NOT NULL,
        endpoint_id ${TEXT} NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_id ${TEXT} NOT NULL,
        event_type ${TEXT} NOT NULL,
        status ${TEXT} NOT NULL,
        attempt_count integer NOT NULL,
        next_attempt_at ${TEXT},
        attempts ${TEXT} NOT NULL,
        payload ${TEXT} NOT NULL,
        created_at ${TEXT} NOT NULL,
        updated_at ${TEXT} NOT NULL
      );
      CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at, seq);
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, seq) WHERE status = 'pending';
    `,
  },
  {
    version: 6,
    name: "signed agent turns (issue 13): an agent's signing secret, and the previous one until it expires",
    // As SQLite's version 12: agents stored before have no secret and are sent unsigned turns.
    sql: `
      ALTER TABLE agents ADD COLUMN signing_secret ${TEXT};
      ALTER TABLE agents ADD COLUMN previous_signing_secret ${TEXT};
      ALTER TABLE agents ADD COLUMN previous_signing_secret_expires_at ${TEXT};
    `,
  },
  {
    version: 7,
    name: "models and replays (issues 14, 16): a case's tool mocks and recorded agent lines; a run's model usage and divergence",
    // As SQLite's version 13: cases stored before have none (`[]`); a run's usage and divergence are
    // columns (null before and until it finishes), so that a session's usage is summed without reading
    // the documents.
    sql: `
      ALTER TABLE cases ADD COLUMN tool_mocks ${TEXT} NOT NULL DEFAULT '[]';
      ALTER TABLE cases ADD COLUMN expected_agent_turns ${TEXT} NOT NULL DEFAULT '[]';
      ALTER TABLE simulations ADD COLUMN usage ${TEXT};
      ALTER TABLE simulations ADD COLUMN divergence ${TEXT};
    `,
  },
];

/**
 * The advisory lock every starting process takes before it reads which migrations are applied: the
 * first one migrates while the others wait, then find nothing left to do. A session-level lock,
 * released on unlock or when the connection ends (a process killed mid-migration frees it; its
 * transaction rolls back).
 */
const MIGRATION_LOCK = 0x51_4d_53_01; // 'SIMS' + 1, any constant the application owns

export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const newlyApplied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`);
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        newlyApplied.push(migration.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
  return newlyApplied;
}
