/**
 * What judging and running cases cost in model calls and tokens, counted on the model fixture
 * (`@sims/testkit`: a local OpenAI-protocol server whose usage is 4 characters a token, prompt =
 * message texts + tool and response-format definitions). Nothing here is timed: the figures are
 * counts, the same on every run and every machine.
 *
 * 1. The judge, one call per criterion (`one`) against one call for all criteria of a case (`all`),
 *    on the transcript of a realistic call (the builtin shop agent, four caller turns, a tool call),
 *    for cases of 1, 3 and 5 criteria.
 * 2. A suite of N cases run end to end with model roles: an LLM caller (3 messages), an `openai`
 *    agent with a tool answered by a mock (greeting, one tool round, two replies) and the judge
 *    (3 criteria, both modes), through the runner pool.
 *
 *   pnpm --filter @sims/engine run bench:judge        (BENCH_N=20 cases by default)
 */
import { modelAnswers, startModelFixture, type ModelRequest } from '../packages/testkit/src/model-fixture.js';
import {
  createRunnerPool,
  judge,
  runSimulation,
  SHOP_SUPPORT_PROMPT,
  type Agent,
  type CaseSnapshot,
  type CriteriaPerCall,
  type ModelUsage,
  type SimulationUsage,
} from '../packages/engine/src/index.js';

const N = Number(process.env.BENCH_N ?? 20);

const CRITERIA = [
  'The agent greets the caller and names the shop',
  'The agent looks the order up before answering',
  'The agent gives the delivery status of order 12345',
  'The agent explains whether the order can still be cancelled',
  'The agent stays polite throughout the call',
];
const REASONING = 'The transcript shows the agent doing this: it says so in its second reply, after the lookup.';

/** Answers a judge request in the shape it asks for: the schema's keys, or the criteria listed in the text. */
function judgeAnswer(request: ModelRequest) {
  const schema = request.body?.response_format?.json_schema?.schema;
  const keys: string[] | undefined = schema?.required?.[0]?.startsWith('criterion_') ? schema.required : undefined;
  if (!keys) return modelAnswers.json({ reasoning: REASONING, success: true });
  return modelAnswers.json(Object.fromEntries(keys.map((key) => [key, { reasoning: REASONING, success: true }])));
}

const zero = (): ModelUsage => ({ calls: 0, prompt_tokens: 0, completion_tokens: 0, latency_ms: 0 });
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;

// 1. The judge on one realistic transcript.
const recorded = await runSimulation({
  case: {
    name: 'order status',
    prompt: 'You are Dana. You want to know where order 12345 is and whether you can still cancel it.',
    success_criteria: [],
    call_success_type: 'all',
    caller_turns: [
      'Hi, I am calling about my order 12345. Where is it?',
      'When will it arrive?',
      'Can I still cancel it?',
      'OK, thank you. Bye.',
    ],
  },
  agent: { id: 'shop', name: 'Nora', prompt: SHOP_SUPPORT_PROMPT, connector: { kind: 'builtin', builtin: 'shop_support' } },
});
if (recorded.error_info) throw new Error(recorded.error_info.message);
const judgeModel = await startModelFixture({ respond: judgeAnswer });
const llm = { base_url: judgeModel.url, model: 'judge' };

console.log(`judge cost on the model fixture (4 characters a token); transcript of ${recorded.timeline.length} events`);
console.log(row(['criteria', 'mode', 'calls', 'prompt tokens', 'completion tokens', 'total tokens', 'tokens per criterion']));
console.log(row(['---', '---', '---', '---', '---', '---', '---']));
for (const count of [1, 3, 5]) {
  const snapshot: CaseSnapshot = {
    name: 'judged',
    prompt: 'You are Dana.',
    success_criteria: CRITERIA.slice(0, count),
    call_success_type: 'all',
  };
  for (const mode of ['one', 'all'] as CriteriaPerCall[]) {
    const used = zero();
    const analysis = await judge(snapshot, recorded.timeline, {
      llm,
      criteriaPerCall: mode,
      onUsage: (u) => {
        used.calls += u.calls;
        used.prompt_tokens += u.prompt_tokens;
        used.completion_tokens += u.completion_tokens;
      },
    });
    if (!analysis.evaluations.every((e) => e.verdict === 'passed')) throw new Error(`unexpected verdicts: ${JSON.stringify(analysis)}`);
    const total = used.prompt_tokens + used.completion_tokens;
    console.log(row([count, mode, used.calls, used.prompt_tokens, used.completion_tokens, total, (total / count).toFixed(0)]));
  }
}
await judgeModel.close();

