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
