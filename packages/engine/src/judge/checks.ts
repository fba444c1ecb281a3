import { isDeepStrictEqual } from 'node:util';
import type { Check, Evaluation, Side } from '../types.js';
import { compileSafePattern } from './safe-regex.js';
import { formatToolCall, type Transcript } from './transcript.js';

const passed = (criterion: string, reasoning: string): Evaluation => ({ success: true, verdict: 'passed', criterion, reasoning });
const failed = (criterion: string, reasoning: string): Evaluation => ({ success: false, verdict: 'failed', criterion, reasoning });
const notEvaluated = (criterion: string, reasoning: string): Evaluation => ({
  success: false,
  verdict: 'not_evaluated',
  criterion,
  reasoning,
});

function sideLabel(side: Side | 'any' | undefined): string {
  return side === 'persona' ? 'the caller' : side === 'agent' ? 'the agent' : 'the transcript';
}

/** A readable statement of what a check requires; its `description` wins when given. */
export function describeCheck(check: Check): string {
  if (check.description) return check.description;
  switch (check.kind) {
    case 'contains':
      return `${sideLabel(check.side)} ${check.negate ? 'never says' : 'says'} "${check.text}"`;
    case 'matches':
      return `${sideLabel(check.side)} ${check.negate ? 'never says anything matching' : 'says something matching'} /${check.pattern}/${check.flags ?? ''}`;
    case 'ended_by':
      return check.side === 'max_turns' ? 'the call runs until the turn limit' : `${sideLabel(check.side)} ends the call`;
    case 'turns_at_most':
      return `the call takes at most ${check.max} turns`;
    case 'tool_called':
      return `the agent calls ${check.arguments ? formatToolCall({ name: check.name, arguments: check.arguments }) : check.name}`;
    default:
      return `check of unknown kind "${(check as { kind?: unknown }).kind}"`;
  }
}

function messagesOf(transcript: Transcript, side: Side | 'any' | undefined) {
  return transcript.messages.filter((m) => !side || side === 'any' || m.role === side);
}

/** Loose equality for a tool argument: primitives compare as text ("12345" = 12345), objects deeply. */
function argumentMatches(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object') return isDeepStrictEqual(expected, actual);
  return actual !== null && typeof actual !== 'object' && String(expected) === String(actual);
}

/**
 * Whether a tool call's arguments include every expected one, each compared by `argumentMatches`;
 * arguments not expected are not compared. `tool_called` checks and tool mocks match calls this way.
 */
export function argumentsInclude(expected: Record<string, unknown>, actual: Record<string, unknown>): boolean {
  return Object.entries(expected).every(([key, value]) => argumentMatches(value, actual[key]));
}

/** Judges one deterministic check exactly. A check that cannot be applied is `not_evaluated`. */
export function evaluateCheck(check: Check, transcript: Transcript): Evaluation {
  const criterion = describeCheck(check);
  switch (check.kind) {
    case 'contains': {
      if (typeof check.text !== 'string' || check.text === '') return notEvaluated(criterion, 'The check has no text to look for.');
      const needle = check.case_sensitive ? check.text : check.text.toLowerCase();
      const hit = messagesOf(transcript, check.side).find((m) =>
        (check.case_sensitive ? m.content : m.content.toLowerCase()).includes(needle),
      );
      const where = hit
        ? `Found in a message of the ${hit.role}: "${hit.content}"`
        : `No message of ${sideLabel(check.side)} contains "${check.text}".`;
      return Boolean(hit) !== Boolean(check.negate) ? passed(criterion, where) : failed(criterion, where);
    }
    case 'matches': {
      let test: (text: string) => boolean;
      try {
        test = compileSafePattern(check.pattern, check.flags);
      } catch (error) {
        return notEvaluated(criterion, `The pattern was refused: ${error instanceof Error ? error.message : String(error)}.`);
      }
      try {
        const hit = messagesOf(transcript, check.side).find((m) => test(m.content));
        const where = hit
          ? `Matched a message of the ${hit.role}: "${hit.content}"`
          : `No message of ${sideLabel(check.side)} matches the pattern.`;
        return Boolean(hit) !== Boolean(check.negate) ? passed(criterion, where) : failed(criterion, where);
      } catch (error) {
        return notEvaluated(criterion, `The pattern could not be applied: ${error instanceof Error ? error.message : String(error)}.`);
      }
    }
    case 'ended_by': {
      const actual = transcript.endedBy;
      const said =
        actual === null
          ? 'The call did not end normally.'
          : actual === 'max_turns'
            ? 'The call ran until the turn limit.'
            : `The ${actual === 'persona' ? 'caller' : 'agent'} ended the call.`;
      return actual === check.side ? passed(criterion, said) : failed(criterion, said);
    }
    case 'turns_at_most': {
      if (!Number.isInteger(check.max) || check.max < 0) return notEvaluated(criterion, 'The check needs a whole number max of 0 or more.');
      const said = `The call took ${transcript.turns} turn${transcript.turns === 1 ? '' : 's'}.`;
      return transcript.turns <= check.max ? passed(criterion, said) : failed(criterion, said);
    }
    case 'tool_called': {
      const expected = check.arguments ?? {};
      const hit = transcript.toolCalls.find((call) => call.name === check.name && argumentsInclude(expected, call.arguments));
      if (hit) return passed(criterion, `The agent called ${formatToolCall(hit)}.`);
      const made = transcript.toolCalls.map(formatToolCall);
      return failed(criterion, made.length ? `The agent's tool calls were: ${made.join('; ')}.` : 'The agent made no tool call.');
    }
    default:
      return notEvaluated(criterion, 'This kind of check is not known to the engine.');
  }
}
