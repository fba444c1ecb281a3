import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-protocol model for tests: `POST {url}/chat/completions` on 127.0.0.1, answered from
 * a queue of scripted answers, then by a responder function. It answers the way hosted providers and
 * local servers (vLLM, Ollama) do, including their failures, so that tests exercise the engine's
 * parsing, retries and error mapping on realistic traffic. Token counts are deterministic (see
 * `countTokens`), so usage figures measured on it are reproducible.
 */

/** A chat-completions request as the fixture received it. */
export interface ModelRequest {
  method: string;
  /** The path, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary request fields
  body: any;
}

/** A tool call in an answer; `arguments` is sent as given when a string (malformed JSON included), else as JSON. */
export interface FixtureToolCall {
  name: string;
  arguments: unknown;
  id?: string;
}

/** What the model says: the assistant message of `choices[0]`. */
export interface FixtureCompletion {
  content?: string | null;
  refusal?: string | null;
  tool_calls?: FixtureToolCall[];
  finish_reason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

/**
 * One scripted answer: a chat completion (the fixture adds `id`, `model` and `usage`), or a raw HTTP
 * answer; either may be delayed (`delayMs`, for answers slower than the client's time-out).
 */
export type ModelAnswer =
  | { completion: FixtureCompletion; usage?: 'count' | 'omit'; delayMs?: number }
  | { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number };

export type ModelResponder = (request: ModelRequest) => ModelAnswer;

export interface ModelFixtureOptions {
  /** Answers requests once the queue is empty; without one such a request gets a 500 naming the problem. */
  respond?: ModelResponder;
}

export interface ModelFixture {
  /** The base URL to configure (`base_url`), e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  /** Every chat-completions request received, in order (retries included). */
  requests: ModelRequest[];
  /** Appends answers (or per-request functions) to the queue; each request takes the next one. */
  queue(...answers: Array<ModelAnswer | ModelResponder>): void;
  /** Replaces the responder used once the queue is empty. */
  respondWith(responder: ModelResponder | undefined): void;
  /** Prompt and completion tokens of every completion answered so far, as sent in `usage`. */
  usage: { prompt_tokens: number; completion_tokens: number };
  close(): Promise<void>;
}

/** The fixture's tokenizer: four characters a token, rounded up (a common rule of thumb for English). */
export function countTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function contentChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content)) {
    return content.reduce((sum: number, part) => sum + (typeof part?.text === 'string' ? part.text.length : 0), 0);
  }
  return 0;
}

/**
 * Characters of a request that a provider bills as prompt: every message's text and tool calls, plus
 * the `tools` and `response_format` definitions (serialised), which providers also put in the prompt.
 */
export function promptChars(body: unknown): number {
  const request = (body ?? {}) as { messages?: unknown; tools?: unknown; response_format?: unknown };
  let chars = 0;
  for (const message of Array.isArray(request.messages) ? request.messages : []) {
    chars += contentChars(message?.content);
    for (const call of Array.isArray(message?.tool_calls) ? message.tool_calls : []) {
      chars += String(call?.function?.name ?? '').length + String(call?.function?.arguments ?? '').length;
    }
  }
  if (request.tools !== undefined) chars += JSON.stringify(request.tools).length;
  if (request.response_format !== undefined) chars += JSON.stringify(request.response_format).length;
  return chars;
}

function completionChars(completion: FixtureCompletion): number {
  let chars = (completion.content ?? '').length + (completion.refusal ?? '').length;
  for (const call of completion.tool_calls ?? []) chars += call.name.length + argumentsText(call.arguments).length;
  return chars;
}

function argumentsText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

const error = (status: number, message: string, type: string, param: string | null = null, headers?: Record<string, string>) => ({
  status,
  body: { error: { message, type, param, code: null } },
  ...(headers ? { headers } : {}),
});

