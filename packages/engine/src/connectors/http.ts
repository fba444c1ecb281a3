import type { components } from '@sims/api-types';
import { agentError } from '../errors.js';
import { HttpRequestError, postJson } from '../net/post-json.js';
import type { OutboundPolicy } from '../net/url-guard.js';
import type { SignTurn, ToolCall } from '../types.js';
import type { AgentConnection, AgentTurn, ConnectionContext } from './connector.js';

export const HTTP_DEFAULT_TIMEOUT_MS = 10_000;
// The limits of the spec's `AgentTurnReply` (`maxLength`, `maxItems`), restated so that the engine
// loads no spec at run time; test/http-connector.test.ts compares them with the bundled spec.
export const MAX_REPLY_CHARS = 10_000;
export const MAX_TOOL_CALLS = 20;
export const MAX_TOOL_NAME = 100;

export interface HttpConnectorConfig {
  url: string;
  headers?: Record<string, string>;
  timeout_ms?: number;
  /** Signs each request over its raw body; its headers are added to (and win over) `headers`. */
  sign?: SignTurn;
}

/**
 * The user's agent behind a webhook (the turn protocol is in the README): one POST per agent turn
 * with the conversation so far, answered by `{reply, end_call?, tool_calls?}`.
 */
export function createHttpConnection(config: HttpConnectorConfig, context: ConnectionContext, policy: OutboundPolicy): AgentConnection {
  const timeoutMs = config.timeout_ms ?? HTTP_DEFAULT_TIMEOUT_MS;
  return {
    async turn(request) {
      let answer: unknown;
      try {
        answer = await postJson(
          config.url,
          {
            ...(request.simulationId ? { simulation_id: request.simulationId } : {}),
            agent_id: context.agentId,
            conversation: request.conversation,
            custom_variables: context.customVariables,
          } satisfies components['schemas']['AgentTurnRequest'],
          {
            headers: config.headers ?? {},
            ...(config.sign ? { signHeaders: config.sign } : {}),
            timeoutMs,
            signal: request.signal,
            policy,
          },
        );
      } catch (error) {
        throw toAgentError(error, 'agent webhook');
      }
      return parseWebhookReply(answer);
    },
  };
}

export function toAgentError(error: unknown, what: string) {
  if (error instanceof HttpRequestError) {
    const type = {
      refused: 'agent_url_refused',
      timeout: 'agent_timeout',
      aborted: 'aborted',
      network: 'agent_unreachable',
      status: 'agent_http_error',
      too_large: 'agent_malformed_reply',
      invalid_json: 'agent_malformed_reply',
    }[error.kind];
    return agentError(type, `${what}: ${error.message}`, error);
  }
  return agentError('agent_error', `${what}: ${error instanceof Error ? error.message : String(error)}`, error);
}

/**
 * Validates a webhook answer (or any connection's turn) strictly; anything off becomes an
 * `agent_malformed_reply` error. Unknown fields are ignored so the protocol can grow.
 */
export function parseWebhookReply(answer: unknown, source = 'agent webhook'): AgentTurn {
  const bad = (detail: string) => agentError('agent_malformed_reply', `${source} answered a malformed reply: ${detail}`);
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) throw bad('the body is not a JSON object');
  const body = answer as Record<string, unknown>;
  if (typeof body.reply !== 'string') throw bad('"reply" must be a string');
  if (body.reply.length > MAX_REPLY_CHARS) throw bad(`"reply" is longer than ${MAX_REPLY_CHARS} characters`);
  if (body.end_call !== undefined && typeof body.end_call !== 'boolean') throw bad('"end_call" must be a boolean');
  const end_call = body.end_call === true;
  if (body.reply.trim() === '' && !end_call) throw bad('"reply" is empty and the call is not ended');
  const tool_calls: ToolCall[] = [];
  if (body.tool_calls !== undefined) {
    if (!Array.isArray(body.tool_calls)) throw bad('"tool_calls" must be an array');
    if (body.tool_calls.length > MAX_TOOL_CALLS) throw bad(`more than ${MAX_TOOL_CALLS} tool calls`);
    for (const [index, call] of body.tool_calls.entries()) {
      if (call === null || typeof call !== 'object' || Array.isArray(call)) throw bad(`tool_calls[${index}] is not an object`);
      const { name, arguments: args } = call as Record<string, unknown>;
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TOOL_NAME) {
        throw bad(`tool_calls[${index}].name must be a string of 1-${MAX_TOOL_NAME} characters`);
      }
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
        throw bad(`tool_calls[${index}].arguments must be an object`);
      }
      tool_calls.push({ name, arguments: (args as Record<string, unknown> | undefined) ?? {} });
    }
  }
  return { reply: body.reply.trim(), end_call, tool_calls };
}
