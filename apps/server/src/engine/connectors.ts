import { checkOutboundUrl, OutboundUrlError, type AgentConnector, type SignTurn } from '@sims/engine';
import type { StoredConnector } from '../storage/types.js';
import { DEFAULT_MAX_TOOL_ROUNDS } from '../views.js';

/** The builtin agent an agent with `{"kind": "builtin"}` runs as. */
const DEFAULT_BUILTIN = 'shop_support';

/**
 * The stored connector as the engine takes it (defaults filled in); an `http` one signs every turn
 * request with `sign` when the agent has a secret (`agentTurnSigner` of webhooks/sign.ts).
 */
export function toEngineConnector(connector: StoredConnector, sign?: SignTurn): AgentConnector {
  switch (connector.kind) {
    case 'builtin':
      return {
        kind: 'builtin',
        builtin: connector.builtin ?? DEFAULT_BUILTIN,
        ...(connector.latency_ms ? { latency_ms: connector.latency_ms } : {}),
      };
    case 'http':
      return {
        kind: 'http',
        url: connector.url,
        ...(connector.headers ? { headers: connector.headers } : {}),
        ...(connector.timeout_ms ? { timeout_ms: connector.timeout_ms } : {}),
        ...(sign ? { sign } : {}),
      };
    case 'openai':
      return {
        kind: 'openai',
        base_url: connector.base_url,
        model: connector.model,
        ...(connector.api_key ? { api_key: connector.api_key } : {}),
        ...(connector.timeout_ms ? { timeout_ms: connector.timeout_ms } : {}),
        ...(connector.tools?.length ? { tools: connector.tools } : {}),
        max_tool_rounds: connector.max_tool_rounds ?? DEFAULT_MAX_TOOL_ROUNDS,
      };
  }
}

/**
 * The outbound URL guard applied when an agent is created or updated, so that a URL the engine would
 * refuse is answered `422` at once. Host names are checked again when a run resolves them.
 */
export function checkConnectorUrl(
  connector: StoredConnector,
  policy: { allowPrivateNetworks: boolean },
): { field: string; message: string } | undefined {
  const target =
    connector.kind === 'http'
      ? { field: '/connector/url', url: connector.url }
      : connector.kind === 'openai'
        ? { field: '/connector/base_url', url: connector.base_url }
        : undefined;
  if (!target) return undefined;
  try {
    checkOutboundUrl(target.url, policy);
    return undefined;
  } catch (error) {
    if (error instanceof OutboundUrlError) return { field: target.field, message: `refused by the outbound URL guard: ${error.message}` };
    throw error;
  }
}
