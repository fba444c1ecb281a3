import type { OutboundPolicy } from '@sims/engine';
import type { EngineLogger } from '../engine/runner.js';
import type { DueDelivery, Storage, WebhookAttempt } from '../storage/types.js';
import type { WebhookConfig } from './config.js';
import { retryDelay } from './schedule.js';
import { sendDelivery } from './send.js';
import { signatureHeaders } from './sign.js';

/** Added to the attempt's time-out to give the lease: the attempt is recorded well before another process may take it. */
const LEASE_MARGIN_MS = 10_000;

export interface DispatcherOptions {
  config: WebhookConfig;
  policy: OutboundPolicy;
  /** The `user-agent` of every attempt, naming the server and its version. */
  userAgent: string;
  /** The process's logger, as the engine takes it. */
  log: EngineLogger;
  random?: () => number;
}

/**
 * Sends the due webhook deliveries of the outbox (spec/README.md "Webhooks"): claims them with a
 * lease (`claimDue`), signs and POSTs each, and records the attempt with what follows — delivered, a
 * retry on the schedule, `failed` when the schedule is over, and the endpoint disabled once it has
 * failed for `disableAfterMs`. Any number of dispatchers may share a database: a claimed delivery is
 * not claimed again before its lease ends, so a process that dies mid-attempt leaves it to be sent
 * again, with the same `webhook-id`, once the lease is over.
 */
export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly webhooks: Storage['webhooks'],
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Polls now rather than at the next interval (after a change that wrote deliveries, or an attempt ended). */
  wake(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Claims nothing more; lets attempts in flight finish for `stopGraceMs`, then aborts the rest, which their leases hand to the next dispatcher. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    if (this.inFlight.size > 0) {
      const grace = setTimeout(() => this.abort.abort(), this.options.config.stopGraceMs);
      await Promise.allSettled(this.inFlight);
      clearTimeout(grace);
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        if (this.stopped) return;
        const now = this.again;
        this.again = false;
        this.schedule(now ? 0 : this.options.config.pollMs);
      });
    }, ms);
  }

  private async poll(): Promise<void> {
    const { config, log } = this.options;
    const free = config.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    let due: DueDelivery[];
    try {
      due = await this.webhooks.claimDue(new Date().toISOString(), free, config.timeoutMs + LEASE_MARGIN_MS);
    } catch (error) {
      log.warn({ component: 'webhooks', err: error }, 'claiming due webhook deliveries failed');
      return;
    }
    for (const item of due) {
      const attempt = this.attempt(item)
        .catch((error: unknown) => {
          log.warn({ component: 'webhooks', delivery_id: item.delivery.id, err: error }, 'recording a webhook attempt failed');
        })
        .finally(() => {
          this.inFlight.delete(attempt);
          this.wake();
        });
      this.inFlight.add(attempt);
    }
    // A full batch may have more behind it.
    if (due.length === free) this.again = true;
  }

  private async attempt({ delivery, endpoint }: DueDelivery): Promise<void> {
    const { config, policy, userAgent, log } = this.options;
    const body = JSON.stringify(delivery.payload);
    const headers = { ...signatureHeaders(endpoint, delivery.event_id, new Date(), body), 'user-agent': userAgent };
    const { aborted, ...attempt } = await sendDelivery(endpoint.url, body, {
      headers,
      timeoutMs: config.timeoutMs,
      policy,
      signal: this.abort.signal,
    });
    if (aborted) return;
    const details = { component: 'webhooks', delivery_id: delivery.id, endpoint_id: endpoint.id, event_id: delivery.event_id };
    if (attempt.error === null) {
      await this.webhooks.recordAttempt(delivery.id, attempt, { status: 'delivered' });
      log.info({ ...details, status_code: attempt.status_code, latency_ms: attempt.latency_ms }, 'webhook delivered');
      return;
    }
    const number = delivery.attempt_count + 1;
    const delay = retryDelay(number, config.retryDelaysMs, this.options.random);
    const outcome =
      delay === undefined
        ? ({ status: 'failed' } as const)
        : ({ status: 'retry', next_attempt_at: new Date(Date.parse(attempt.attempted_at) + delay).toISOString() } as const);
    const disable = this.disableReason(endpoint.failing_since, attempt);
    await this.webhooks.recordAttempt(delivery.id, attempt, outcome, disable ? { reason: disable } : undefined);
    log.warn(
      { ...details, attempt: number, error: attempt.error, outcome: outcome.status, disabled: Boolean(disable) },
      'webhook attempt failed',
    );
  }

  /** The reason to disable the endpoint at this failure: its attempts have all failed for `disableAfterMs`. */
  private disableReason(failingSince: string | null, attempt: WebhookAttempt): string | undefined {
    const since = failingSince ?? attempt.attempted_at;
    if (Date.parse(attempt.attempted_at) - Date.parse(since) < this.options.config.disableAfterMs) return undefined;
    return `Every attempt has failed since ${since}; the last error: ${attempt.error}.`;
  }
}
