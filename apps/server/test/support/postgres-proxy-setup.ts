import type { TestProject } from 'vitest/node';
import { startPrism } from '@sims/testkit';
import { ENGINE_DEFAULTS } from '../../src/config.js';
import { startServer } from '../../src/server.js';
// Declares `apiUrl`, `apiKey` and `serverUrl`, which this set-up provides as that one does on SQLite.
import type {} from './global-setup.js';
import { createDatabase } from './postgres.js';
// Declares the `postgresUrl` that the set-up before this one provides.
import type {} from './postgres-setup.js';
import { NO_WEBHOOK_SENDING, tempDir } from './server.js';

/**
 * For the contract flow on PostgreSQL (test/contract/postgres-flow.test.ts): a real server on a
 * database of its own on the run's PostgreSQL (`postgres-setup.ts`, listed before this set-up in the
 * storage project), behind `prism proxy --errors`, exactly as `global-setup.ts` does on SQLite.
 * @public
 */
export default async function setup(project: TestProject) {
  const { postgresUrl } = project.getProvidedContext();
  if (!postgresUrl) throw new Error('postgres-setup.ts must run before this set-up (globalSetup order in vitest.config.ts)');
  const database = await createDatabase(postgresUrl);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: await tempDir(),
    databaseUrl: database.url,
    rateLimit: { max: 0, windowMs: 60_000 },
    bodyLimit: 1024 * 1024,
    logLevel: 'silent',
    shutdownGraceMs: 5_000,
    engine: ENGINE_DEFAULTS,
    webhooks: NO_WEBHOOK_SENDING,
  });
  if (!server.database.startsWith('postgres://')) {
    await server.stop();
    throw new Error(`the server stores in ${server.database}, not in PostgreSQL`);
  }
  const prism = await startPrism({ mode: 'proxy', upstream: server.url }).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  project.provide('apiUrl', prism.url);
  project.provide('apiKey', server.firstStart?.key ?? '');
  project.provide('serverUrl', server.url);
  return async () => {
    await prism.stop();
    await server.stop();
    await database.drop();
  };
}
