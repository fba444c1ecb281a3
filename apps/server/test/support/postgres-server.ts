import { ENGINE_DEFAULTS } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { NO_WEBHOOK_SENDING, tempDir } from './server.js';

/**
 * A real server on `databaseUrl` (PostgreSQL) and a free loopback port, configured as
 * `startTestServer` configures one on SQLite: no rate limit, silent log, the engine's defaults.
 */
export async function startPostgresServer(databaseUrl: string): Promise<RunningServer> {
  return startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: await tempDir(),
    databaseUrl,
    rateLimit: { max: 0, windowMs: 60_000 },
    bodyLimit: 1024 * 1024,
    logLevel: 'silent',
    shutdownGraceMs: 5_000,
    engine: ENGINE_DEFAULTS,
    webhooks: NO_WEBHOOK_SENDING,
  });
}
