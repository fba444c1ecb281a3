import type pg from 'pg';
import type { TimelineItem } from '../types.js';

export interface Append {
  id: string;
  items: TimelineItem[];
  at: string;
}

/**
 * Appends events to the runs' logs: one INSERT for any number of runs and events, each event numbered
 * after its run's last. Only runs that exist and are in progress get rows (all that exist when
 * `finishing`: a result's own events, written with the status that closes the run); answers the ids
 * of the runs that got some, so that an append to a run that is gone or closed can be refused alone.
 */
export async function insertEvents(db: pg.Pool | pg.PoolClient, appends: Append[], finishing = false): Promise<Set<string>> {
  const ids: string[] = [];
  const ats: string[] = [];
  const items: string[] = [];
  for (const { id, items: events, at } of appends) {
    for (const event of events) {
      ids.push(id);
      ats.push(at);
      items.push(JSON.stringify(event));
    }
  }
  if (!ids.length) return new Set();
  const { rows } = await db.query<{ simulation_id: string }>({
    name: finishing ? 'insert-result-events' : 'insert-events',
    text: `INSERT INTO simulation_events (simulation_id, seq, at, item)
      SELECT e.id, coalesce(last.seq, -1) + row_number() OVER (PARTITION BY e.id ORDER BY e.n), e.at, e.item
      FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(id, at, item, n)
      JOIN simulations ON simulations.id = e.id${finishing ? '' : " AND simulations.status = 'in-progress'"}
      LEFT JOIN LATERAL (SELECT max(seq) AS seq FROM simulation_events WHERE simulation_id = e.id) AS last ON true
      RETURNING simulation_id`,
    values: [ids, ats, items],
  });
  return new Set(rows.map((row) => row.simulation_id));
}

interface Waiting {
  append: Append;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The appends that arrive while the previous batch is being written go together in the next: with
 * many runs at once, one round trip carries the events of all of them. One batch is written at a
 * time, so the events of a run are numbered in the order they were appended; an append whose run is
 * gone or no longer in progress is refused alone, and each promise settles once its events are committed or refused.
 */
export class AppendQueue {
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  add(append: Append): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ append, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once everything added so far is written (a write that must come after them waits for this). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the rest of this turn of the event loop add theirs to the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length) {
      const batch = this.waiting.splice(0);
      try {
        const written = await insertEvents(
          this.pool,
          batch.map((w) => w.append),
        );
        for (const { append, resolve, reject } of batch) {
          if (!append.items.length || written.has(append.id)) resolve();
          else reject(new Error(`no simulation ${append.id} in progress`));
        }
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    // No await between the last check and this: an append added from now on starts the next drain.
    this.running = undefined;
  }
}
