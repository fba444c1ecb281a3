import { modelAnswers, refusingResponseFormat, startModelFixture, type ModelFixture } from '@sims/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JUDGE_CRITERIA_SYSTEM_PROMPT,
  JUDGE_SEED,
  JUDGE_SYSTEM_PROMPT,
  judge,
  type CaseSnapshot,
  type JudgeOptions,
  type LlmConfig,
  type ModelUsage,
  type TimelineItem,
} from '../src/index.js';
import { makeCase } from './helpers.js';

/** The LLM judge against the model fixture: every provider behaviour mapped to a verdict or to `not_evaluated` with its reason. */
let model: ModelFixture | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

const at = (seconds: number) => ({
  timestamp: seconds.toFixed(3),
  timestamp_datetime: new Date(Date.UTC(2025, 0, 1, 0, 0, seconds)).toISOString(),
});
const timeline: TimelineItem[] = [
  { sender_type: 'agent', type: 'message', value: 'Northwind support, how can I help?', ...at(0) },
  { sender_type: 'persona', type: 'message', value: 'Where is order 12345?', ...at(1) },
  { sender_type: 'agent', type: 'tool_call', value: 'lookup_order {"order_id":"12345"}', ...at(2) },
  { sender_type: 'system', type: 'tool_result', value: '{"status":"shipped","delivery":"Thursday"}', ...at(2) },
  { sender_type: 'agent', type: 'message', value: 'It has shipped and arrives on Thursday.', ...at(3) },
  { sender_type: 'persona', type: 'end_call', value: 'The caller ended the call.', ...at(4) },
];
const config = (m: ModelFixture, extra: Partial<LlmConfig> = {}): LlmConfig => ({
  base_url: m.url,
  model: 'judge-model',
  api_key: 'sk-judge',
  ...extra,
});
const oneCriterion = makeCase({ prompt: 'You ask where order 12345 is.', success_criteria: ['The agent gives the delivery day'] });
const pass = { reasoning: 'The agent said it arrives on Thursday.', success: true };

async function run(m: ModelFixture, snapshot: CaseSnapshot, options: Partial<JudgeOptions> = {}, extra: Partial<LlmConfig> = {}) {
  const usage: ModelUsage[] = [];
  const analysis = await judge(snapshot, timeline, { llm: config(m, extra), onUsage: (u) => usage.push(u), ...options });
  return { analysis, usage, calls: usage.reduce((sum, u) => sum + u.calls, 0) };
}

