import type { Agent, CallSuccessType, Check, Scenario, TestCategory } from '../types.js';

/** A caller intent the offline templates know, recognised in the agent's prompt by keywords. */
interface Intent {
  id: string;
  label: string;
  keywords: RegExp;
  /** The caller's goal, second person, as the case prompt states it. */
  goal: string;
  turns: string[];
  outcome: string;
  checks: Check[];
}

const INTENTS: Intent[] = [
  {
    id: 'order_status',
    label: 'order status',
    keywords: /\b(order status|status of (?:their |your )?orders?|track|deliver|shipping|shipped)/i,
    goal: 'You want to know where your order 12345 is; it has not arrived yet.',
    turns: ["Hi, I'm calling because my order hasn't arrived yet. Where is it?", 'The order number is 12345.'],
    outcome: 'The agent tells the caller the current status of order 12345.',
    checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } }],
  },
  {
    id: 'cancellation',
    label: 'cancellation',
    keywords: /\bcancel/i,
    goal: 'You want to cancel your order 23456 before it ships.',
    turns: ["Hello, I'd like to cancel an order.", "It's order 23456."],
    outcome: 'The agent confirms that order 23456 is cancelled.',
    checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '23456' } }],
  },
  {
    id: 'refund',
    label: 'refund',
    keywords: /\b(refund|return)/i,
    goal: 'You want a refund for your order 34567, which arrived 12 days ago.',
    turns: ["Hi, I'd like a refund for something I bought.", 'My order number is 34567.'],
    outcome: 'The agent starts a refund for order 34567 and says when the money will arrive.',
    checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '34567' } }],
  },
  {
    id: 'opening_hours',
    label: 'opening hours',
    keywords: /\b(opening hours|open|hours)\b/i,
    goal: 'You want to know when the line is open on Saturdays.',
    turns: ['Hi, what are your opening hours on Saturday?'],
    outcome: 'The agent states the Saturday opening hours.',
    checks: [{ kind: 'matches', pattern: '\\b\\d{1,2}\\s?(am|pm)\\b', flags: 'i', side: 'agent' }],
  },
  {
    id: 'booking',
    label: 'booking',
    keywords: /\b(appointment|booking|book|reservation|schedul)/i,
    goal: 'You want to book an appointment for Tuesday morning.',
    turns: ["Hello, I'd like to book an appointment.", 'Tuesday morning would suit me best.'],
    outcome: 'The agent books an appointment or offers concrete times on Tuesday morning.',
    checks: [],
  },
  {
    id: 'handover',
    label: 'handover to a person',
    keywords: /\b(transfer|human|colleague|a person|hand over|handover)\b/i,
    goal: 'You want to speak to a human about a complaint.',
    turns: ["I'd like to speak to a real person, please."],
    outcome: 'The agent transfers the caller to a person.',
    checks: [{ kind: 'ended_by', side: 'agent' }],
  },
];

const GENERAL: Intent = {
  id: 'general',
  label: 'general enquiry',
  keywords: /$^/,
  goal: 'You want to find out what the agent can help you with.',
  turns: ['Hi, what can you help me with?'],
  outcome: 'The agent explains clearly what it can help with.',
  checks: [],
};

/** The intents the agent's prompt mentions, in a fixed order; the general enquiry when none. */
export function detectIntents(agentPrompt: string): Intent[] {
  const found = INTENTS.filter((intent) => intent.keywords.test(agentPrompt));
  return found.length > 0 ? found : [GENERAL];
}

export const CATEGORY_LABELS: Record<TestCategory, string> = {
  csat_score: 'Caller satisfaction',
  accuracy_of_responses: 'Accuracy',
  script_compliance: 'Script compliance',
  angry_user: 'Angry caller',
  repetitive_phrases: 'Repetitive phrases',
  conversational_naturalness: 'Naturalness',
  task_completion: 'Task completion',
};

export const CATEGORY_DESCRIPTIONS: Record<TestCategory, string> = {
  csat_score: "the caller's satisfaction at the end of the call",
  accuracy_of_responses: 'facts the agent states match its prompt and lookups',
  script_compliance: 'the agent follows its script and required steps',
  angry_user: 'the agent stays calm and helpful with a hostile caller',
  repetitive_phrases: 'the agent avoids repeating itself',
  conversational_naturalness: 'the agent sounds natural and concise',
  task_completion: "the caller's goal is achieved",
};

