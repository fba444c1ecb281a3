import { afterEach, describe, expect, it } from 'vitest';
import {
  generateCases,
  judge,
  llmConfigFromEnv,
  runSimulation,
  type Agent,
  type GenerateEvent,
  type LlmConfig,
  type TimelineItem,
} from '../src/index.js';
import { lines, makeCase, shopAgent, startOpenAiServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const llm = (s: TestServer): LlmConfig => ({ base_url: `${s.url}/v1/`, model: 'test-model', api_key: 'sk-test' });
const allow = { allowPrivateNetworks: true };

describe('openai agent connector', () => {
  it('sends the substituted agent prompt as system message and ends on the marker', async () => {
    server = await startOpenAiServer(['Hello, Acme clinic, how can I help?', 'Your appointment is on Monday. Goodbye! [END_CALL]']);
    const agent: Agent = {
      id: 'agent-ai',
      name: 'Clinic',
      prompt: 'You are the receptionist of {{clinic}}.',
      connector: { kind: 'openai', base_url: `${server.url}/v1`, model: 'agent-model', api_key: 'sk-agent' },
    };
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['When is my appointment?'] }),
      agent,
      customVariables: { clinic: 'Acme clinic' },
      network: allow,
    });
    expect(result.error_info).toBeUndefined();
    expect(lines(result.timeline)).toEqual([
      'agent message: Hello, Acme clinic, how can I help?',
      'persona message: When is my appointment?',
      'agent message: Your appointment is on Monday. Goodbye!',
      'agent end_call: The agent ended the call.',
    ]);
    const [first, second] = server.requests;
    expect(first!.headers.authorization).toBe('Bearer sk-agent');
    expect(first!.body.model).toBe('agent-model');
    expect(first!.body.messages[0].role).toBe('system');
    expect(first!.body.messages[0].content).toMatch(/^You are the receptionist of Acme clinic\.\n\n.*\[END_CALL\]/s);
    expect(first!.body.messages[1]).toEqual({ role: 'user', content: '[The call has connected. Greet the caller.]' });
    expect(second!.body.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Hello, Acme clinic, how can I help?' },
      { role: 'user', content: 'When is my appointment?' },
    ]);
  });

  it('reports a response without content as 424 agent_malformed_reply', async () => {
    server = await startOpenAiServer(['']);
    const agent: Agent = { ...shopAgent, connector: { kind: 'openai', base_url: `${server.url}/v1`, model: 'm' } };
    const result = await runSimulation({ case: makeCase(), agent, network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_malformed_reply' });
  });

  it('guards the base URL like a webhook', async () => {
    server = await startOpenAiServer(['hi']);
    const agent: Agent = { ...shopAgent, connector: { kind: 'openai', base_url: `${server.url}/v1`, model: 'm' } };
    const result = await runSimulation({ case: makeCase(), agent, network: {} });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_url_refused' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('LLM persona', () => {
  it('plays the case prompt with the agent as user and ends on the marker', async () => {
    server = await startOpenAiServer(['Hi, I would like to know your opening hours.', 'Great, thanks. Bye! [END_CALL]']);
    const result = await runSimulation({
      case: makeCase({ prompt: 'You are {{name}}. You want the opening hours.' }),
      agent: shopAgent,
      customVariables: { name: 'Dana' },
      llm: { persona: llm(server) },
    });
    expect(result.error_info).toBeUndefined();
    expect(result.endedBy).toBe('persona');
    expect(lines(result.timeline).slice(1)).toEqual([
      'persona message: Hi, I would like to know your opening hours.',
      expect.stringMatching(/^agent message: Our support line is open/),
      'persona message: Great, thanks. Bye!',
      'persona end_call: The caller ended the call.',
    ]);
    const body = server.requests[1]!.body;
    expect(body.messages[0].content).toContain('You are Dana. You want the opening hours.');
    expect(body.messages.slice(1).map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('fails the simulation with 500 persona_error when the persona model fails', async () => {
    server = await startOpenAiServer([]);
    const broken: LlmConfig = { base_url: `${server.url}/wrong-path`, model: 'm' };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, llm: { persona: broken } });
    expect(result.error_info).toMatchObject({ code: 500, type: 'persona_error' });
    expect(result.error_info!.message).toContain('HTTP 404');
  });

  it('leaves scripted caller turns to the script even with an LLM configured', async () => {
    server = await startOpenAiServer(['should not be used']);
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['What are your opening hours?'] }),
      agent: shopAgent,
      llm: { persona: llm(server) },
    });
    expect(lines(result.timeline)[1]).toBe('persona message: What are your opening hours?');
    expect(server.requests).toHaveLength(0);
  });
});