describe('structured verdicts', () => {
  it('asks with a strict json_schema response format, temperature 0 and a fixed seed', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.json(pass));
    const { analysis } = await run(model, oneCriterion);
    expect(analysis.evaluations).toEqual([
      {
        success: true,
        verdict: 'passed',
        criterion: 'The agent gives the delivery day',
        reasoning: 'The agent said it arrives on Thursday.',
      },
    ]);
    const body = model.requests[0]!.body;
    expect(body.temperature).toBe(0);
    expect(body.seed).toBe(JUDGE_SEED);
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'criterion_verdict',
        strict: true,
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['reasoning', 'success'],
          properties: { reasoning: { type: 'string' }, success: { type: 'boolean' } },
        },
      },
    });
    expect(body.messages[0]).toEqual({ role: 'system', content: JUDGE_SYSTEM_PROMPT });
    expect(body.messages[1].content).toMatch(/^Transcript:\n\[0\.000s\] agent: Northwind support/);
    expect(body.messages[1].content).toContain('[2.000s] system (tool result): {"status":"shipped","delivery":"Thursday"}');
    expect(body.messages[1].content).toMatch(/Criterion: The agent gives the delivery day$/);
  });

  it.each([
    ['a code-fenced JSON answer', modelAnswers.fencedJson({ reasoning: 'Thursday was given.', success: true }), 'passed'],
    ['JSON with prose around it', modelAnswers.proseJson({ reasoning: 'No day was given.', success: false }), 'failed'],
  ])('reads %s', async (_label, answer, verdict) => {
    model = await startModelFixture();
    model.queue(answer);
    const { analysis } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]!.verdict).toBe(verdict);
  });

  it.each([
    [
      'a refusal',
      modelAnswers.refusal('I cannot assess this conversation.'),
      /^Not evaluated: the LLM judge refused to give a verdict \(the model refused: I cannot assess this conversation\.\)\.$/,
    ],
    ['empty content', modelAnswers.empty(), /^Not evaluated: the LLM judge failed \(the model answered an empty message\)\.$/],
    ['prose without JSON', modelAnswers.text('The agent did well.'), /^Not evaluated: the LLM judge failed \(no JSON object in the answer/],
    ['a verdict without success', modelAnswers.json({ reasoning: 'Fine.' }), /"success" is not a boolean/],
    [
      'a cut-off answer',
      { completion: { content: '{"reasoning": "The agent said', finish_reason: 'length' as const } },
      /cut off at the token limit/,
    ],
  ])('reports %s as not_evaluated with the reason, never a guess', async (_label, answer, reason) => {
    model = await startModelFixture();
    model.queue(answer);
    const { analysis } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]).toMatchObject({ verdict: 'not_evaluated', success: false, reasoning: expect.stringMatching(reason) });
    expect(analysis.success).toBe(false);
    expect(model.requests).toHaveLength(1);
  });

  it('retries a 429 after its Retry-After and judges', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.rateLimited(0.05), modelAnswers.json(pass));
    const { analysis, calls } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]!.verdict).toBe('passed');
    expect(calls).toBe(2);
  });

  it('leaves the criterion not_evaluated, naming the status, when every retry got a 500', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.serverError() });
    const { analysis, calls } = await run(model, oneCriterion, {}, { max_retries: 1 });
    expect(analysis.evaluations[0]!.reasoning).toBe(
      'Not evaluated: the LLM judge failed (HTTP 500: The server had an error while processing your request. (2 attempts)).',
    );
    expect(calls).toBe(2);
  });

  it('leaves the criterion not_evaluated when the judge answers after the time-out', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.slow(5_000, modelAnswers.json(pass)) });
    const { analysis } = await run(model, oneCriterion, {}, { timeout_ms: 100, max_retries: 0 });
    expect(analysis.evaluations[0]!.reasoning).toBe('Not evaluated: the LLM judge failed (no answer within 100 ms).');
  });

  it('falls back to a plain request and text parsing when the server refuses response_format', async () => {
    model = await startModelFixture({ respond: refusingResponseFormat(() => modelAnswers.fencedJson(pass)) });
    const { analysis, usage } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]!.verdict).toBe('passed');
    expect(model.requests.map((r) => [r.body.response_format?.type, r.body.seed, r.body.temperature])).toEqual([
      ['json_schema', JUDGE_SEED, 0],
      [undefined, undefined, 0],
    ]);
    expect(usage.map((u) => u.calls)).toEqual([1, 1]);
  });

  it('keeps the structured format but drops temperature and seed when the refusal names the temperature (reasoning models)', async () => {
    model = await startModelFixture();
    model.queue(
      {
        status: 400,
        body: { error: { message: "Unsupported value: 'temperature' does not support 0 with this model.", type: 'invalid_request_error' } },
      },
      modelAnswers.json(pass),
    );
    const { analysis } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]!.verdict).toBe('passed');
    expect(model.requests[1]!.body).not.toHaveProperty('temperature');
    expect(model.requests[1]!.body).not.toHaveProperty('seed');
    expect(model.requests[1]!.body.response_format).toEqual(model.requests[0]!.body.response_format);
  });

  it('drops the format and the temperature when a refusal names both', async () => {
    model = await startModelFixture();
    model.queue(
      { status: 422, body: { error: { message: 'response_format and temperature are not supported by this backend' } } },
      modelAnswers.proseJson(pass),
    );
    const { analysis } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]!.verdict).toBe('passed');
    expect(model.requests[1]!.body).toEqual({ model: 'judge-model', messages: model.requests[0]!.body.messages });
  });

  it('falls back once only: a second refusal leaves the criterion not_evaluated', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.responseFormatRefused() });
    const { analysis } = await run(model, oneCriterion);
    expect(analysis.evaluations[0]!.reasoning).toMatch(
      /^Not evaluated: the LLM judge failed \(HTTP 400: Invalid parameter: 'response_format'/,
    );
    expect(model.requests).toHaveLength(2);
  });
});