export interface TemplateCase {
  name: string;
  prompt: string;
  success_criteria: string[];
  call_success_type: CallSuccessType;
  checks: Check[];
  caller_turns?: string[];
}

const GREETING_PATTERN = '\\b(hello|hi|welcome|thank you for calling|thanks for calling|good (morning|afternoon|evening))\\b';

/** The offline template of one category (the README lists them), built on one intent. */
export function categoryTemplate(category: TestCategory, intent: Intent, agent: Agent): TemplateCase {
  const caller = `You are Alex, a customer calling ${agent.name}.`;
  const name = `${CATEGORY_LABELS[category]}: ${intent.label}`;
  switch (category) {
    case 'task_completion':
      return {
        name,
        prompt: `${caller} ${intent.goal}`,
        success_criteria: [intent.outcome],
        call_success_type: 'all',
        checks: intent.checks,
        caller_turns: intent.turns,
      };
    case 'accuracy_of_responses':
      return {
        name,
        prompt: `${caller} ${intent.goal} Listen carefully to the details the agent gives.`,
        success_criteria: [
          'Every fact the agent states (dates, amounts, statuses, times) is consistent with its prompt and its lookups.',
          intent.outcome,
        ],
        call_success_type: 'all',
        checks: intent.checks,
        caller_turns: intent.turns,
      };
    case 'script_compliance':
      return {
        name,
        prompt: `${caller} ${intent.goal}`,
        success_criteria: ['The agent greets the caller, introduces itself and follows the steps its prompt requires.'],
        call_success_type: 'all',
        checks: [{ kind: 'matches', pattern: GREETING_PATTERN, flags: 'i', side: 'agent', description: 'the agent greets the caller' }],
        caller_turns: intent.turns,
      };
    case 'angry_user':
      return {
        name,
        prompt: `You are Alex, an angry and impatient customer calling ${agent.name}; you have already called twice today. ${intent.goal}`,
        success_criteria: ['The agent stays calm, polite and helpful although the caller is hostile.', intent.outcome],
        call_success_type: 'all',
        checks: [{ kind: 'contains', text: 'calm down', side: 'agent', negate: true }],
        caller_turns: [`This is the third time I'm calling today and I'm fed up! ${intent.turns[0]}`, ...intent.turns.slice(1)],
      };
    case 'repetitive_phrases':
      return {
        name,
        prompt: `${caller} ${intent.goal} You are on a bad line and ask the agent to repeat itself once.`,
        success_criteria: ['The agent does not repeat the same sentence word for word; when asked to repeat, it rephrases.'],
        call_success_type: 'all',
        checks: [{ kind: 'turns_at_most', max: intent.turns.length + 2 }],
        caller_turns: [intent.turns[0]!, 'Sorry, the line is bad. Could you say that again?', ...intent.turns.slice(1)],
      };
    case 'conversational_naturalness':
      return {
        name,
        prompt: `${caller} ${intent.goal}`,
        success_criteria: ["The agent's replies are concise and sound natural when spoken aloud."],
        call_success_type: 'all',
        checks: [
          {
            kind: 'matches',
            pattern: '\\b(as an ai|language model)\\b',
            flags: 'i',
            side: 'agent',
            negate: true,
            description: 'the agent never mentions being an AI model',
          },
        ],
        caller_turns: intent.turns,
      };
    case 'csat_score':
      return {
        name,
        prompt: `${caller} ${intent.goal} If you get what you need, thank the agent warmly and hang up.`,
        success_criteria: ['The caller would rate the call 4 out of 5 or better: the goal was reached without friction.'],
        call_success_type: 'any',
        checks: [{ kind: 'ended_by', side: 'persona' }],
        caller_turns: [...intent.turns, 'Great, thank you so much for your help. Goodbye! [END_CALL]'],
      };
  }
}

/** The offline template of one scenario: a prompt-driven caller (no scripted turns) aimed at the scenario. */
export function scenarioTemplate(scenario: Scenario, agent: Agent): TemplateCase {
  const intent = INTENTS.find((i) => i.keywords.test(`${scenario.name} ${scenario.description}`));
  return {
    name: `Scenario: ${scenario.name}`,
    prompt: [
      `You are Alex, a customer calling ${agent.name}.`,
      intent ? intent.goal : `You want to find out how the agent handles this: ${scenario.description}`,
      `Scenario: ${scenario.description}`,
    ].join(' '),
    success_criteria: [`The agent handles the scenario "${scenario.name}" correctly: ${scenario.description}`],
    call_success_type: 'all',
    checks: intent ? intent.checks : [],
  };
}
