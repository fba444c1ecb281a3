/** The run queue's settings (PostgreSQL only); apart from the queue so that a server on SQLite never loads pg-boss. */
export interface QueueConfig {
  /** How often an idle worker asks the queue for a job (pg-boss polling; at least 500 ms). */
  pollMs: number;
  /**
   * Added to the simulation time-out to give a job's expiry: a delivery not acknowledged by then
   * (its worker died) is delivered again. A live worker has ended the run by the time-out.
   */
  expiryMarginMs: number;
  /** How often expired deliveries are looked for (pg-boss maintenance, done by one worker at a time; at least 1 s). */
  maintenanceMs: number;
}

export const QUEUE_DEFAULTS: QueueConfig = { pollMs: 1_000, expiryMarginMs: 30_000, maintenanceMs: 30_000 };
