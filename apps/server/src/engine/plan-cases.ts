import { generateCases, type LlmConfig } from '@sims/engine';
import { toEngineConnector } from './connectors.js';
import type { CaseDraft, GenerationPlan, GenerationRequest } from './types.js';

/**
 * Plans the cases of a generation request with the engine's generator: written by `llm` when one is
 * configured, from the engine's deterministic templates otherwise. Every engine of the server
 * generates through here, so there is one set of templates.
 */
export async function planCases(request: GenerationRequest, llm?: LlmConfig): Promise<GenerationPlan> {
  const events = generateCases({
    agent: {
      id: request.agent.id,
      name: request.agent.name,
      prompt: request.agent.prompt,
      connector: toEngineConnector(request.agent.connector),
    },
    categories: request.categories,
    scenarios: request.scenarios.map((s) => ({ id: s.id, name: s.name, description: s.description })),
    language: request.language,
    ...(llm ? { llm } : {}),
    signal: request.signal,
  });
  return {
    total: request.categories.length + request.scenarios.length,
    drafts: (async function* (): AsyncGenerator<CaseDraft> {
      for await (const event of events) {
        if (event.type === 'case') {
          const c = event.case;
          yield withoutNul({
            category: event.category,
            scenario_id: event.scenario_id,
            name: c.name.slice(0, 200),
            prompt: c.prompt.slice(0, 20000),
            success_criteria: c.success_criteria,
            call_success_type: c.call_success_type,
            checks: c.checks,
            caller_turns: c.caller_turns ?? [],
          });
        } else if (event.type === 'error') {
          if (event.error.code === 'aborted') return;
          throw new Error(event.error.message);
        }
      }
    })(),
  };
}

/**
 * A model may write U+0000, which PostgreSQL's text cannot hold and the API refuses in requests (so a
 * client could not send the case back as it reads): it becomes U+FFFD, in every string of a draft.
 */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [withoutNul(key), withoutNul(item)])) as T;
  return value;
}
