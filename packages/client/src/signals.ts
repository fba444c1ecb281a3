/**
 * Timers and abort signals built on `setTimeout` and `AbortController` alone, so that they work in
 * every runtime (no `AbortSignal.any`/`timeout` on older browsers) and under fake timers in tests.
 */

export function timeoutError(message: string): DOMException {
  return new DOMException(message, 'TimeoutError');
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Deadline {
  /** Aborts when the parent aborts (with its reason) or when the time is up (with a `TimeoutError`). */
  readonly signal: AbortSignal;
  /** Clears the timer and detaches from the parent; call it when the guarded work is over. */
  dispose(): void;
}

/** A signal that follows `parent` and also aborts with a `TimeoutError` after `timeoutMs`. */
function deadline(timeoutMs: number | undefined, parent: AbortSignal | undefined, message: () => string): Deadline {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs !== undefined && Number.isFinite(timeoutMs)
      ? setTimeout(() => controller.abort(timeoutError(message())), timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/** Runs `work` under a deadline and always releases the deadline's timer and listener. */
export async function withDeadline<T>(
  timeoutMs: number | undefined,
  parent: AbortSignal | undefined,
  message: () => string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const guard = deadline(timeoutMs, parent, message);
  try {
    return await work(guard.signal);
  } finally {
    guard.dispose();
  }
}

/**
 * Time limits of one length for many overlapping pieces of work, on one timer instead of a
 * `setTimeout` and `clearTimeout` for each. Limits of one length expire in the order they started, so
 * the open ones are a queue and the timer waits only for the oldest. Most work ends long before its
 * limit: ending it costs an array write, and the timer, when it fires for work already over, moves on
 * to the oldest still open. The timer is cleared as soon as nothing is open, so that it never keeps a
 * process alive on its own; it fires when the oldest open limit is up, as a `setTimeout` of its own
 * would (the times between starts are read from `Date.now()`).
 */
export class Deadlines {
  readonly #ms: number;
  readonly #expire: (controller: AbortController) => void;
  /** Open work in start order; `undefined` once over. Index `i` is ticket `#base + i`. */
  #open: (AbortController | undefined)[] = [];
  #started: number[] = [];
  #base = 0;
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the work the timer was set for started: the timer fires `#ms` after it. */
  #timedFrom = 0;

  /** `expire` is called with the controller of each piece of work whose time is up (it aborts it). */
  constructor(ms: number, expire: (controller: AbortController) => void) {
    this.#ms = ms;
    this.#expire = expire;
  }

  /** Starts the limit of one piece of work; answers the ticket to `end` it with. */
  start(controller: AbortController): number {
    const now = Date.now();
    this.#open.push(controller);
    this.#started.push(now);
    if (this.#timer === undefined) this.#arm(now, this.#ms);
    return this.#base + this.#open.length - 1;
  }

  /** The work is over (whether or not its time ran out): its limit no longer applies. */
  end(ticket: number): void {
    const index = ticket - this.#base;
    if (index < this.#head) return;
    this.#open[index] = undefined;
    if (index === this.#head) this.#advance();
  }

  #advance(): void {
    const open = this.#open;
    let head = this.#head;
    while (head < open.length && open[head] === undefined) head++;
    if (head === open.length) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#base += open.length;
      open.length = 0;
      this.#started.length = 0;
      head = 0;
    } else if (head >= 1024 && head * 2 >= open.length) {
      // Drop the ended work at the front now and then, rather than shift the arrays on every end.
      open.splice(0, head);
      this.#started.splice(0, head);
      this.#base += head;
      head = 0;
    }
    this.#head = head;
  }

  #arm(from: number, delay: number): void {
    this.#timedFrom = from;
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    const open = this.#open;
    const started = this.#started;
    // Now is `#ms` after `#timedFrom`: the time is up for all work started by then.
    const upTo = this.#timedFrom;
    const due: AbortController[] = [];
    let index = this.#head;
    for (; index < open.length && (started[index] as number) <= upTo; index++) {
      const controller = open[index];
      if (controller !== undefined) due.push(controller);
      open[index] = undefined;
    }
    this.#head = index;
    this.#advance();
    // Set the timer for the oldest open work before aborting, since an abort may start new work.
    if (this.#timer === undefined && this.#head < open.length) {
      const next = started[this.#head] as number;
      this.#arm(next, Math.max(0, next - upTo));
    }
    for (const controller of due) this.#expire(controller);
  }
}
