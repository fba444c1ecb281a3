import type { Database } from 'better-sqlite3';

/**
 * Answers whether any API key may have changed in the database file since it was last asked, for a
 * cache of key look-ups that must never let a revoked key through. Exact, from two counters SQLite
 * keeps itself, so no migration, trigger or table is needed:
 *
 * - `PRAGMA data_version` changes when another connection (another process, such as
 *   `sims-server keys revoke`, or another connection in this one) commits to the file;
 * - `total_changes()` counts the rows this connection has written, which `data_version` leaves out.
 *
 * Any write counts, not only to `api_keys`, so a cache is emptied more often than needed but never
 * kept too long. `data_version` opens a read transaction (about half the cost of the key query it
 * replaces); `total_changes()` reads no table and costs almost nothing.
 */
export function keysChangeProbe(db: Database): () => boolean {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  let seenVersion = dataVersion.get();
  let seenChanges = totalChanges.get();
  return () => {
    const version = dataVersion.get();
    const changes = totalChanges.get();
    if (version === seenVersion && changes === seenChanges) return false;
    seenVersion = version;
    seenChanges = changes;
    return true;
  };
}
