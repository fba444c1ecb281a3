import type { Database } from 'better-sqlite3';
import { keptDayTotalsSql, keptTotalsSql, plainTotalsTriggersSql } from './totals.js';

/**
 * Versioned schema changes, applied in order at start-up, each in its own transaction. Never edit a
 * migration that has shipped: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'workspaces, keys and the simulation resources',
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        prompt TEXT NOT NULL,
        connector TEXT NOT NULL,
        agent_type TEXT NOT NULL,
        avatar_url TEXT,
        phone_number TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX agents_by_workspace ON agents (workspace_id, created_at);
      CREATE TABLE suites (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        model_id TEXT NOT NULL,
        language TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX suites_by_workspace ON suites (workspace_id, created_at);
      CREATE INDEX suites_by_agent ON suites (workspace_id, model_id);
      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        suite_id TEXT,
        name TEXT NOT NULL,
        prompt TEXT NOT NULL,
        type TEXT NOT NULL,
        success_criteria TEXT NOT NULL,
        call_success_type TEXT NOT NULL,
        base_agent_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX cases_by_workspace ON cases (workspace_id, created_at);
      CREATE INDEX cases_by_suite ON cases (workspace_id, suite_id);
      CREATE INDEX cases_by_agent ON cases (workspace_id, base_agent_id);
      CREATE TABLE scenarios (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX scenarios_by_workspace ON scenarios (workspace_id, created_at);
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        suite_id TEXT,
        target_agent_id TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX sessions_by_workspace ON sessions (workspace_id, created_at);
      CREATE TABLE simulations (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        session_id TEXT NOT NULL REFERENCES sessions(id),
        case_id TEXT NOT NULL,
        target_agent_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- the rest of the read-out (case and agent snapshots, timeline, verdicts) as one JSON document
        body TEXT NOT NULL
      );
      CREATE INDEX simulations_by_workspace ON simulations (workspace_id, created_at);
      CREATE INDEX simulations_by_session ON simulations (session_id);
      CREATE INDEX simulations_unfinished ON simulations (status) WHERE status = 'in-progress';
      CREATE TABLE idempotency_keys (
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER,
        content_type TEXT,
        body TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, key)
      );
    `,
  },
  {
    version: 2,
    name: 'engine: case checks and caller turns, copied onto each run',
    sql: `
      ALTER TABLE cases ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE cases ADD COLUMN caller_turns TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE simulations ADD COLUMN run_input TEXT;
    `,
  },
  {
    version: 3,
    name: 'indexes for every list filter, in the order lists are read',
    // Lists read `ORDER BY created_at DESC, rowid DESC` after equality filters, so each index is
    // (workspace_id, the filters, created_at) and ends, as every index does, with the rowid: a page
    // is read in index order with no sort, and a count reads the index alone. Runs by agent and
    // status get their own index because an agent's history grows without bound; a session or a
    // suite holds few rows, so filters beside it are checked on its rows (see the storage).
    sql: `
      DROP INDEX suites_by_agent;
      CREATE INDEX suites_by_agent ON suites (workspace_id, model_id, created_at);
      DROP INDEX cases_by_suite;
      CREATE INDEX cases_by_suite ON cases (workspace_id, suite_id, created_at);
      DROP INDEX cases_by_agent;
      CREATE INDEX cases_by_agent ON cases (workspace_id, base_agent_id, created_at);
      CREATE INDEX cases_by_type ON cases (workspace_id, type, created_at);
      CREATE INDEX sessions_by_agent ON sessions (workspace_id, target_agent_id, created_at);
      DROP INDEX simulations_by_session;
      CREATE INDEX simulations_by_session ON simulations (workspace_id, session_id, created_at);
      CREATE INDEX simulations_by_status ON simulations (workspace_id, status, created_at);
      CREATE INDEX simulations_by_agent ON simulations (workspace_id, target_agent_id, created_at);
      CREATE INDEX simulations_by_agent_status ON simulations (workspace_id, target_agent_id, status, created_at);
      DROP INDEX simulations_unfinished;
      CREATE INDEX simulations_unfinished ON simulations (created_at) WHERE status = 'in-progress';
    `,
  },
  {
    version: 4,
    name: 'list totals kept by triggers',
    sql: keptTotalsSql,
  },
  {
    version: 5,
    name: 'append-only run log: timeline events as rows; status and updated_at only in their columns',
    // Appending an event was a read-modify-write of the whole document (N+2 rewrites a run); now it is
    // one INSERT, numbered per run. `at` is when the event was stored: a run's `updated_at` reads as
    // that of its row or its last event, whichever is later, so appends need not touch the row; the
    // events moved here take the row's `updated_at`, which therefore reads unchanged.
    sql: `
      CREATE TABLE simulation_events (
        simulation_id TEXT NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        item TEXT NOT NULL,
        PRIMARY KEY (simulation_id, seq)
      ) WITHOUT ROWID;
      INSERT INTO simulation_events (simulation_id, seq, at, item)
        SELECT simulations.id, event.key, simulations.updated_at, event.value
        FROM simulations, json_each(simulations.body, '$.timeline') AS event
        WHERE json_type(simulations.body, '$.timeline') = 'array';
      UPDATE simulations SET body = json_remove(body, '$.timeline', '$.status', '$.updated_at');
    `,
  },
  {
    version: 6,
    name: 'run log in arrival order: events numbered by an integer run number, stored as they come',
    // Keyed by (random run id, event number), each event of a hundred runs going at once landed on a
    // page of its own: a commit rewrote a 4 KB page per event (150 MB of WAL for 20,000 events). Now
    // an event is a row in arrival order (`seq`, the rowid), so the events of a commit share the last
    // pages, and a run finds its events through a small index on (run, n): `run` is an integer given
    // to each simulation in creation order, so the runs going at once sit together there too. The
    // trigger numbers every simulation however it is written; the events keep their order and `at`.
    sql: `
      CREATE TABLE simulation_runs (
        run INTEGER PRIMARY KEY,
        simulation_id TEXT NOT NULL UNIQUE REFERENCES simulations(id) ON DELETE CASCADE
      );
      INSERT INTO simulation_runs (simulation_id) SELECT id FROM simulations ORDER BY created_at, rowid;
      CREATE TRIGGER simulations_run_number AFTER INSERT ON simulations BEGIN
        INSERT INTO simulation_runs (simulation_id) VALUES (NEW.id);
      END;
      CREATE TABLE run_events (
        seq INTEGER PRIMARY KEY,
        run INTEGER NOT NULL REFERENCES simulation_runs(run) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        at TEXT NOT NULL,
        item TEXT NOT NULL
      );
      INSERT INTO run_events (run, n, at, item)
        SELECT simulation_runs.run, simulation_events.seq, simulation_events.at, simulation_events.item
        FROM simulation_events JOIN simulation_runs USING (simulation_id)
        ORDER BY simulation_runs.run, simulation_events.seq;
      DROP TABLE simulation_events;
      ALTER TABLE run_events RENAME TO simulation_events;
      CREATE UNIQUE INDEX simulation_events_by_run ON simulation_events (run, n);
    `,
  },
  {
    version: 7,
    name: 'list totals per UTC day, so that a date window is summed, not counted',
    sql: keptDayTotalsSql,
  },
  {
    version: 8,
    name: 'list totals: plain delete and update triggers, each total moved only by a change of its own columns; runs numbered and counted by their insert, not by triggers',
    sql: `${plainTotalsTriggersSql}
      DROP TRIGGER simulations_totals_insert;
      DROP TRIGGER simulations_day_totals_insert;
      DROP TRIGGER simulations_run_number;`,
  },
  {
    version: 9,
    name: "iterations (issue 12): a run's iteration as a column, a session's runs in its order, its pending runs, a suite's sessions",
    // Runs stored before read as iteration 1. A session's runs are indexed in the order a session read
    // embeds its oldest (created_at, iteration, then rowid, which ends every index), so that read and
    // a list of the session's runs (its reverse) follow the index however many runs it holds. Pending
    // runs by session (a partial index: only the runs in progress) tell whether a session is finished
    // without reading its runs; a suite's sessions are read latest first for the baseline of a comparison.
    // A report counts each run's turns (the caller's and the agent's messages) from a partial index of
    // those events, not by parsing every event: a third of the time for 2,000 runs of 20 events, for a
    // few microseconds more on an append (each measured side by side on the same machine).
    sql: `
      ALTER TABLE simulations ADD COLUMN iteration INTEGER NOT NULL DEFAULT 1;
      DROP INDEX simulations_by_session;
      CREATE INDEX simulations_by_session ON simulations (workspace_id, session_id, created_at, iteration);
      CREATE INDEX simulations_pending_by_session ON simulations (session_id) WHERE status = 'in-progress';
      CREATE INDEX sessions_by_suite ON sessions (workspace_id, suite_id, created_at, id);
      CREATE INDEX simulation_events_turns ON simulation_events (run)
        WHERE item ->> '$.type' = 'message' AND item ->> '$.sender_type' IN ('persona', 'agent');
    `,
  },
  {
    version: 10,
    name: 'cancelled sessions (issue 13): when a session was cancelled, null for the others',
    sql: 'ALTER TABLE sessions ADD COLUMN cancelled_at TEXT;',
  },
  {
    version: 11,
    name: 'webhooks (issue 13): endpoints and the outbox of their deliveries',
    // Endpoints are read by workspace, newest first, and by the outbox of every finished run, which
    // asks for the enabled ones of its workspace (the same index). Deliveries are listed per endpoint
    // newest first, and claimed by the dispatcher across workspaces, pending ones by when they are
    // due (a partial index: delivered and failed ones are not in it). An endpoint's delete takes its
    // deliveries with it.
    sql: `
      CREATE TABLE webhook_endpoints (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        url TEXT NOT NULL,
        event_types TEXT NOT NULL,
        description TEXT,
        enabled INTEGER NOT NULL,
        disabled_reason TEXT,
        secret TEXT NOT NULL,
        previous_secret TEXT,
        previous_secret_expires_at TEXT,
        failing_since TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, created_at);
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        status TEXT NOT NULL,
        attempt_count INTEGER NOT NULL,
        next_attempt_at TEXT,
        attempts TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    `,
  },
  {
    version: 12,
    name: "signed agent turns (issue 13): an agent's signing secret, and the previous one until it expires",
    // Agents stored before have no secret (null) and are sent unsigned turns until it is rotated.
    sql: `
      ALTER TABLE agents ADD COLUMN signing_secret TEXT;
      ALTER TABLE agents ADD COLUMN previous_signing_secret TEXT;
      ALTER TABLE agents ADD COLUMN previous_signing_secret_expires_at TEXT;
    `,
  },
  {
    version: 13,
    name: "models and replays (issues 14, 16): a case's tool mocks and recorded agent lines; a run's model usage and divergence",
    // Cases stored before have none (`[]`). A run's usage and divergence are columns, not fields of its
    // document: a session's usage is summed from the column without parsing the documents, and both
    // are null in runs stored before (and until a run finishes).
    sql: `
      ALTER TABLE cases ADD COLUMN tool_mocks TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE cases ADD COLUMN expected_agent_turns TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE simulations ADD COLUMN usage TEXT;
      ALTER TABLE simulations ADD COLUMN divergence TEXT;
    `,
  },
];

export function migrate(db: Database): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((row) => row.version),
  );
  const newlyApplied: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    newlyApplied.push(migration.version);
  }
  return newlyApplied;
}
