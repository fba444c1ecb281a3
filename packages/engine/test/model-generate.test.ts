import { modelAnswers, refusingResponseFormat, startModelFixture, type ModelFixture } from '@sims/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CRITERIA_SYSTEM_PROMPT,
  draftSuccessCriteria,
  generateCases,
  type GenerateEvent,
  type LlmConfig,
  type ModelUsage,
} from '../src/index.js';
import { shopAgent } from './helpers.js';

/** Case generation and drafted criteria against the model fixture: structured output, the text fallback, usage. */
let model: ModelFixture | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});
const config = (m: ModelFixture): LlmConfig => ({ base_url: m.url, model: 'writer' });
const written = {
  name: 'Refund',
  prompt: 'You want a refund.',
  success_criteria: ['The agent offers a refund.'],
  call_success_type: 'all',
};

describe('case generation', () => {
  it('asks for a strict test_case schema and reports each call through onUsage', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.json(written) });
    const usage: ModelUsage[] = [];
    const events: GenerateEvent[] = [];
    for await (const event of generateCases({
      agent: shopAgent,
      categories: ['angry_user', 'csat_score'],
      llm: config(model),
      onUsage: (u) => usage.push(u),
    })) {
      events.push(event);
    }
    expect(events.filter((e) => e.type === 'case')).toHaveLength(2);
    expect(model.requests[0]!.body.response_format.json_schema).toMatchObject({ name: 'test_case', strict: true });
    expect(usage.map((u) => u.calls)).toEqual([1, 1]);
    expect(usage.reduce((sum, u) => sum + u.prompt_tokens + u.completion_tokens, 0)).toBe(
      model.usage.prompt_tokens + model.usage.completion_tokens,
    );
  });

  it('falls back to text parsing when the server refuses response_format', async () => {
    model = await startModelFixture({ respond: refusingResponseFormat(() => modelAnswers.proseJson(written)) });
    const events: GenerateEvent[] = [];
    for await (const event of generateCases({ agent: shopAgent, categories: ['angry_user'], llm: config(model) })) events.push(event);
    expect(events.find((e) => e.type === 'case')).toMatchObject({ case: { name: 'Refund' } });
    expect(model.requests).toHaveLength(2);
  });

  it('stops with generator_failed on a refusal', async () => {
    model = await startModelFixture({ respond: () => modelAnswers.refusal() });
    const events: GenerateEvent[] = [];
    for await (const event of generateCases({ agent: shopAgent, categories: ['angry_user'], llm: config(model) })) events.push(event);
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'generator_failed', message: expect.stringContaining('the model refused') },
    });
  });
});

describe('draftSuccessCriteria', () => {
  const transcript = 'agent: Northwind support.\ncaller: Where is order 12345?\nagent: It arrives on Thursday.';

  it('asks for 1 to 5 criteria with a strict schema and returns them trimmed', async () => {
    model = await startModelFixture();
    model.queue(modelAnswers.json({ criteria: [' The agent gives the delivery day ', 'The agent greets the caller'] }));
    const usage: ModelUsage[] = [];
    expect(await draftSuccessCriteria(config(model), transcript, { onUsage: (u) => usage.push(u) })).toEqual([
      'The agent gives the delivery day',
      'The agent greets the caller',
    ]);
    const body = model.requests[0]!.body;
    expect(body.messages).toEqual([
      { role: 'system', content: CRITERIA_SYSTEM_PROMPT },
      { role: 'user', content: `Transcript:\n${transcript}` },
    ]);
    expect(body.response_format.json_schema).toMatchObject({ name: 'success_criteria', strict: true });
    expect(usage[0]!.calls).toBe(1);
  });

  it('keeps at most five, skips blank ones, and reads a fenced answer after a refused response_format', async () => {
    model = await startModelFixture({
      respond: refusingResponseFormat(() => modelAnswers.fencedJson({ criteria: ['a', ' ', 'b', 'c', 'd', 'e', 'f'] })),
    });
    expect(await draftSuccessCriteria(config(model), transcript)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.each([
    ['no criteria', modelAnswers.json({ criteria: [] }), 'the model drafted no criteria'],
    ['no array', modelAnswers.json({ criteria: 'a' }), '"criteria" is not an array'],
    ['a refusal', modelAnswers.refusal('No.'), 'the model refused: No.'],
  ])('throws on %s', async (_label, answer, message) => {
    model = await startModelFixture();
    model.queue(answer);
    await expect(draftSuccessCriteria(config(model), transcript)).rejects.toThrow(message);
  });
});
