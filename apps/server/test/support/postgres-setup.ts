import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A throw-away PostgreSQL server for the run (its `postgres` database); each test file makes its own databases on it. */
    postgresUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole run, stopped at the end: the vitest `globalSetup` of the server
 * project (apps/server/vitest.config.ts). Test files that find no `postgresUrl` start their own.
 * @public
 */
export default async function setup(project: TestProject) {
  const postgres = await startPostgres();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