describe('criteria per call', () => {
  const threeCriteria = makeCase({
    prompt: 'You ask where order 12345 is.',
    success_criteria: ['The agent gives the delivery day', 'The agent looks the order up', 'The agent offers a refund'],
    checks: [{ kind: 'tool_called', name: 'lookup_order' }],
  });

  it('all: judges every criterion of the case in one call, each on its own schema entry', async () => {
    model = await startModelFixture();
    model.queue(
      modelAnswers.json({
        criterion_1: pass,
        criterion_2: { reasoning: 'It called lookup_order.', success: true },
        criterion_3: { reasoning: 'No refund was offered.', success: false },
      }),
    );
    const { analysis, calls } = await run(model, threeCriteria, { criteriaPerCall: 'all' });
    expect(calls).toBe(1);
    expect(analysis.evaluations.map((e) => [e.criterion, e.verdict])).toEqual([
      ['The agent gives the delivery day', 'passed'],
      ['The agent looks the order up', 'passed'],
      ['The agent offers a refund', 'failed'],
      ['the agent calls lookup_order', 'passed'],
    ]);
    const body = model.requests[0]!.body;
    expect(body.messages[0].content).toBe(JUDGE_CRITERIA_SYSTEM_PROMPT);
    expect(body.messages[1].content).toMatch(
      /Criteria:\ncriterion_1: The agent gives the delivery day\ncriterion_2: The agent looks the order up\ncriterion_3: The agent offers a refund$/,
    );
    expect(body.response_format.json_schema.name).toBe('criteria_verdicts');
    expect(body.response_format.json_schema.schema.required).toEqual(['criterion_1', 'criterion_2', 'criterion_3']);
    expect(body.response_format.json_schema.schema.additionalProperties).toBe(false);
  });

  it('all: an entry missing from the answer leaves only that criterion not_evaluated', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.fencedJson({ criterion_1: pass, criterion_3: { reasoning: 'No refund.', success: 'no' } }));
    const { analysis } = await run(model, threeCriteria, { criteriaPerCall: 'all' });
    expect(analysis.evaluations.slice(0, 3).map((e) => [e.verdict, e.reasoning])).toEqual([
      ['passed', 'The agent said it arrives on Thursday.'],
      ['not_evaluated', 'Not evaluated: the LLM judge failed (the answer has no "criterion_2").'],
      ['not_evaluated', 'Not evaluated: the LLM judge failed ("success" is not a boolean).'],
    ]);
  });

  it('all: a refusal leaves every criterion of the call not_evaluated', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.refusal());
    const { analysis } = await run(model, threeCriteria, { criteriaPerCall: 'all' });
    expect(analysis.evaluations.slice(0, 3).every((e) => e.verdict === 'not_evaluated' && e.reasoning.includes('refused'))).toBe(true);
    expect(analysis.evaluations[3]!.verdict).toBe('passed');
  });

  it('all is the default, and a case of one criterion is asked as in one', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.json(pass) });
    await run(model, oneCriterion);
    expect(model.requests[0]!.body.response_format.json_schema.name).toBe('criterion_verdict');
    model.respondWith(() => modelAnswers.json({ criterion_1: pass, criterion_2: pass, criterion_3: pass }));
    const { calls } = await run(model, threeCriteria);
    expect(calls).toBe(1);
  });

  it('one: a call per criterion, in order', async () => {
    model = await startModelFixture({
      respond: (request) => modelAnswers.json({ reasoning: 'Judged.', success: /delivery day$/.test(request.body.messages[1].content) }),
    });
    const { analysis, calls } = await run(model, threeCriteria, { criteriaPerCall: 'one' });
    expect(calls).toBe(3);
    expect(analysis.evaluations.map((e) => e.verdict)).toEqual(['passed', 'failed', 'failed', 'passed']);
    expect(model.requests.map((r) => r.body.messages[1].content.split('\n').at(-1))).toEqual([
      'Criterion: The agent gives the delivery day',
      'Criterion: The agent looks the order up',
      'Criterion: The agent offers a refund',
    ]);
  });
});
