import { join } from 'node:path';
import { openPostgresStorage } from './postgres/index.js';
import { openSqliteStorage } from './sqlite/index.js';
import type { Storage } from './types.js';

/** Where the data lives: PostgreSQL when a `postgres://` URL is given (`SIMS_DATABASE_URL`), else SQLite under the data directory. */
export interface StorageLocation {
  dataDir: string;
  databaseUrl?: string | undefined;
}

/** The URL schemes PostgreSQL's clients accept. */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the storage the location names, migrated and ready. SQLite stays the default; taking the
 * SQLite file's lock (one server per file) remains the server's business, as PostgreSQL needs none.
 */
export async function openStorage(location: StorageLocation): Promise<Storage> {
  if (location.databaseUrl) {
    if (!POSTGRES_URL.test(location.databaseUrl)) throw new Error('SIMS_DATABASE_URL must be a postgres:// URL');
    return openPostgresStorage(location.databaseUrl);
  }
  return openSqliteStorage(join(location.dataDir, 'sims.db'));
}
