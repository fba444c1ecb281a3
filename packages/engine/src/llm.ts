import { LlmReplyError } from './model/client.js';
import type { LlmConfig } from './types.js';

/**
 * Reads an LLM config from environment variables `<PREFIX>_BASE_URL`, `<PREFIX>_MODEL`,
 * `<PREFIX>_API_KEY`, `<PREFIX>_MAX_RETRIES` and `<PREFIX>_TIMEOUT_MS` (for example
 * `SIMS_LLM_BASE_URL`); `undefined` unless base URL and model are set. A retry count or time-out
 * that is not a whole number in range is refused with an error naming the variable.
 */
export function llmConfigFromEnv(env: Record<string, string | undefined>, prefix = 'SIMS_LLM'): LlmConfig | undefined {
  const base_url = env[`${prefix}_BASE_URL`];
  const model = env[`${prefix}_MODEL`];
  if (!base_url || !model) return undefined;
  const api_key = env[`${prefix}_API_KEY`];
  const max_retries = wholeNumber(env, `${prefix}_MAX_RETRIES`, 0, 10);
  const timeout_ms = wholeNumber(env, `${prefix}_TIMEOUT_MS`, 100, 600_000);
  return {
    base_url,
    model,
    ...(api_key ? { api_key } : {}),
    ...(max_retries === undefined ? {} : { max_retries }),
    ...(timeout_ms === undefined ? {} : { timeout_ms }),
  };
}

function wholeNumber(env: Record<string, string | undefined>, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return value;
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