// 2. A suite of N cases with every role on a model.
const CALLER = ['Hi, I am calling about my order 12345. Where is it?', 'When will it arrive?', 'Great, thank you. Goodbye! [END_CALL]'];
const persona = await startModelFixture({
  respond: (request) => {
    const said = request.body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
    return modelAnswers.text(CALLER[Math.min(said, CALLER.length - 1)]!);
  },
});
const agentModel = await startModelFixture({
  respond: (request) => {
    const messages = request.body.messages as Array<{ role: string; content: string | null }>;
    const last = messages.at(-1)!;
    if (last.role === 'tool') return modelAnswers.text('Order 12345 has shipped and should arrive on Thursday.');
    if (/Where is it/.test(last.content ?? '')) return modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: '12345' } });
    if (/arrive/.test(last.content ?? '')) return modelAnswers.text('It should arrive on Thursday between 9 am and 5 pm.');
    return modelAnswers.text('Northwind Shop support, this is Nora. How can I help you today?');
  },
});
const suiteJudge = await startModelFixture({ respond: judgeAnswer });
const agent: Agent = {
  id: 'model-agent',
  name: 'Nora',
  prompt: SHOP_SUPPORT_PROMPT,
  connector: {
    kind: 'openai',
    base_url: agentModel.url,
    model: 'agent',
    tools: [
      {
        name: 'lookup_order',
        description: 'Looks an order up by its number.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
      },
    ],
  },
};
const snapshot: CaseSnapshot = {
  name: 'order status',
  prompt: 'You are Dana. You want to know where order 12345 is and when it arrives.',
  success_criteria: CRITERIA.slice(0, 3),
  call_success_type: 'all',
  tool_mocks: [{ name: 'lookup_order', result: { order_id: '12345', status: 'shipped', delivery: 'Thursday' } }],
  checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } }],
};

console.log('');
console.log(`a suite of N=${N} cases, every role on a model (LLM caller, openai agent with a mocked tool, judge of 3 criteria)`);
console.log(
  row([
    'judge mode',
    'role',
    'calls per case',
    'prompt tokens per case',
    'completion tokens per case',
    `calls for N=${N}`,
    `tokens for N=${N}`,
  ]),
);
console.log(row(['---', '---', '---', '---', '---', '---', '---']));
for (const mode of ['one', 'all'] as CriteriaPerCall[]) {
  const pool = createRunnerPool({ concurrency: 4 });
  const results = await Promise.all(
    Array.from({ length: N }, () =>
      pool.run(() =>
        runSimulation({
          case: snapshot,
          agent,
          criteriaPerCall: mode,
          network: { allowPrivateNetworks: true },
          llm: { persona: { base_url: persona.url, model: 'caller' }, judge: { base_url: suiteJudge.url, model: 'judge' } },
        }),
      ),
    ),
  );
  const sum: SimulationUsage = { persona: zero(), agent: zero(), judge: zero(), total: zero() };
  for (const result of results) {
    if (result.error_info || !result.analysis?.success)
      throw new Error(`a case failed: ${JSON.stringify(result.error_info ?? result.analysis)}`);
    for (const role of ['persona', 'agent', 'judge', 'total'] as const) {
      sum[role].calls += result.usage[role].calls;
      sum[role].prompt_tokens += result.usage[role].prompt_tokens;
      sum[role].completion_tokens += result.usage[role].completion_tokens;
    }
  }
  for (const role of ['persona', 'agent', 'judge', 'total'] as const) {
    const u = sum[role];
    console.log(
      row([mode, role, u.calls / N, u.prompt_tokens / N, u.completion_tokens / N, u.calls, u.prompt_tokens + u.completion_tokens]),
    );
  }
}
await Promise.all([persona.close(), agentModel.close(), suiteJudge.close()]);
