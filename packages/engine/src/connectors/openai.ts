import { agentError } from '../errors.js';
import { chatCompletion, END_CALL_MARKER, LlmReplyError, takeEndCallMarker, type ChatMessage } from '../llm.js';
import type { OutboundPolicy } from '../net/url-guard.js';
import type { LlmConfig } from '../types.js';
import type { AgentConnection, ConnectionContext } from './connector.js';
import { toAgentError } from './http.js';

/** Appended to the agent's prompt so that a chat model can hang up. */
const AGENT_END_CALL_INSTRUCTION = `You are on a phone call. Reply with what you say, nothing else. When the call is over, end your last reply with ${END_CALL_MARKER}.`;

/** Sent as the first user message, since some servers reject a conversation without one. */
const CALL_CONNECTED = '[The call has connected. Greet the caller.]';

/** An agent behind any OpenAI-compatible chat-completions endpoint. */
export function createOpenAiConnection(config: LlmConfig, context: ConnectionContext, policy: OutboundPolicy): AgentConnection {
  return {
    async turn(request) {
      const messages: ChatMessage[] = [{ role: 'system', content: `${context.prompt}\n\n${AGENT_END_CALL_INSTRUCTION}` }];
      if (request.conversation.length === 0) messages.push({ role: 'user', content: CALL_CONNECTED });
      for (const message of request.conversation) {
        messages.push({ role: message.role === 'agent' ? 'assistant' : 'user', content: message.content });
      }
      let content: string;
      try {
        content = await chatCompletion(config, messages, { signal: request.signal, policy });
      } catch (error) {
        if (error instanceof LlmReplyError)
          throw agentError('agent_malformed_reply', `agent model answered a malformed reply: ${error.message}`);
        throw toAgentError(error, 'agent model');
      }
      const { text, end_call } = takeEndCallMarker(content);
      if (!text && !end_call) throw agentError('agent_malformed_reply', 'agent model answered an empty message');
      return { reply: text, end_call, tool_calls: [] };
    },
  };
}
