import { ModelRefusalError, askJson } from '../model/structured.js';
import type { UsageSink } from '../model/usage.js';
import type { Analysis, CallSuccessType, CaseSnapshot, Evaluation, LlmConfig, TimelineItem } from '../types.js';
import { evaluateCheck } from './checks.js';
import { readTranscript, renderTranscript } from './transcript.js';

/**
 * How natural-language criteria are put to the LLM judge: `one` call per criterion, or `all` the
 * criteria of a case in one call (a case with one criterion is asked the same way in both).
 */
export type CriteriaPerCall = 'one' | 'all';

/**
 * `all`: measured on the model fixture (bench/judge-calls.ts, README "Real models"), a case of 3
 * criteria costs 1 call and 753 tokens instead of 3 calls and 1489, a case of 5 criteria 1 call and
 * 946 tokens instead of 5 and 2483: the transcript, most of the prompt, is sent once, and fewer calls
 * meet fewer rate limits. Each criterion still has its own schema entry and reasoning, and an entry
 * missing from the answer leaves only that criterion `not_evaluated`. `one` keeps criteria from
 * influencing each other's verdicts, for whoever prefers that at N times the calls.
 */
export const DEFAULT_CRITERIA_PER_CALL: CriteriaPerCall = 'all';

/** Sent with every judge request (with temperature 0) so that providers that honour it repeat their verdicts. */
export const JUDGE_SEED = 14;

export interface JudgeOptions {
  /** An LLM judge for natural-language criteria; without one they are `not_evaluated`. */
  llm?: LlmConfig;
  signal?: AbortSignal;
  criteriaPerCall?: CriteriaPerCall;
  /** Receives the usage of each judge call. */
  onUsage?: UsageSink;
}

export const NO_JUDGE_REASON =
  'Not evaluated: this natural-language criterion needs an LLM judge and none is configured. Configure one, or express the criterion as a deterministic check.';

const JUDGE_ROLE = 'You are a strict evaluator of a phone call between a caller and an agent under test.';

export const JUDGE_SYSTEM_PROMPT = [
  JUDGE_ROLE,
  'Decide whether the given criterion is met, using only the transcript. When the transcript does not show it, it is not met.',
  'Answer with a JSON object only, no other text: {"reasoning": "one or two sentences that cite the transcript", "success": true or false}.',
].join(' ');

export const JUDGE_CRITERIA_SYSTEM_PROMPT = [
  JUDGE_ROLE,
  'Decide for each numbered criterion, on its own and independently of the others, whether it is met, using only the transcript.',
  'When the transcript does not show it, it is not met.',
  'Answer with a JSON object only, no other text, with one entry per criterion:',
  '{"criterion_1": {"reasoning": "one or two sentences that cite the transcript", "success": true or false}, "criterion_2": {...}, ...}.',
].join(' ');

const VERDICT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['reasoning', 'success'],
  properties: { reasoning: { type: 'string' }, success: { type: 'boolean' } },
};

const criterionKey = (index: number) => `criterion_${index + 1}`;

function verdictsSchema(count: number): Record<string, unknown> {
  const keys = Array.from({ length: count }, (_, index) => criterionKey(index));
  return {
    type: 'object',
    additionalProperties: false,
    required: keys,
    properties: Object.fromEntries(keys.map((key) => [key, VERDICT_SCHEMA])),
  };
}

/**
 * Judges a finished call: the case's success criteria first (in order), then its checks (in order).
 * Overall success (the README's judging rule): `all` — at least one evaluation and every one passed
 * (a `not_evaluated` one fails the call); `any` — at least one passed.
 */
export async function judge(snapshot: CaseSnapshot, timeline: readonly TimelineItem[], options: JudgeOptions = {}): Promise<Analysis> {
  const transcript = readTranscript(timeline);
  const criteria = snapshot.success_criteria;
  const evaluations: Evaluation[] = [];
  if (!options.llm) {
    for (const criterion of criteria) evaluations.push(notEvaluated(criterion, NO_JUDGE_REASON));
  } else if ((options.criteriaPerCall ?? DEFAULT_CRITERIA_PER_CALL) === 'all' && criteria.length > 1) {
    evaluations.push(...(await judgeTogether(options.llm, snapshot, timeline, options)));
  } else {
    for (const criterion of criteria) evaluations.push(await judgeOne(options.llm, snapshot, timeline, criterion, options));
  }
  for (const check of snapshot.checks ?? []) evaluations.push(evaluateCheck(check, transcript));
  return { success: combine(snapshot.call_success_type, evaluations), evaluations };
}

