import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';

/** Another server (in this process or another) holds the database; nothing of it was opened. */
export class DatabaseLockedError extends Error {
  override readonly name = 'DatabaseLockedError';
  constructor(
    readonly dbFile: string,
    readonly lockFile: string,
  ) {
    super(`another sims-server holds the database ${dbFile} (lock ${lockFile}); stop it, or give this one another SIMS_DATA_DIR`);
  }
}

/** Held while the server runs; `release` is idempotent. */
export interface DatabaseLock {
  readonly file: string;
  release(): void;
}

/**
 * Makes this the only server on `dbFile`, or throws `DatabaseLockedError`. Two servers on one
 * database would each recover the other's running runs as interrupted and run queued runs twice.
 *
 * The lock is an open exclusive transaction on a sidecar SQLite file (`<dbFile>.lock`), because
 * SQLite's unix VFS locks with fcntl: the kernel drops the lock when the process dies, SIGKILL
 * included, so a crash leaves nothing stale to clean up; and SQLite tracks its locks per inode
 * within the process, so a second server started in the same process is refused too (plain fcntl
 * locks would not conflict there). The database itself stays unlocked, so the `keys`/`workspaces`
 * commands still work beside a running server. The sidecar is never written and never deleted:
 * deleting it while a server runs would let a second one lock a fresh file.
 */
export function lockDatabase(dbFile: string): DatabaseLock {
  const file = `${dbFile}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  // Never wait (busy timeout 0): a held lock means another server, which is not going to let go.
  const db: Database = new BetterSqlite3(file, { timeout: 0 });
  try {
    // The exclusive locking mode keeps the lock even outside a transaction. Nothing is ever written,
    // so the journal stays in memory: no journal file beside the lock (OFF does not take on an empty file).
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseLockedError(dbFile, file);
    throw error;
  }
  return {
    file,
    release: () => {
      if (db.open) db.close();
    },
  };
}
