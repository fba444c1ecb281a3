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

/** Where the data is, fit to print: the SQLite file, or the PostgreSQL URL with its password masked. */
export function describeLocation(location: StorageLocation): string {
  if (!location.databaseUrl) return join(location.dataDir, 'sims.db');
  try {
    const url = new URL(location.databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}
