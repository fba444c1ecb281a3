import { chatCompletion, parseJsonObject } from '../llm.js';
import type { Analysis, CallSuccessType, CaseSnapshot, Evaluation, LlmConfig, TimelineItem } from '../types.js';
import { evaluateCheck } from './checks.js';
import { readTranscript, renderTranscript } from './transcript.js';

export interface JudgeOptions {
  /** An LLM judge for natural-language criteria; without one they are `not_evaluated`. */
  llm?: LlmConfig;
  signal?: AbortSignal;
}

export const NO_JUDGE_REASON =
  'Not evaluated: this natural-language criterion needs an LLM judge and none is configured. Configure one, or express the criterion as a deterministic check.';

export const JUDGE_SYSTEM_PROMPT = [
  'You are a strict evaluator of a phone call between a caller and an agent under test.',
  'Decide whether the given criterion is met, using only the transcript. When the transcript does not show it, it is not met.',
  'Answer with a JSON object only, no other text: {"success": true or false, "reasoning": "one or two sentences that cite the transcript"}.',
].join(' ');

/**
 * Judges a finished call: the case's success criteria first (in order), then its checks (in order).
 * Overall success (the README's judging rule): `all` — at least one evaluation and every one passed
 * (a `not_evaluated` one fails the call); `any` — at least one passed.
 */
export async function judge(snapshot: CaseSnapshot, timeline: readonly TimelineItem[], options: JudgeOptions = {}): Promise<Analysis> {
  const transcript = readTranscript(timeline);
  const evaluations: Evaluation[] = [];
  for (const criterion of snapshot.success_criteria) {
    evaluations.push(
      options.llm
        ? await judgeCriterion(options.llm, snapshot, timeline, criterion, options.signal)
        : notEvaluated(criterion, NO_JUDGE_REASON),
    );
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

async function judgeCriterion(
  llm: LlmConfig,
  snapshot: CaseSnapshot,
  timeline: readonly TimelineItem[],
  criterion: string,
  signal: AbortSignal | undefined,
): Promise<Evaluation> {
  const user = [
    `Criterion: ${criterion}`,
    '',
    `What the caller was asked to do: ${snapshot.prompt}`,
    '',
    'Transcript:',
    renderTranscript(timeline),
  ].join('\n');
  try {
    const content = await chatCompletion(
      llm,
      [
        { role: 'system', content: JUDGE_SYSTEM_PROMPT },
        { role: 'user', content: user },
      ],
      signal ? { signal } : {},
    );
    const verdict = parseJsonObject(content);
    if (typeof verdict.success !== 'boolean') throw new Error('"success" is not a boolean');
    if (typeof verdict.reasoning !== 'string' || verdict.reasoning.trim() === '') throw new Error('"reasoning" is not a non-empty string');
    return { success: verdict.success, verdict: verdict.success ? 'passed' : 'failed', criterion, reasoning: verdict.reasoning.trim() };
  } catch (error) {
    return notEvaluated(criterion, `Not evaluated: the LLM judge failed (${error instanceof Error ? error.message : String(error)}).`);
  }
}
