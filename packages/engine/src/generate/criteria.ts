import { LlmReplyError } from '../model/client.js';
import { askJson } from '../model/structured.js';
import type { UsageSink } from '../model/usage.js';
import type { LlmConfig } from '../types.js';

export const MAX_DRAFTED_CRITERIA = 5;
const MAX_CRITERION_CHARS = 1000;

export const CRITERIA_SYSTEM_PROMPT = [
  'You write success criteria for re-running a recorded phone call against an agent under test.',
  'Read the transcript and write 1 to 5 short statements about what the agent does in it that a good agent should do again:',
  'each one checkable from a transcript alone, about the agent, one fact each.',
  'Answer with a JSON object only, no other text: {"criteria": ["...", "..."]}.',
].join(' ');

const CRITERIA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['criteria'],
  properties: { criteria: { type: 'array', items: { type: 'string' } } },
};

/**
 * Asks the model for 1 to 5 success criteria drawn from a transcript (for a case imported from a
 * recorded call): structured output with the text fallback of `askJson`. Criteria past the fifth
 * are dropped, blank ones skipped, and each is cut to the spec's 1000 characters. Throws when the
 * model fails or answers none.
 */
export async function draftSuccessCriteria(
  llm: LlmConfig,
  transcriptText: string,
  options: { signal?: AbortSignal; onUsage?: UsageSink } = {},
): Promise<string[]> {
  const answer = await askJson(
    llm,
    {
      messages: [
        { role: 'system', content: CRITERIA_SYSTEM_PROMPT },
        { role: 'user', content: `Transcript:\n${transcriptText}` },
      ],
      format: { name: 'success_criteria', schema: CRITERIA_SCHEMA },
    },
    options,
  );
  if (!Array.isArray(answer.criteria)) throw new LlmReplyError('"criteria" is not an array');
  const criteria = answer.criteria
    .filter((c): c is string => typeof c === 'string' && c.trim() !== '')
    .map((c) => c.trim().slice(0, MAX_CRITERION_CHARS))
    .slice(0, MAX_DRAFTED_CRITERIA);
  if (criteria.length === 0) throw new LlmReplyError('the model drafted no criteria');
  return criteria;
}
