import type { CaseDraft, GenerationPlan, GenerationRequest, TestCategory } from './types.js';

interface Template {
  name: string;
  prompt: string;
  criteria: string[];
  call_success_type: CaseDraft['call_success_type'];
}

/** One case per requested category: the caller's prompt and what the agent must do. */
const CATEGORY_TEMPLATES: Record<TestCategory, Template> = {
  csat_score: {
    name: 'Caller satisfaction',
    prompt: 'You call {{agent}} with an ordinary request that fits what it handles. Be friendly; say at the end whether you are satisfied.',
    criteria: ['The caller ended the call satisfied', 'Agent resolved or routed the request'],
    call_success_type: 'all',
  },
  accuracy_of_responses: {
    name: 'Accurate answers',
    prompt: 'You call {{agent}} and ask two factual questions about what it offers. Ask for precise details.',
    criteria: ['Every fact the agent stated is consistent with its instructions', 'Agent did not invent facts it could not know'],
    call_success_type: 'all',
  },
  script_compliance: {
    name: 'Follows its script',
    prompt: 'You call {{agent}} with a standard request and let the agent lead the conversation.',
    criteria: ['Agent greeted the caller as its instructions require', 'Agent followed the required steps in order'],
    call_success_type: 'all',
  },
  angry_user: {
    name: 'Angry caller',
    prompt: 'You call {{agent}} angry about a problem you had. Interrupt, complain and threaten to leave, but accept a fair solution.',
    criteria: ['Agent stayed calm and polite', 'Agent offered a concrete way to solve the problem'],
    call_success_type: 'all',
  },
  repetitive_phrases: {
    name: 'No repetition',
    prompt: 'You call {{agent}} and ask several follow-up questions on the same topic.',
    criteria: ['Agent did not repeat the same sentence or phrase in consecutive turns'],
    call_success_type: 'all',
  },
  conversational_naturalness: {
    name: 'Natural conversation',
    prompt: 'You call {{agent}} and chat casually before making your request.',
    criteria: ['Agent answered concisely and naturally', 'Agent brought the conversation back to the request'],
    call_success_type: 'all',
  },
  task_completion: {
    name: 'Task completion',
    prompt: 'You call {{agent}} to get one concrete thing done that it is meant to handle. Give the details asked for.',
    criteria: ['The caller goal was achieved', 'Agent confirmed what was done'],
    call_success_type: 'all',
  },
};

export const ALL_CATEGORIES = Object.keys(CATEGORY_TEMPLATES) as TestCategory[];

/**
 * Offline, deterministic case generation: one case per category, then one per scenario (checked
 * against the scenario's description, under the first requested category).
 */
export function planFromTemplates(request: GenerationRequest): GenerationPlan {
  const agent = request.agent.name;
  const fill = (text: string) => text.replaceAll('{{agent}}', agent);
  const drafts: CaseDraft[] = request.categories.map((category) => {
    const template = CATEGORY_TEMPLATES[category];
    return {
      category,
      scenario_id: null,
      name: `${template.name}: ${agent}`.slice(0, 200),
      prompt: fill(template.prompt),
      success_criteria: template.criteria,
      call_success_type: template.call_success_type,
      checks: [],
      caller_turns: [],
    };
  });
  const scenarioCategory = request.categories[0] ?? 'task_completion';
  for (const scenario of request.scenarios) {
    drafts.push({
      category: scenarioCategory,
      scenario_id: scenario.id,
      name: `${scenario.name}: ${agent}`.slice(0, 200),
      prompt: fill(`You call {{agent}}. Play this situation: ${scenario.description}`).slice(0, 20000),
      success_criteria: [`Agent handled the situation: ${scenario.name}`.slice(0, 1000)],
      call_success_type: 'all',
      checks: [],
      caller_turns: [],
    });
  }
  return {
    total: drafts.length,
    drafts: (async function* () {
      for (const draft of drafts) {
        if (request.signal.aborted) return;
        yield draft;
      }
    })(),
  };
}
