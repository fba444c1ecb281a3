import { askJson } from '../model/structured.js';
import type { UsageSink } from '../model/usage.js';
import type { Agent, CaseSnapshot, LlmConfig, Scenario, TestCategory } from '../types.js';
import { TEST_CATEGORIES } from '../types.js';
import {
  CATEGORY_DESCRIPTIONS,
  CATEGORY_LABELS,
  categoryTemplate,
  detectIntents,
  scenarioTemplate,
  type TemplateCase,
} from './templates.js';

export interface GeneratedCase extends CaseSnapshot {
  checks: NonNullable<CaseSnapshot['checks']>;
  category: TestCategory;
  scenario_id: string | null;
}

/** What `generateCases` yields; the server maps these onto the spec's NDJSON lines (it saves cases and adds ids). */
export type GenerateEvent =
  | { type: 'progress'; message: string; completed: number; total: number }
  | { type: 'case'; category: TestCategory; scenario_id: string | null; case: GeneratedCase }
  | { type: 'done'; total: number }
  | { type: 'error'; error: { code: 'generator_failed' | 'aborted'; message: string } };

export interface GenerateOptions {
  agent: Agent;
  /** Default: all seven categories. */
  categories?: readonly TestCategory[];
  scenarios?: readonly Scenario[];
  /** Language of the generated cases (passed to the LLM; the offline templates are English). */
  language?: string;
  llm?: LlmConfig;
  signal?: AbortSignal;
  /** Receives the usage of each generator call (nothing offline). */
  onUsage?: UsageSink;
}

/** Cases scenarios yield count as task completion, the category that checks a goal is reached. */
const SCENARIO_CATEGORY: TestCategory = 'task_completion';

interface PlanItem {
  category: TestCategory;
  scenario?: Scenario;
  label: string;
}

/**
 * Generates one case per requested category and one per scenario, as a stream: a progress event
 * before each case, the case, and finally `done` — or `error` if generation stops part-way (cases
 * already yielded stay valid). LLM-written when `llm` is set, else deterministic templates.
 */
export async function* generateCases(options: GenerateOptions): AsyncGenerator<GenerateEvent> {
  const categories = options.categories && options.categories.length > 0 ? options.categories : TEST_CATEGORIES;
  const plan: PlanItem[] = [
    ...categories.map((category) => ({ category, label: CATEGORY_LABELS[category] })),
    ...(options.scenarios ?? []).map((scenario) => ({ category: SCENARIO_CATEGORY, scenario, label: `scenario "${scenario.name}"` })),
  ];
  const intents = detectIntents(options.agent.prompt);
  const total = plan.length;

  for (const [index, item] of plan.entries()) {
    if (options.signal?.aborted) {
      yield { type: 'error', error: { code: 'aborted', message: 'generation was aborted' } };
      return;
    }
    yield { type: 'progress', message: `Generating case ${index + 1} of ${total}: ${item.label}`, completed: index, total };
    let template: TemplateCase;
    if (options.llm) {
      try {
        template = await writeWithLlm(options.llm, options.agent, item, options.language ?? 'en', options);
      } catch (error) {
        const aborted = options.signal?.aborted === true;
        yield {
          type: 'error',
          error: {
            code: aborted ? 'aborted' : 'generator_failed',
            message: aborted ? 'generation was aborted' : `the generator failed: ${error instanceof Error ? error.message : String(error)}`,
          },
        };
        return;
      }
    } else {
      template = item.scenario
        ? scenarioTemplate(item.scenario, options.agent)
        : categoryTemplate(item.category, intents[index % intents.length]!, options.agent);
    }
    yield {
      type: 'case',
      category: item.category,
      scenario_id: item.scenario?.id ?? null,
      case: { ...template, checks: template.checks, category: item.category, scenario_id: item.scenario?.id ?? null },
    };
  }
  yield { type: 'progress', message: `Generated ${total} cases`, completed: total, total };
  yield { type: 'done', total };
}

export const GENERATOR_SYSTEM_PROMPT = [
  'You write test cases for a phone agent. A simulated caller will play the case prompt, and the success criteria will be judged on the transcript.',
  'Answer with a JSON object only, no other text:',
  '{"name": "short title", "prompt": "who the caller is and what they want, in the second person (You are ...)", "success_criteria": ["1 to 5 checkable statements about the agent"], "call_success_type": "all" or "any"}',
].join(' ');

const CASE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'prompt', 'success_criteria', 'call_success_type'],
  properties: {
    name: { type: 'string' },
    prompt: { type: 'string' },
    success_criteria: { type: 'array', items: { type: 'string' } },
    call_success_type: { type: 'string', enum: ['all', 'any'] },
  },
};

async function writeWithLlm(
  llm: LlmConfig,
  agent: Agent,
  item: PlanItem,
  language: string,
  options: Pick<GenerateOptions, 'signal' | 'onUsage'>,
): Promise<TemplateCase> {
  const user = [
    `The agent's prompt:\n${agent.prompt}`,
    `Category: ${item.category} — ${CATEGORY_DESCRIPTIONS[item.category]}.`,
    ...(item.scenario ? [`Scenario to cover: ${item.scenario.name} — ${item.scenario.description}`] : []),
    `Write the case in the language "${language}". Write one test case.`,
  ].join('\n\n');
  const raw = await askJson(
    llm,
    {
      messages: [
        { role: 'system', content: GENERATOR_SYSTEM_PROMPT },
        { role: 'user', content: user },
      ],
      format: { name: 'test_case', schema: CASE_SCHEMA },
    },
    { ...(options.signal ? { signal: options.signal } : {}), ...(options.onUsage ? { onUsage: options.onUsage } : {}) },
  );
  const text = (value: unknown, field: string, max: number) => {
    if (typeof value !== 'string' || value.trim() === '' || value.length > max)
      throw new Error(`"${field}" must be a non-empty string of at most ${max} characters`);
    return value.trim();
  };
  if (!Array.isArray(raw.success_criteria) || raw.success_criteria.length < 1 || raw.success_criteria.length > 25) {
    throw new Error('"success_criteria" must be an array of 1 to 25 strings');
  }
  const success_criteria = raw.success_criteria.map((c, i) => text(c, `success_criteria[${i}]`, 1000));
  const type = raw.call_success_type ?? 'all';
  if (type !== 'all' && type !== 'any') throw new Error('"call_success_type" must be "all" or "any"');
  return {
    name: text(raw.name, 'name', 200),
    prompt: text(raw.prompt, 'prompt', 20_000),
    success_criteria,
    call_success_type: type,
    checks: [],
  };
}
