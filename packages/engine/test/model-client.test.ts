import { modelAnswers, startModelFixture, type ModelFixture } from '@sims/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createChatCompletion,
  guardedFetch,
  HttpRequestError,
  LlmReplyError,
  OutboundUrlError,
  type LlmConfig,
  type ModelUsage,
} from '../src/index.js';

/**
 * The one model client (the openai SDK) against the model fixture: what each provider behaviour
 * becomes — a completion and its usage, a retry, or an HttpRequestError of the kind webhooks fail with.
 */
let model: ModelFixture | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

const config = (m: ModelFixture, extra: Partial<LlmConfig> = {}): LlmConfig => ({
  base_url: m.url,
  model: 'fixture-model',
  api_key: 'sk-secret-key',
  ...extra,
});
const ask = [{ role: 'user' as const, content: 'Say hello.' }];

async function call(cfg: LlmConfig, options: Parameters<typeof createChatCompletion>[2] = {}) {
  const usage: ModelUsage[] = [];
  try {
    const answer = await createChatCompletion(cfg, { messages: ask }, { ...options, onUsage: (u) => usage.push(u) });
    return { answer, usage, error: undefined };
  } catch (error) {
    return { answer: undefined, usage, error: error as Error };
  }
}

describe('the model client', () => {
  it('returns the first message and reports the requests, the provider tokens and the latency', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.text('Hello there.'));
    const { answer, usage } = await call(config(model));
    expect(answer!.message.content).toBe('Hello there.');
    expect(usage).toEqual([{ calls: 1, prompt_tokens: 3, completion_tokens: 3, latency_ms: expect.any(Number) }]);
    expect(model.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3 });
    const request = model.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-secret-key');
    expect(request.body).toEqual({ model: 'fixture-model', messages: ask });
  });

  it('counts zero tokens when the provider reports no usage', async () => {
    model = await startModelFixture();
    model.queue({ ...modelAnswers.text('Hi.'), usage: 'omit' });
    const { usage } = await call(config(model));
    expect(usage).toEqual([{ calls: 1, prompt_tokens: 0, completion_tokens: 0, latency_ms: expect.any(Number) }]);
  });

  it('sends no Authorization header for a keyless server and reads no OPENAI_* variable', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.text('Hi.'));
    process.env.OPENAI_ORG_ID = 'org-from-env';
    try {
      await call({ base_url: model.url, model: 'llama3' });
    } finally {
      delete process.env.OPENAI_ORG_ID;
    }
    expect(model.requests[0]!.headers.authorization).toBeUndefined();
    expect(model.requests[0]!.headers['openai-organization']).toBeUndefined();
  });

  it('sends the config temperature unless the request sets its own', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.text('ok') });
    await call(config(model, { temperature: 0.7 }));
    await createChatCompletion(config(model, { temperature: 0.7 }), { messages: ask, temperature: 0 });
    expect(model.requests.map((r) => r.body.temperature)).toEqual([0.7, 0]);
  });

  it('retries a 429 after its Retry-After and counts both requests', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.rateLimited(0.05), modelAnswers.text('Hello after the wait.'));
    const { answer, usage } = await call(config(model));
    expect(answer!.message.content).toBe('Hello after the wait.');
    expect(usage[0]!.calls).toBe(2);
    expect(model.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
  });

  it('gives up on a 500 after max_retries, naming the status and the attempts', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.serverError() });
    const { error, usage } = await call(config(model, { max_retries: 1 }));
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ kind: 'status', status: 500 });
    expect(error!.message).toBe('HTTP 500: The server had an error while processing your request. (2 attempts)');
    expect(usage[0]!.calls).toBe(2);
    expect(model.requests).toHaveLength(2);
  });

  it('does not retry a 401 and never shows the key', async () => {
    model = await startModelFixture({
      respond: () => ({
        status: 401,
        body: { error: { message: 'Incorrect API key provided: sk-secret-key.', type: 'invalid_request_error' } },
      }),
    });
    const { error } = await call(config(model));
    expect(error).toMatchObject({ kind: 'status', status: 401 });
    expect(error!.message).toBe('HTTP 401: Incorrect API key provided: [redacted].');
    expect(model.requests).toHaveLength(1);
  });

  it('times out a slow answer per request, retries it, and reports a timeout', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.slow(5_000, modelAnswers.text('too late')) });
    const { error, usage } = await call(config(model, { timeout_ms: 100, max_retries: 1 }));
    expect(error).toMatchObject({ kind: 'timeout', message: 'no answer within 100 ms (2 attempts)' });
    expect(usage[0]!.calls).toBe(2);
    expect(model.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0 });
  });

  it('stops at once when the caller aborts', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.slow(5_000, modelAnswers.text('too late')) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const { error } = await call(config(model), { signal: controller.signal });
    expect(error).toMatchObject({ kind: 'aborted' });
    expect(model.requests).toHaveLength(1);
  });

  it('reports a server that is not listening as a network failure', async () => {
    model = await startModelFixture();
    const url = model.url;
    await model.close();
    model = undefined;
    const { error } = await call({ base_url: url, model: 'm', max_retries: 0 });
    expect(error).toMatchObject({ kind: 'network' });
    expect(error!.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a 2xx answer without choices as LlmReplyError', async () => {
    model = await startModelFixture({ respond: () => ({ status: 200, body: { object: 'chat.completion' } }) });
    const { error } = await call(config(model));
    expect(error).toBeInstanceOf(LlmReplyError);
  });

  it('reports a 2xx answer that is not JSON as invalid_json', async () => {
    // An empty body labelled JSON, as a proxy that cut the answer off sends.
    model = await startModelFixture({ respond: () => ({ status: 200, body: undefined }) });
    const { error } = await call(config(model, { max_retries: 0 }));
    expect(error).toMatchObject({ kind: 'invalid_json' });
  });
});

describe('the guarded client (agent connectors)', () => {
  it('sends to an allowed address through the guard, counting the request', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.text('Guarded hello.'));
    const { answer, usage } = await call(config(model), { policy: { allowPrivateNetworks: true } });
    expect(answer!.message.content).toBe('Guarded hello.');
    expect(usage[0]!.calls).toBe(1);
  });

  it.each([
    ['loopback without the operator option', (m: ModelFixture) => m.url, {}],
    ['a metadata address', () => 'http://169.254.169.254/v1', { allowPrivateNetworks: true }],
    ['a metadata host name', () => 'http://metadata.google.internal/v1', { allowPrivateNetworks: true }],
  ])('refuses %s before any request, without retrying', async (_label, url, policy) => {
    model = await startModelFixture({ respond: () => modelAnswers.text('never') });
    const { error, usage } = await call({ base_url: url(model), model: 'm' }, { policy });
    expect(error).toMatchObject({ kind: 'refused' });
    expect(usage).toEqual([]);
    expect(model.requests).toHaveLength(0);
  });

  it('guardedFetch itself refuses a URL the guard refuses and says so to its caller', async () => {
    const refusals: OutboundUrlError[] = [];
    const send = guardedFetch({}, { onRefused: (e) => refusals.push(e) });
    await expect(send('http://169.254.169.254/latest/meta-data', { method: 'GET' })).rejects.toBeInstanceOf(OutboundUrlError);
    expect(refusals).toHaveLength(1);
  });
});
