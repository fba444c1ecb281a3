import { EngineError } from '../../errors.js';
import type { AgentConnection, ConnectionContext } from '../connector.js';
import { createShopSupport, SHOP_SUPPORT_PROMPT } from './shop-support.js';

export interface BuiltinAgentInfo {
  id: string;
  name: string;
  description: string;
  /** A prompt describing what the agent does, for seeding demo agents and offline case generation. */
  prompt: string;
}

const BUILTINS: Record<string, { info: BuiltinAgentInfo; create: (context: ConnectionContext) => AgentConnection }> = {
  shop_support: {
    info: {
      id: 'shop_support',
      name: 'Northwind Shop support',
      description:
        'Phone support of an online shop: order status, cancellations, refunds (30-day window), opening hours, handover to a person; looks orders up with lookup_order.',
      prompt: SHOP_SUPPORT_PROMPT,
    },
    create: createShopSupport,
  },
};

/** The deterministic demo agents shipped with the engine. */
export function listBuiltinAgents(): BuiltinAgentInfo[] {
  return Object.values(BUILTINS).map((entry) => ({ ...entry.info }));
}

/**
 * Connects to a builtin agent; `latencyMs` delays every answer (benchmarks), and the delay ends
 * early when the simulation is aborted.
 */
export function createBuiltinConnection(builtin: string, context: ConnectionContext, latencyMs = 0): AgentConnection {
  const entry = BUILTINS[builtin];
  if (!entry) throw new EngineError(424, 'unknown_builtin_agent', `there is no builtin agent "${builtin}"`);
  const connection = entry.create(context);
  if (latencyMs <= 0) return connection;
  // One abort listener per signal (a call passes the same one every turn), not one per answer.
  let listening: AbortSignal | undefined;
  let cancel: (() => void) | undefined;
  return {
    async turn(request) {
      const { signal } = request;
      if (signal?.aborted) throw new Error('aborted');
      if (signal && signal !== listening) {
        listening = signal;
        signal.addEventListener('abort', () => cancel?.(), { once: true });
      }
      await new Promise<void>((resolve, reject) => {
        const wait = waitUntil(performance.now() + latencyMs, resolve);
        cancel = () => {
          wait.cancel();
          reject(new Error('aborted'));
        };
      });
      return connection.turn(request);
    },
  };
}

/**
 * Calls `done` once the monotonic clock reaches `deadline`, neither earlier nor (on a machine with
 * time to spare) much later. Node's timers count whole milliseconds and fire up to about one late,
 * which a benchmark of many short answers would count as the engine's time: a timer wakes this about
 * a millisecond early and the rest is waited out on the following turns of the event loop.
 */
function waitUntil(deadline: number, done: () => void): { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  const check = () => {
    const left = deadline - performance.now();
    if (left <= 0) done();
    else if (left > 1.5) timer = setTimeout(check, Math.floor(left - 1));
    else immediate = setImmediate(check);
  };
  check();
  return {
    cancel() {
      clearTimeout(timer);
      clearImmediate(immediate);
    },
  };
}
