import type { components } from '@sims/api-types';
import { canonical } from '../http/idempotency.js';
import { Problems, type RecordedCall, type ToolCall } from './recording.js';

type Schemas = components['schemas'];

/** The spec's limits on a case: `name`, `prompt`, `CaseChecks`, `ToolMocks` and their items. */
const NAME_CHARS = 200;
const PROMPT_CHARS = 20_000;
const MAX_CHECKS = 25;
const MAX_MOCKS = 50;
const MAX_ARGUMENTS = 20;
const CHECK_NAME_CHARS = 100;
const MOCK_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const NAME_PREFIX = 'Replay: ';
const PROMPT_HEAD = 'You are the caller of a recorded call. You said: ';

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Shortened to `max` characters at a word break where there is one in the last third, marked with an ellipsis. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > (max * 2) / 3 ? cut.slice(0, space) : cut}…`;
}

/** `Replay: ` and the caller's first line, shortened to fit a case name. */
export function defaultName(call: RecordedCall): string {
  const first = oneLine(call.caller_turns[0]?.split('\n')[0] ?? '');
  return NAME_PREFIX + shorten(first, NAME_CHARS - NAME_PREFIX.length);
}

/**
 * What the caller wants, made from its lines: the judge and people reading the case see what was
 * said, in order. The lines that do not fit the prompt's 20,000 characters are counted instead.
 */
export function defaultPrompt(call: RecordedCall): string {
  const quoted = call.caller_turns.map((t) => `"${oneLine(t)}"`);
  let prompt = PROMPT_HEAD + quoted.join(' / ');
  for (let kept = quoted.length - 1; prompt.length > PROMPT_CHARS && kept > 0; kept -= 1) {
    prompt = `${PROMPT_HEAD}${quoted.slice(0, kept).join(' / ')} / … (${quoted.length - kept} more)`;
  }
  return shorten(prompt, PROMPT_CHARS);
}

function keyOf(call: Pick<ToolCall, 'name' | 'arguments'>): string {
  return canonical({ name: call.name, arguments: call.arguments });
}

/** Each distinct call (name and arguments) once, in the order first made. */
function distinct<T extends ToolCall>(calls: T[]): T[] {
  const seen = new Set<string>();
  return calls.filter((call) => {
    const key = keyOf(call);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const withArguments = (call: ToolCall) => (Object.keys(call.arguments).length > 0 ? { arguments: call.arguments } : {});

/**
 * A `tool_called` check of each distinct tool call of the recording, and a `tool_mocks` entry of
 * each distinct recorded answer (the first answer of a call made twice: the engine answers with the
 * first matching mock anyway), kept as the recorded text. A call or an answer the case could not
 * hold (a name or arguments past the schema's limits, too many of them) answers 422 at its place,
 * rather than a case silently checking less than the recording showed.
 */
export function toolFields(call: RecordedCall): { checks: Schemas['CaseCheck'][]; tool_mocks: Schemas['ToolMock'][] } {
  const problems = new Problems();
  const calls = distinct(call.tool_calls);
  const answers = distinct(call.tool_results);
  for (const each of calls) {
    if (each.name.length > CHECK_NAME_CHARS)
      problems.add(each.places.name, `a tool name checked holds at most ${CHECK_NAME_CHARS} characters`);
    const count = Object.keys(each.arguments).length;
    if (count > MAX_ARGUMENTS) {
      problems.add(each.places.arguments, `has ${count} arguments; a tool_called check compares at most ${MAX_ARGUMENTS}`);
    }
  }
  for (const each of answers) {
    if (!MOCK_NAME.test(each.name)) problems.add(each.places.name, `a mocked tool's name must match ${MOCK_NAME.source}`);
  }
  const whole = { field: '/conversation' };
  const off = 'or import with `tool_checks: false`';
  if (calls.length > MAX_CHECKS) {
    problems.add(whole, `the recording holds ${calls.length} distinct tool calls; a case holds at most ${MAX_CHECKS} checks (${off})`);
  }
  if (answers.length > MAX_MOCKS) {
    problems.add(
      whole,
      `the recording holds ${answers.length} distinct tool answers; a case holds at most ${MAX_MOCKS} tool mocks (${off})`,
    );
  }
  problems.check();
  return {
    checks: calls.map((each) => ({ kind: 'tool_called', name: each.name, ...withArguments(each) })),
    tool_mocks: answers.map((each) => ({ name: each.name, ...withArguments(each), result: each.result })),
  };
}