/** Ready-made answers, each the shape a real provider sends. */
export const modelAnswers = {
  /** A plain text answer. */
  text: (content: string): ModelAnswer => ({ completion: { content, finish_reason: 'stop' } }),
  /** JSON in a Markdown code fence, as chat models often answer when asked for JSON. */
  fencedJson: (value: unknown): ModelAnswer => ({
    completion: { content: `\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``, finish_reason: 'stop' },
  }),
  /** JSON with prose before and after it. */
  proseJson: (value: unknown): ModelAnswer => ({
    completion: {
      content: `Here is my assessment:\n${JSON.stringify(value)}\nLet me know if you need anything else.`,
      finish_reason: 'stop',
    },
  }),
  /** Bare JSON, as a server honouring `response_format` answers. */
  json: (value: unknown): ModelAnswer => ({ completion: { content: JSON.stringify(value), finish_reason: 'stop' } }),
  /** A safety refusal: `content` null and `message.refusal` set (OpenAI structured outputs). */
  refusal: (reason = "I'm sorry, but I can't help with that request."): ModelAnswer => ({
    completion: { content: null, refusal: reason, finish_reason: 'stop' },
  }),
  /** An answer with empty content. */
  empty: (): ModelAnswer => ({ completion: { content: '', finish_reason: 'stop' } }),
  /** Tool calls, `arguments` serialised to a JSON string as the protocol sends them (a string is sent as it is). */
  toolCalls: (...calls: FixtureToolCall[]): ModelAnswer => ({
    completion: { content: null, tool_calls: calls, finish_reason: 'tool_calls' },
  }),
  /** A tool call whose `arguments` string is not valid JSON (cut off, as when a model hits its token limit). */
  malformedToolCall: (name: string, raw = '{"order_id": "12'): ModelAnswer => ({
    completion: { content: null, tool_calls: [{ name, arguments: raw }], finish_reason: 'tool_calls' },
  }),
  /** 429 with `Retry-After` in seconds (fractions allowed, so tests stay quick). */
  rateLimited: (retryAfterSeconds = 1): ModelAnswer =>
    error(429, 'Rate limit reached for requests. Please try again later.', 'requests', null, { 'retry-after': String(retryAfterSeconds) }),
  /** 500, as providers answer an internal error (retried by clients). */
  serverError: (): ModelAnswer => error(500, 'The server had an error while processing your request.', 'server_error'),
  /** 401 for a wrong key. */
  unauthorized: (): ModelAnswer => error(401, 'Incorrect API key provided.', 'invalid_request_error'),
  /** 400 refusing `response_format` (a model or server without structured outputs). */
  responseFormatRefused: (): ModelAnswer =>
    error(
      400,
      "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
      'invalid_request_error',
      'response_format',
    ),
  /** Any answer, sent only after `delayMs` (past a client's time-out, the client gives up first). */
  slow: (delayMs: number, answer: ModelAnswer): ModelAnswer => ({ ...answer, delayMs }),
};

/**
 * A responder that refuses every request carrying `response_format` with a 400, as servers without
 * structured outputs do, and hands the others to `then`.
 */
export function refusingResponseFormat(then: ModelResponder): ModelResponder {
  return (request) => (request.body?.response_format !== undefined ? modelAnswers.responseFormatRefused() : then(request));
}

/** Starts the fixture on 127.0.0.1 and a free port. */
export async function startModelFixture(options: ModelFixtureOptions = {}): Promise<ModelFixture> {
  const requests: ModelRequest[] = [];
  const scripted: Array<ModelAnswer | ModelResponder> = [];
  let responder = options.respond;
  let completions = 0;
  const usage = { prompt_tokens: 0, completion_tokens: 0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const render = (request: ModelRequest, answer: ModelAnswer): { status: number; body: unknown; headers?: Record<string, string> } => {
    if (!('completion' in answer)) return answer;
    completions += 1;
    const { completion } = answer;
    const counted = { prompt_tokens: countTokens(promptChars(request.body)), completion_tokens: countTokens(completionChars(completion)) };
    if (answer.usage !== 'omit') {
      usage.prompt_tokens += counted.prompt_tokens;
      usage.completion_tokens += counted.completion_tokens;
    }
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: completion.content ?? null,
      refusal: completion.refusal ?? null,
    };
    if (completion.tool_calls) {
      message.tool_calls = completion.tool_calls.map((call, index) => ({
        id: call.id ?? `call_${completions}_${index + 1}`,
        type: 'function',
        function: { name: call.name, arguments: argumentsText(call.arguments) },
      }));
    }
    return {
      status: 200,
      body: {
        id: `chatcmpl-fixture-${completions}`,
        object: 'chat.completion',
        created: 1_735_689_600,
        model: typeof request.body?.model === 'string' ? request.body.model : 'fixture-model',
        choices: [{ index: 0, message, logprobs: null, finish_reason: completion.finish_reason ?? 'stop' }],
        ...(answer.usage === 'omit' ? {} : { usage: { ...counted, total_tokens: counted.prompt_tokens + counted.completion_tokens } }),
      },
    };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        send(res, 404, {
          error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: null },
        });
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Recorded as text: the test sees what was sent.
      }
      const request: ModelRequest = { method: req.method, path, headers: req.headers, body };
      requests.push(request);
      const next = scripted.shift() ?? responder;
      const answer: ModelAnswer = next
        ? typeof next === 'function'
          ? next(request)
          : next
        : error(500, 'model fixture: no answer scripted for this request', 'fixture_error');
      const reply = () => {
        const rendered = render(request, answer);
        send(res, rendered.status, rendered.body, rendered.headers);
      };
      if (!answer.delayMs) return reply();
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, answer.delayMs);
      timers.add(timer);
      // A client that gave up (its time-out) closes the socket: stop waiting for it.
      res.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    usage,
    queue: (...answers) => {
      scripted.push(...answers);
    },
    respondWith: (next) => {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
