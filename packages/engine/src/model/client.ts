import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessage } from 'openai/resources/chat/completions';
import { AnswerTooLargeError, guardedFetch } from '../net/guarded-fetch.js';
import { HttpRequestError } from '../net/post-json.js';
import { checkOutboundUrl, OutboundUrlError, type OutboundPolicy } from '../net/url-guard.js';
import type { LlmConfig } from '../types.js';
import type { UsageSink } from './usage.js';

/** Time-out of one request to an operator model (persona, judge, generator) without `timeout_ms`. */
export const DEFAULT_MODEL_TIMEOUT_MS = 60_000;
/** Retries of a request answered 408, 409, 429 or 5xx, or that timed out or lost its connection. */
export const DEFAULT_MAX_RETRIES = 2;

/** A chat-completions request without the model, which comes from the config. */
export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model'>;

export interface ModelCallOptions {
  signal?: AbortSignal;
  /** Guard the endpoint like a user-supplied URL (agent connectors); operator models are trusted. */
  policy?: OutboundPolicy;
  /** Receives the call's usage when it ends, also when it failed (requests sent still count). */
  onUsage?: UsageSink;
}

/** The model answered 2xx with something that is not a usable chat completion. */
export class LlmReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmReplyError';
  }
}

// The SDK insists on a key; for servers without authentication (Ollama, vLLM) this one is never
// sent, because the Authorization header is removed (see `createChatCompletion`).
const NO_KEY = 'no-key';

const DETAIL_CHARS = 200;

/**
 * The one way the engine calls a model: `POST {base_url}/chat/completions` through the official
 * openai SDK, which retries 408/409/429/5xx answers, time-outs and lost connections (`max_retries`,
 * honouring `Retry-After`) and times out each request (`timeout_ms`). Failures are thrown as
 * `HttpRequestError` (the kinds webhooks fail with), with messages that name the status and never
 * the key; `onUsage` gets the requests sent (retries included), the tokens the provider reported and
 * the time until the answer. The first choice's message is returned.
 */
export async function createChatCompletion(
  config: LlmConfig,
  request: ChatRequest,
  options: ModelCallOptions = {},
): Promise<{ completion: ChatCompletion; message: ChatCompletionMessage }> {
  const baseURL = config.base_url.replace(/\/+$/, '');
  const timeoutMs = config.timeout_ms ?? DEFAULT_MODEL_TIMEOUT_MS;
  let attempts = 0;
  let refused: OutboundUrlError | undefined;
  // A refused address would otherwise be retried like a lost connection: stop the SDK at once.
  const stop = new AbortController();
  let send: typeof fetch = globalThis.fetch;
  if (options.policy) {
    try {
      checkOutboundUrl(baseURL, options.policy);
    } catch (error) {
      if (error instanceof OutboundUrlError) throw new HttpRequestError('refused', error.message);
      throw error;
    }
    send = guardedFetch(options.policy, {
      onRefused: (error) => {
        refused = error;
        stop.abort();
      },
    });
  }
  const client = new OpenAI({
    baseURL,
    apiKey: config.api_key ?? NO_KEY,
    // Never read OPENAI_* variables of the process: every setting comes from the config.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    ...(config.api_key ? {} : { defaultHeaders: { authorization: null } }),
    maxRetries: config.max_retries ?? DEFAULT_MAX_RETRIES,
    timeout: timeoutMs,
    logLevel: 'off',
    fetch: async (input, init) => {
      try {
        return await send(input, init);
      } finally {
        if (!refused) attempts += 1;
      }
    },
  });
  const signal =
    options.policy && options.signal ? AbortSignal.any([options.signal, stop.signal]) : options.policy ? stop.signal : options.signal;
  const started = performance.now();
  let completion: ChatCompletion | undefined;
  try {
    const temperature = request.temperature === undefined && config.temperature !== undefined ? { temperature: config.temperature } : {};
    completion = await client.chat.completions.create({ ...temperature, ...request, model: config.model }, signal ? { signal } : {});
  } catch (error) {
    throw toHttpRequestError(error, { refused, timeoutMs, attempts, key: config.api_key });
  } finally {
    options.onUsage?.({
      calls: attempts,
      prompt_tokens: tokens(completion?.usage?.prompt_tokens),
      completion_tokens: tokens(completion?.usage?.completion_tokens),
      latency_ms: Math.round(performance.now() - started),
    });
  }
  // A 2xx answer that is not JSON arrives as text; one without choices is no chat completion either.
  const choices = typeof completion === 'object' && completion !== null ? (completion as { choices?: unknown }).choices : undefined;
  const message: unknown = Array.isArray(choices) ? choices[0]?.message : undefined;
  if (message === null || typeof message !== 'object') throw new LlmReplyError('the answer has no choices[0].message');
  return { completion, message: message as ChatCompletionMessage };
}

function tokens(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function toHttpRequestError(
  error: unknown,
  context: { refused: OutboundUrlError | undefined; timeoutMs: number; attempts: number; key: string | undefined },
): Error {
  const clean = (text: string) => {
    const redacted = context.key ? text.split(context.key).join('[redacted]') : text;
    return redacted.length > DETAIL_CHARS ? `${redacted.slice(0, DETAIL_CHARS)}…` : redacted;
  };
  const tries = context.attempts === 1 ? '' : ` (${context.attempts} attempts)`;
  if (context.refused) return new HttpRequestError('refused', context.refused.message);
  if (error instanceof APIUserAbortError) return new HttpRequestError('aborted', 'the request was aborted');
  if (error instanceof APIConnectionTimeoutError)
    return new HttpRequestError('timeout', `no answer within ${context.timeoutMs} ms${tries}`);
  if (error instanceof APIConnectionError) {
    const causes: string[] = [];
    for (let cause = error.cause; cause instanceof Error && causes.length < 3; cause = cause.cause) {
      if (cause instanceof AnswerTooLargeError) return new HttpRequestError('too_large', cause.message);
      causes.push(cause.message);
    }
    return new HttpRequestError('network', clean(`${causes.join(': ') || error.message}${tries}`));
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const detail = (error.error as { message?: unknown } | undefined)?.message;
    const text = typeof detail === 'string' && detail ? `: ${detail}` : '';
    return new HttpRequestError('status', clean(`HTTP ${error.status}${text}${tries}`), error.status);
  }
  if (error instanceof SyntaxError) return new HttpRequestError('invalid_json', clean(`the answer is not JSON: ${error.message}`));
  return error instanceof Error ? new Error(clean(error.message)) : new Error(String(error));
}