export function combine(type: CallSuccessType, evaluations: readonly Evaluation[]): boolean {
  if (type === 'any') return evaluations.some((e) => e.verdict === 'passed');
  return evaluations.length > 0 && evaluations.every((e) => e.verdict === 'passed');
}

function notEvaluated(criterion: string, reasoning: string): Evaluation {
  return { success: false, verdict: 'not_evaluated', criterion, reasoning };
}

/** The call as the judge reads it; the transcript comes first, so that calls about one call share their prefix (providers cache it). */
function callText(snapshot: CaseSnapshot, timeline: readonly TimelineItem[]): string {
  return ['Transcript:', renderTranscript(timeline), '', `What the caller was asked to do: ${snapshot.prompt}`].join('\n');
}

function failureReason(error: unknown): string {
  if (error instanceof ModelRefusalError) return `Not evaluated: the LLM judge refused to give a verdict (${error.message}).`;
  return `Not evaluated: the LLM judge failed (${error instanceof Error ? error.message : String(error)}).`;
}

/** A verdict read from the judge's answer, or why none could be read. */
function readVerdict(criterion: string, value: unknown): Evaluation {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return notEvaluated(criterion, failureReason('no verdict object'));
  const verdict = value as Record<string, unknown>;
  if (typeof verdict.success !== 'boolean') return notEvaluated(criterion, failureReason('"success" is not a boolean'));
  if (typeof verdict.reasoning !== 'string' || verdict.reasoning.trim() === '') {
    return notEvaluated(criterion, failureReason('"reasoning" is not a non-empty string'));
  }
  return { success: verdict.success, verdict: verdict.success ? 'passed' : 'failed', criterion, reasoning: verdict.reasoning.trim() };
}

async function judgeOne(
  llm: LlmConfig,
  snapshot: CaseSnapshot,
  timeline: readonly TimelineItem[],
  criterion: string,
  options: JudgeOptions,
): Promise<Evaluation> {
  try {
    const answer = await askJson(
      llm,
      {
        messages: [
          { role: 'system', content: JUDGE_SYSTEM_PROMPT },
          { role: 'user', content: `${callText(snapshot, timeline)}\n\nCriterion: ${criterion}` },
        ],
        format: { name: 'criterion_verdict', schema: VERDICT_SCHEMA },
        temperature: 0,
        seed: JUDGE_SEED,
      },
      { ...(options.signal ? { signal: options.signal } : {}), ...(options.onUsage ? { onUsage: options.onUsage } : {}) },
    );
    return readVerdict(criterion, answer);
  } catch (error) {
    return notEvaluated(criterion, failureReason(error));
  }
}

async function judgeTogether(
  llm: LlmConfig,
  snapshot: CaseSnapshot,
  timeline: readonly TimelineItem[],
  options: JudgeOptions,
): Promise<Evaluation[]> {
  const criteria = snapshot.success_criteria;
  const listed = criteria.map((criterion, index) => `${criterionKey(index)}: ${criterion}`).join('\n');
  let answer: Record<string, unknown>;
  try {
    answer = await askJson(
      llm,
      {
        messages: [
          { role: 'system', content: JUDGE_CRITERIA_SYSTEM_PROMPT },
          { role: 'user', content: `${callText(snapshot, timeline)}\n\nCriteria:\n${listed}` },
        ],
        format: { name: 'criteria_verdicts', schema: verdictsSchema(criteria.length) },
        temperature: 0,
        seed: JUDGE_SEED,
      },
      { ...(options.signal ? { signal: options.signal } : {}), ...(options.onUsage ? { onUsage: options.onUsage } : {}) },
    );
  } catch (error) {
    return criteria.map((criterion) => notEvaluated(criterion, failureReason(error)));
  }
  return criteria.map((criterion, index) => {
    const key = criterionKey(index);
    return key in answer ? readVerdict(criterion, answer[key]) : notEvaluated(criterion, failureReason(`the answer has no "${key}"`));
  });
}
