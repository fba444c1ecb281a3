import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ENGINE_DEFAULTS, type ServerConfig } from './config.js';
import { SimulationEngine } from './engine/simulation-engine.js';
import type { Engine } from './engine/types.js';
import { bootstrap } from './keys.js';
import { describeLocation, openStorage } from './storage/open.js';
import { lockDatabase } from './storage/sqlite/lock.js';
import type { Storage, WorkspaceRecord } from './storage/types.js';

export interface RunningServer {
  app: FastifyInstance;
  storage: Storage;
  engine: Engine;
  /** Base URL of the API, ending in `/v2`. */
  url: string;
  origin: string;
  /** Where the data is: the SQLite file, or the PostgreSQL URL without its password. */
  database: string;
  /** Set on the first start with an empty database: the workspace made and its key, shown once. */
  firstStart?: { workspace: WorkspaceRecord; key: string };
  /** Stops taking connections, lets in-flight requests finish (up to the grace period), then closes the database. */
  stop(): Promise<void>;
}

/** Makes the engine, which runs simulations through the same storage as the API. */
export type EngineFactory = (storage: Storage) => Engine;

/**
 * Opens the database (SQLite under the data directory, or PostgreSQL at `databaseUrl`), applies
 * migrations and serves until `stop`. On SQLite, throws `DatabaseLockedError` when another server
 * holds the file: the lock comes before anything is migrated or recovered.
 */
export async function startServer(config: ServerConfig, createEngine?: EngineFactory): Promise<RunningServer> {
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
  const engine = createEngine
    ? createEngine(storage)
    : new SimulationEngine(storage, config.engine ?? ENGINE_DEFAULTS, {
        info: (details, message) => log?.info({ component: 'engine', ...details }, message),
        warn: (details, message) => log?.warn({ component: 'engine', ...details }, message),
      });
  let app: FastifyInstance | undefined;
  let first: Awaited<ReturnType<typeof bootstrap>>;
  try {
    first = await bootstrap(storage);
    app = await buildApp({
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
    stop,
    ...(first ? { firstStart: { workspace: first.workspace, key: first.minted.key } } : {}),
  };
}
