import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, VERSION } from './app.js';
import { ENGINE_DEFAULTS, type Role, type ServerConfig } from './config.js';
import type { EngineLogger } from './engine/runner.js';
import { SimulationEngine } from './engine/simulation-engine.js';
import type { Engine } from './engine/types.js';
import { bootstrap } from './keys.js';
import { QUEUE_DEFAULTS } from './queue/config.js';
import { buildWorkerApp } from './roles/worker-app.js';
import { describeLocation, openStorage } from './storage/open.js';
import { PostgresStorage } from './storage/postgres/index.js';
import { lockDatabase } from './storage/sqlite/lock.js';
import type { Storage, WorkspaceRecord } from './storage/types.js';
import { WEBHOOK_DEFAULTS } from './webhooks/config.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

export interface RunningServer {
  app: FastifyInstance;
  storage: Storage;
  engine: Engine;
  /** Base URL of the API, ending in `/v2`. */
  url: string;
  origin: string;
  /** Where the data is: the SQLite file, or the PostgreSQL URL without its password. */
  database: string;
  /** What this process does (`all` unless configured). */
  role: Role;
  /** Set on the first start with an empty database: the workspace made and its key, shown once. */
  firstStart?: { workspace: WorkspaceRecord; key: string };
  /** Stops taking connections, lets in-flight requests finish (up to the grace period), then closes the database. */
  stop(): Promise<void>;
}

/** Makes the engine, which runs simulations through the same storage as the API. */
export type EngineFactory = (storage: Storage) => Engine;

/** `--role api` or `--role worker` on SQLite: one process owns an SQLite file, so it is the API and the engine both. */
class RoleNeedsPostgresError extends Error {
  constructor(role: Role) {
    super(
      `--role ${role} needs PostgreSQL (SIMS_DATABASE_URL): on SQLite one process serves the API and runs the simulations (--role all).`,
    );
  }
}

/**
 * The engine for the storage and role: on SQLite the in-process engine; on PostgreSQL the run queue,
 * which works jobs in the roles `all` and `worker` and only sends them in the role `api` (loaded only
 * then, so that a server on SQLite never loads the queue library).
 */
async function defaultEngine(storage: Storage, config: ServerConfig, role: Role, log: EngineLogger): Promise<Engine> {
  const engineConfig = config.engine ?? ENGINE_DEFAULTS;
  if (!(storage instanceof PostgresStorage)) return new SimulationEngine(storage, engineConfig, log);
  const { QueueEngine } = await import('./queue/queue-engine.js');
  return new QueueEngine(storage, engineConfig, { ...(config.queue ?? QUEUE_DEFAULTS), work: role !== 'api' }, log);
}

/**
 * Opens the database (SQLite under the data directory, or PostgreSQL at `databaseUrl`), applies
 * migrations and serves until `stop`. On SQLite, throws `DatabaseLockedError` when another server
 * holds the file: the lock comes before anything is migrated or recovered. The role (`config.role`)
 * says what the process serves and runs; `api` and `worker` need PostgreSQL (`RoleNeedsPostgresError`).
 */
export async function startServer(config: ServerConfig, createEngine?: EngineFactory): Promise<RunningServer> {
  const role = config.role ?? 'all';
  if (role !== 'all' && !config.databaseUrl) throw new RoleNeedsPostgresError(role);
  const location = { dataDir: config.dataDir, databaseUrl: config.databaseUrl };
  const lock = config.databaseUrl ? undefined : lockDatabase(join(config.dataDir, 'sims.db'));
  let storage: Storage;
  try {
    storage = await openStorage(location);
  } catch (error) {
    lock?.release();
    throw error;
  }
  // The engine logs through the app's logger, made after it.
  let log: FastifyInstance['log'] | undefined;
  const engineLog: EngineLogger = {
    info: (details, message) => log?.info({ component: 'engine', ...details }, message),
    warn: (details, message) => log?.warn({ component: 'engine', ...details }, message),
  };
  let engine: Engine;
  try {
    engine = createEngine ? createEngine(storage) : await defaultEngine(storage, config, role, engineLog);
  } catch (error) {
    await storage.close();
    lock?.release();
    throw error;
  }
  let app: FastifyInstance | undefined;
  let first: Awaited<ReturnType<typeof bootstrap>>;
  try {
    // A worker serves no API: it makes no workspace, and answers only its health check.
    first = role === 'worker' ? undefined : await bootstrap(storage);
    app =
      role === 'worker'
        ? await buildWorkerApp({ storage, logLevel: config.logLevel })
        : await buildApp({
            storage,
            engine,
            rateLimit: config.rateLimit,
            bodyLimit: config.bodyLimit,
            timeouts: config.timeouts,
            logLevel: config.logLevel,
          });
    log = app.log;
    await engine.start();
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // A start that fails (a port in use, say) leaves nothing held: another start may follow in this process.
    await app?.close();
    await engine.stop();
    await storage.close();
    lock?.release();
    throw error;
  }
  // Every process sends due webhook deliveries, whatever its role: on PostgreSQL the API and worker
  // processes share them through claimDue's leases.
  const dispatcher = new WebhookDispatcher(storage.webhooks, {
    config: config.webhooks ?? WEBHOOK_DEFAULTS,
    policy: { allowPrivateNetworks: (config.engine ?? ENGINE_DEFAULTS).allowPrivateNetworks },
    userAgent: `sims-server/${VERSION}`,
    log: app.log,
  });
  dispatcher.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const force = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      await dispatcher.stop();
      await engine.stop();
      await storage.close();
      lock?.release();
    })();
    return stopping;
  };
  return {
    app,
    storage,
    engine,
    url: `${origin}/v2`,
    origin,
    database: describeLocation(location),
    role,
    stop,
    ...(first ? { firstStart: { workspace: first.workspace, key: first.minted.key } } : {}),
  };
}
