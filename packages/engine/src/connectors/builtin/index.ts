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
        const timer = setTimeout(resolve, latencyMs);
        cancel = () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        };
      });
      return connection.turn(request);
    },
  };
}
