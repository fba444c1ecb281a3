/** How webhook deliveries are sent and retried (spec/README.md "Webhooks"). */
export interface WebhookConfig {
  /** How often the dispatcher asks the storage for due deliveries. */
  pollMs: number;
  /**
   * The waits after each failed attempt, before ±10% jitter: one attempt more than there are waits;
   * the delivery is `failed` after the last.
   */
  retryDelaysMs: readonly number[];
  /** An endpoint whose attempts have all failed for this long (since its last success) is disabled at its next failure. */
  disableAfterMs: number;
  /** No answer (status, headers and body) within this is a failed attempt. */
  timeoutMs: number;
  /** Attempts in flight at once in one process. */
  concurrency: number;
  /** How long `stop` lets attempts in flight finish before aborting them (an aborted attempt is sent again after its lease). */
  stopGraceMs: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const WEBHOOK_DEFAULTS: WebhookConfig = {
  pollMs: 500,
  retryDelaysMs: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
  disableAfterMs: 24 * HOUR,
  timeoutMs: 15 * SECOND,
  concurrency: 8,
  stopGraceMs: 5 * SECOND,
};
