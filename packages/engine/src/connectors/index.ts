import { EngineError } from '../errors.js';
import type { OutboundPolicy } from '../net/url-guard.js';
import type { AgentConnector } from '../types.js';
import { createBuiltinConnection } from './builtin/index.js';
import type { AgentConnection, ConnectionContext } from './connector.js';
import { createHttpConnection } from './http.js';
import { createOpenAiConnection } from './openai.js';

/** Opens the connection to the agent under test that its connector describes. */
export function createAgentConnection(connector: AgentConnector, context: ConnectionContext, policy: OutboundPolicy): AgentConnection {
  switch (connector.kind) {
    case 'builtin':
      return createBuiltinConnection(connector.builtin, context, connector.latency_ms);
    case 'http':
      return createHttpConnection(connector, context, policy);
    case 'openai':
      return createOpenAiConnection(connector, context, policy);
  }
  // Connectors come from stored data, so a kind this version does not know can still arrive.
  throw new EngineError(424, 'unknown_connector', `unknown agent connector kind "${(connector as { kind?: unknown }).kind}"`);
}
