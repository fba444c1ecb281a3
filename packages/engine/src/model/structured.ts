import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { parseJsonObject } from '../llm.js';
import { HttpRequestError } from '../net/post-json.js';
import type { LlmConfig } from '../types.js';
import { createChatCompletion, LlmReplyError, type ChatRequest, type ModelCallOptions } from './client.js';

/** The model declined to answer (`message.refusal`, OpenAI structured outputs). */
export class ModelRefusalError extends LlmReplyError {
  constructor(refusal: string) {
    super(`the model refused: ${refusal.slice(0, 200)}`);
    this.name = 'ModelRefusalError';
  }
}

export interface JsonRequest {
  messages: ChatCompletionMessageParam[];
  /** The answer's JSON Schema, sent as a strict `json_schema` response format named `name`. */
  format: { name: string; schema: Record<string, unknown> };
  temperature?: number;
  seed?: number;
}

/**
 * Asks for one JSON object. The request carries `response_format: {type: "json_schema", strict}`
 * (and the given `temperature` and `seed`); a server without structured outputs refuses it, and
 * refusals differ (400 or 422, and messages that name `response_format`, `json_schema`, the schema or
 * nothing useful), so ANY 400 or 422 answer is taken as a refusal of something in it, and the request
 * is sent once more: when the refusal names `temperature` and not the format (reasoning models take
 * only their default sampling), with the format but without `temperature` and `seed`; otherwise
 * without `response_format` and `seed` (and without `temperature` if named). The object is read out
 * of the text either way (code fence, prose around it), so the prompt must ask for the JSON too. A
 * refusal, empty content, a cut-off answer or unreadable JSON throws `LlmReplyError`; failed
 * requests throw `HttpRequestError`.
 */
export async function askJson(config: LlmConfig, request: JsonRequest, options: ModelCallOptions = {}): Promise<Record<string, unknown>> {
  const structured: ChatRequest = {
    messages: request.messages,
    response_format: { type: 'json_schema', json_schema: { name: request.format.name, strict: true, schema: request.format.schema } },
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  };
  let answer: Awaited<ReturnType<typeof createChatCompletion>>;
  try {
    answer = await createChatCompletion(config, structured, options);
  } catch (error) {
    if (!(error instanceof HttpRequestError && error.kind === 'status' && (error.status === 400 || error.status === 422))) throw error;
    const namesTemperature = /temperature/i.test(error.message);
    const namesFormat = /response_format|json_schema|schema|structured/i.test(error.message);
    const fallback: ChatRequest =
      namesTemperature && !namesFormat
        ? { messages: request.messages, response_format: structured.response_format! }
        : {
            messages: request.messages,
            ...(request.temperature === undefined || namesTemperature ? {} : { temperature: request.temperature }),
          };
    answer = await createChatCompletion(config, fallback, options);
  }
  const { message } = answer;
  const finish = answer.completion.choices[0]?.finish_reason;
  if (typeof message.refusal === 'string' && message.refusal.trim()) throw new ModelRefusalError(message.refusal.trim());
  const content = typeof message.content === 'string' ? message.content.trim() : '';
  if (!content) throw new LlmReplyError('the model answered an empty message');
  try {
    return parseJsonObject(content);
  } catch (error) {
    if (finish === 'length') throw new LlmReplyError('the answer was cut off at the token limit before its JSON ended');
    throw error;
  }
}
