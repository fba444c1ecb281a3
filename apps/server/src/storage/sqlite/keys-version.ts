import type { Database } from 'better-sqlite3';

/**
 * Answers whether any API key may have changed in the database file since it was last asked, for a
 * cache of key look-ups that must never let a revoked key through. Exact, from two counters:
 *
 * - `PRAGMA data_version`, which SQLite changes when another connection (another process, such as
 *   `sims-server keys revoke`, or another connection in this one) commits to the file;
 * - `ownKeyWrites()`, the key writes of this connection (which `data_version` leaves out), counted
 *   by the storage where it writes keys.
 *
 * Any other connection's commit counts, not only to `api_keys`, so a cache is emptied more often than
 * needed but never kept too long. `data_version` opens a read transaction (about half the cost of the
 * key query it replaces).
 */
export function keysChangeProbe(db: Database, ownKeyWrites: () => number): () => boolean {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let seenVersion = dataVersion.get();
  let seenWrites = ownKeyWrites();
  return () => {
    const version = dataVersion.get();
    const writes = ownKeyWrites();
    if (version === seenVersion && writes === seenWrites) return false;
    seenVersion = version;
    seenWrites = writes;
    return true;
  };
}