describe('LLM judge', () => {
  const timeline: TimelineItem[] = [
    { sender_type: 'agent', type: 'message', value: 'We open at 9.', timestamp: '0.000', timestamp_datetime: '2025-01-01T00:00:00.000Z' },
    {
      sender_type: 'persona',
      type: 'end_call',
      value: 'The caller ended the call.',
      timestamp: '1.000',
      timestamp_datetime: '2025-01-01T00:00:01.000Z',
    },
  ];

  it('decides natural-language criteria from strict JSON, in order, before checks (one call per criterion)', async () => {
    server = await startOpenAiServer([
      '```json\n{"success": true, "reasoning": "The agent said it opens at 9."}\n```',
      '{"success": false, "reasoning": "The agent never mentioned Sundays."}',
    ]);
    const analysis = await judge(
      makeCase({
        prompt: 'You want hours.',
        success_criteria: ['States the opening time', 'Mentions Sundays'],
        call_success_type: 'any',
        checks: [{ kind: 'ended_by', side: 'agent' }],
      }),
      timeline,
      { llm: llm(server), criteriaPerCall: 'one' },
    );
    expect(analysis).toEqual({
      success: true,
      evaluations: [
        { success: true, verdict: 'passed', criterion: 'States the opening time', reasoning: 'The agent said it opens at 9.' },
        { success: false, verdict: 'failed', criterion: 'Mentions Sundays', reasoning: 'The agent never mentioned Sundays.' },
        { success: false, verdict: 'failed', criterion: 'the agent ends the call', reasoning: 'The caller ended the call.' },
      ],
    });
    const user = server.requests[0]!.body.messages[1].content as string;
    expect(user).toContain('Criterion: States the opening time');
    expect(user).toContain('[0.000s] agent: We open at 9.');
  });

  it.each([
    ['prose', 'Yes, it passed.'],
    ['success not boolean', '{"success": "yes", "reasoning": "ok"}'],
    ['no reasoning', '{"success": true}'],
  ])('reports an unusable verdict (%s) as not_evaluated, never passed', async (_label, content) => {
    server = await startOpenAiServer([content]);
    const analysis = await judge(makeCase({ success_criteria: ['Anything'], call_success_type: 'all' }), timeline, { llm: llm(server) });
    expect(analysis.evaluations[0]).toMatchObject({ verdict: 'not_evaluated', success: false });
    expect(analysis.evaluations[0]!.reasoning).toMatch(/LLM judge failed/);
    expect(analysis.success).toBe(false);
  });
});

describe('LLM case generation', () => {
  async function collect(iterable: AsyncIterable<GenerateEvent>) {
    const events: GenerateEvent[] = [];
    for await (const event of iterable) events.push(event);
    return events;
  }

  it('writes one case per category and scenario from the model', async () => {
    server = await startOpenAiServer([
      (body) =>
        JSON.stringify({
          name: `Case for ${/Category: (\w+)/.exec(body.messages[1].content)![1]}`,
          prompt: 'You are Sam. You want a refund.',
          success_criteria: ['The agent offers a refund.'],
          call_success_type: 'any',
        }),
    ]);
    const events = await collect(
      generateCases({
        agent: shopAgent,
        categories: ['angry_user'],
        scenarios: [{ id: 's1', name: 'Refund', description: 'Refund request' }],
        language: 'de',
        llm: llm(server),
      }),
    );
    const cases = events.flatMap((e) => (e.type === 'case' ? [e] : []));
    expect(cases.map((c) => [c.category, c.scenario_id, c.case.name, c.case.call_success_type])).toEqual([
      ['angry_user', null, 'Case for angry_user', 'any'],
      ['task_completion', 's1', 'Case for task_completion', 'any'],
    ]);
    expect(events.at(-1)).toEqual({ type: 'done', total: 2 });
    const user = server.requests[1]!.body.messages[1].content as string;
    expect(user).toContain('Scenario to cover: Refund — Refund request');
    expect(user).toContain('"de"');
    expect(user).toContain(shopAgent.prompt);
  });

  it('stops with an error event after the cases already sent when the model answers badly', async () => {
    server = await startOpenAiServer(['{"name": "ok", "prompt": "You want x.", "success_criteria": ["y"]}', '{"name": "bad"}']);
    const events = await collect(
      generateCases({ agent: shopAgent, categories: ['csat_score', 'angry_user', 'task_completion'], llm: llm(server) }),
    );
    expect(events.map((e) => e.type)).toEqual(['progress', 'case', 'progress', 'error']);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'generator_failed' } });
  });
});

describe('llmConfigFromEnv', () => {
  it('needs base URL and model', () => {
    expect(llmConfigFromEnv({ SIMS_LLM_BASE_URL: 'http://x/v1', SIMS_LLM_MODEL: 'm', SIMS_LLM_API_KEY: 'k' })).toEqual({
      base_url: 'http://x/v1',
      model: 'm',
      api_key: 'k',
    });
    expect(llmConfigFromEnv({ SIMS_LLM_BASE_URL: 'http://x/v1' })).toBeUndefined();
    expect(llmConfigFromEnv({ JUDGE_BASE_URL: 'http://y', JUDGE_MODEL: 'j' }, 'JUDGE')).toEqual({ base_url: 'http://y', model: 'j' });
  });
});

describe('llmConfigFromEnv retries and time-out', () => {
  it('reads <PREFIX>_MAX_RETRIES and <PREFIX>_TIMEOUT_MS as whole numbers', () => {
    expect(
      llmConfigFromEnv({ SIMS_LLM_BASE_URL: 'http://x/v1', SIMS_LLM_MODEL: 'm', SIMS_LLM_MAX_RETRIES: '0', SIMS_LLM_TIMEOUT_MS: '30000' }),
    ).toEqual({ base_url: 'http://x/v1', model: 'm', max_retries: 0, timeout_ms: 30_000 });
  });

  it.each([
    ['SIMS_LLM_MAX_RETRIES', 'three'],
    ['SIMS_LLM_MAX_RETRIES', '11'],
    ['SIMS_LLM_TIMEOUT_MS', '1.5'],
    ['SIMS_LLM_TIMEOUT_MS', '50'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => llmConfigFromEnv({ SIMS_LLM_BASE_URL: 'http://x/v1', SIMS_LLM_MODEL: 'm', [name]: value })).toThrow(name);
  });
});
