import type { RateLimitConfig } from '../config.js';

/**
 * Fixed-window counter per client (API key id, or client address for requests without a valid key).
 * In memory: limits hold per server process.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; answers the seconds to wait when over the limit, else 0. */
  hit(client: string): number {
    const { max, windowMs } = this.config;
    if (max === 0) return 0;
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(client);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(client, window);
    }
    window.count += 1;
    if (window.count <= max) return 0;
    return Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
  }

  /** Forgets expired windows now and then, so the map stays as small as the set of active clients. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.config.windowMs) return;
    this.lastSweep = now;
    for (const [client, window] of this.windows) {
      if (now - window.start >= this.config.windowMs) this.windows.delete(client);
    }
  }
}
