import type { Database } from 'better-sqlite3';

interface Waiting {
  write: () => void;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Writes that arrive in the same turn of the event loop are committed in one transaction: with many
 * runs at once, the writes of a turn (runs starting, events, runs finishing) come together, and a
 * commit (a write to the WAL) costs more than the rows it carries. They are written in the order
 * they came. Each write still succeeds or fails on its own: when one fails (its run is gone), the
 * batch is rolled back and written again with a savepoint around each write, so that only that one is
 * refused. Each promise settles once its write is committed or refused.
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private readonly all: (batch: Waiting[]) => void;
  private readonly each: (batch: Waiting[]) => Map<Waiting, unknown>;

  /** `rolledBack` is told when writes that ran were undone, for state kept beside the database. */
  constructor(
    db: Database,
    private readonly rolledBack: () => void = () => {},
  ) {
    this.all = db.transaction((batch: Waiting[]) => {
      for (const waiting of batch) waiting.write();
    });
    // A nested better-sqlite3 transaction is a savepoint: a write that throws is undone alone.
    const one = db.transaction((write: () => void) => write());
    this.each = db.transaction((batch: Waiting[]) => {
      const refused = new Map<Waiting, unknown>();
      for (const waiting of batch) {
        try {
          one(waiting.write);
        } catch (error) {
          refused.set(waiting, error);
        }
      }
      return refused;
    });
  }

  add(write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is waiting now; also called before a write or a close that must come after it. */
  flush(): void {
    this.scheduled = false;
    const batch = this.waiting.splice(0);
    if (!batch.length) return;
    let refused = new Map<Waiting, unknown>();
    try {
      try {
        this.all(batch);
      } catch {
        // Rolled back as a whole: find the writes that fail, one savepoint each (rare).
        this.rolledBack();
        refused = this.each(batch);
      }
    } catch (error) {
      this.rolledBack();
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const waiting of batch) {
      if (refused.has(waiting)) waiting.reject(refused.get(waiting));
      else waiting.resolve();
    }
  }
}
