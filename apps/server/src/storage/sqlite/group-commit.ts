import type { Database } from 'better-sqlite3';

interface Waiting<T> {
  entry: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Writes that arrive in the same turn of the event loop are committed in one transaction: with many
 * runs at once, the events of a turn come together, and a commit (a write to the WAL) costs more
 * than the rows it carries. Each entry is still written on its own (a savepoint each), so one that
 * fails (its run is gone) fails alone; each promise settles once its entry is committed or refused.
 */
export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private scheduled = false;
  private readonly writeOne: (entry: T) => void;

  constructor(
    private readonly db: Database,
    write: (entry: T) => void,
  ) {
    this.writeOne = db.transaction(write);
  }

  add(entry: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is waiting now; also called before a write that must come after it. */
  flush(): void {
    this.scheduled = false;
    const batch = this.waiting.splice(0);
    if (!batch.length) return;
    const refused = new Map<Waiting<T>, unknown>();
    try {
      this.db.transaction(() => {
        for (const waiting of batch) {
          try {
            this.writeOne(waiting.entry);
          } catch (error) {
            refused.set(waiting, error);
          }
        }
      })();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const waiting of batch) {
      if (refused.has(waiting)) waiting.reject(refused.get(waiting));
      else waiting.resolve();
    }
  }
}
