import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/types.js';
import { createDatabase, startPostgres, type TestPostgres } from './postgres.js';
// Declares the `postgresUrl` that its global set-up provides.
import type {} from './postgres-setup.js';
import { tempDir } from './server.js';

/** A store opened by a test, with a name for `describe.each`. */
interface StoreFactory {
  name: 'SQLite' | 'PostgreSQL';
  open(): Promise<Storage>;
}

export interface FileStores {
  /** SQLite (a new file) and PostgreSQL (a new schema), each opened as the server opens it; closed after each test. */
  factories: StoreFactory[];
  /** A new schema in the file's own PostgreSQL database, and the URL whose connections use it. */
  freshSchema(): Promise<string>;
  /** The file's own PostgreSQL database (set once `beforeAll` has run). */
  databaseUrl(): string;
  /** Closes `storage` after the test. */
  closeAfterTest<T extends { close(): unknown }>(storage: T): T;
}

/**
 * For a test file that runs on both storages: a database of its own on the run's PostgreSQL (from
 * `postgres-setup.ts` when vitest has it, else a server this file starts and stops itself), dropped
 * after the file; every store opened through it closed after each test.
 */
export function storesForFile(): FileStores {
  let server: TestPostgres | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const opened: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    let url = inject('postgresUrl');
    if (!url) {
      server = await startPostgres();
      url = server.url;
    }
    database = await createDatabase(url);
  }, 120_000);
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
  });
  afterAll(async () => {
    await database?.drop();
    await server?.stop();
  });

  const databaseUrl = () => {
    if (!database) throw new Error('the PostgreSQL database is made in beforeAll');
    return database.url;
  };
  const freshSchema = async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    return `${databaseUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  };
  const closeAfterTest = <T extends { close(): unknown }>(storage: T): T => {
    opened.push(storage);
    return storage;
  };
  return {
    factories: [
      { name: 'SQLite', open: async () => closeAfterTest(await openStorage({ dataDir: await tempDir() })) },
      {
        name: 'PostgreSQL',
        open: async () => closeAfterTest(await openStorage({ dataDir: '/nonexistent', databaseUrl: await freshSchema() })),
      },
    ],
    freshSchema,
    databaseUrl,
    closeAfterTest,
  };
}
