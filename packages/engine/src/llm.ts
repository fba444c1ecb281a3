import { postJson } from './net/post-json.js';
import type { OutboundPolicy } from './net/url-guard.js';
import type { LlmConfig } from './types.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  signal?: AbortSignal;
  /** Guard the endpoint like a user-supplied URL (agent connectors); operator LLMs are trusted. */
  policy?: OutboundPolicy;
}

export class LlmReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmReplyError';
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** `POST {base_url}/chat/completions` and the text of the first choice. */
export async function chatCompletion(config: LlmConfig, messages: ChatMessage[], options: ChatOptions = {}): Promise<string> {
  const url = `${config.base_url.replace(/\/+$/, '')}/chat/completions`;
  const answer = await postJson(
    url,
    {
      model: config.model,
      messages,
      ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    },
    {
      headers: config.api_key ? { authorization: `Bearer ${config.api_key}` } : {},
      timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
    },
  );
  const content = (answer as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new LlmReplyError('the chat completion has no choices[0].message.content string');
  return content;
}

/**
 * Reads an LLM config from environment variables `<PREFIX>_BASE_URL`, `<PREFIX>_MODEL` and
 * `<PREFIX>_API_KEY` (for example `SIMS_LLM_BASE_URL`); `undefined` unless base URL and model are set.
 */
export function llmConfigFromEnv(env: Record<string, string | undefined>, prefix = 'SIMS_LLM'): LlmConfig | undefined {
  const base_url = env[`${prefix}_BASE_URL`];
  const model = env[`${prefix}_MODEL`];
  if (!base_url || !model) return undefined;
  const api_key = env[`${prefix}_API_KEY`];
  return { base_url, model, ...(api_key ? { api_key } : {}) };
}

/** Extracts the JSON object of an LLM answer that may wrap it in a code fence or prose. */
export function parseJsonObject(text: string): Record<string, unknown> {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) throw new LlmReplyError(`no JSON object in the answer: ${text.slice(0, 200)}`);
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new LlmReplyError(`the answer is not valid JSON: ${text.slice(0, 200)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LlmReplyError('the answer is not a JSON object');
  return value as Record<string, unknown>;
}

/** The marker with which an LLM persona or agent ends the call. */
export const END_CALL_MARKER = '[END_CALL]';

/** Splits off the end-call marker: the text without it, and whether it was present. */
export function takeEndCallMarker(text: string): { text: string; end_call: boolean } {
  const end_call = text.includes(END_CALL_MARKER);
  return { text: text.split(END_CALL_MARKER).join('').trim(), end_call };
}
