import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { EngineError } from '../errors.js';
import { END_CALL_MARKER, takeEndCallMarker } from '../llm.js';
import { createChatCompletion } from '../model/client.js';
import type { UsageSink } from '../model/usage.js';
import type { LlmConfig } from '../types.js';
import type { Persona } from './persona.js';

export function personaSystemPrompt(casePrompt: string): string {
  return [
    'You are playing a caller in a test of a phone agent. Stay in character as the caller described below;',
    'never say that you are an AI, a simulation or a test. Speak only as the caller: one short, natural spoken',
    'reply per turn (one to three sentences), without stage directions, names or quotes.',
    `When your goal is reached, or the call cannot usefully go on, say a short goodbye and end that reply with ${END_CALL_MARKER}.`,
    '',
    'The caller you play:',
    casePrompt,
  ].join('\n');
}

/** An LLM plays the case prompt; the agent's messages are its user turns. */
export function createLlmPersona(config: LlmConfig, casePrompt: string, options: { onUsage?: UsageSink } = {}): Persona {
  const system = personaSystemPrompt(casePrompt);
  return {
    async next({ conversation, signal }) {
      const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: system }];
      for (const message of conversation) {
        messages.push({ role: message.role === 'persona' ? 'assistant' : 'user', content: message.content });
      }
      let content: string;
      try {
        const { message } = await createChatCompletion(
          config,
          { messages },
          { signal, ...(options.onUsage ? { onUsage: options.onUsage } : {}) },
        );
        content = typeof message.content === 'string' ? message.content : '';
      } catch (error) {
        throw new EngineError(500, 'persona_error', `persona model failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      const { text, end_call } = takeEndCallMarker(content);
      if (!text && !end_call) throw new EngineError(500, 'persona_error', 'persona model answered an empty message');
      return text ? { message: text, end_call } : { end_call };
    },
  };
}
