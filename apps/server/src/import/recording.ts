import type { components } from '@sims/api-types';
import type { FieldError } from '../http/errors.js';
import { MAX_DETAILS, validationFailed } from '../http/errors.js';

type Schemas = components['schemas'];

export type ImportFormat = Schemas['SimulationCaseImportIn']['format'] & string;
export type Side = 'caller' | 'agent';

/** Where a piece of the recording came from: a line of the text, or an item of the array (with a field under it). */
export interface Place {
  /** The JSON pointer answered in a detail: `/conversation` for text, `/conversation/N…` for arrays. */
  field: string;
  /** For text: `line N: ` to start the message with. */
  line?: number;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Where the name and the arguments were read. */
  places: { name: Place; arguments: Place };
}

/** A recorded tool answer, with the call it answers. */
export interface ToolResult extends ToolCall {
  result: string;
}

/** What one side said, in order, before turns are formed. `text` may be empty (an agent message with only tool calls). */
export interface Piece {
  side: Side;
  text: string;
  place: Place;
}

interface Turn {
  side: Side;
  text: string;
  /** The turn's first piece. */
  place: Place;
}

/** A recorded call as the import reads it, whatever its shape. */
export interface RecordedCall {
  format: ImportFormat;
  /** Alternating turns of the two sides, in order (consecutive pieces of one side are one turn). */
  turns: Turn[];
  caller_turns: string[];
  /** The agent's lines for `expected_agent_turns`: the greeting first, `''` when the recording starts with the caller. */
  expected_agent_turns: string[];
  /** The agent's turns in the recording (the `''` placeholder not counted). */
  agent_turn_count: number;
  tool_calls: ToolCall[];
  tool_results: ToolResult[];
}

/** The spec's limits: `CallerTurns` and `ExpectedAgentTurns`. */
const MAX_CALLER_TURNS = 50;
const MAX_AGENT_TURNS = 51;
const MAX_CALLER_TURN_CHARS = 2000;
const MAX_AGENT_TURN_CHARS = 4000;

/**
 * Problems found while reading, answered together as one 422 (the first `MAX_DETAILS`), so that a
 * user fixes every unreadable line in one go.
 */
export class Problems {
  private readonly details: FieldError[] = [];

  add(place: Place, message: string): void {
    if (this.details.length < MAX_DETAILS) {
      this.details.push({
        location: 'body',
        field: place.field,
        message: place.line === undefined ? message : `line ${place.line}: ${message}`,
      });
    }
  }

  /** Throws the 422 when anything was added. */
  check(): void {
    if (this.details.length > 0) throw validationFailed(this.details);
  }
}

/**
 * Turns from pieces: consecutive pieces of one side are one turn, their non-empty texts joined by
 * line breaks. Then the limits of a case: at least one caller turn, at most 50 of them and 51 agent
 * lines, each within the schema's length. Problems go to `problems`.
 */
export function toRecordedCall(
  format: ImportFormat,
  pieces: Piece[],
  tools: { calls: ToolCall[]; results: ToolResult[] },
  problems: Problems,
): RecordedCall {
  const turns: Turn[] = [];
  for (const piece of pieces) {
    const last = turns.at(-1);
    if (last && last.side === piece.side) {
      if (piece.text) last.text = last.text ? `${last.text}\n${piece.text}` : piece.text;
    } else {
      turns.push({ side: piece.side, text: piece.text, place: piece.place });
    }
  }
  const caller = turns.filter((t) => t.side === 'caller');
  const agent = turns.filter((t) => t.side === 'agent');
  const whole: Place = { field: '/conversation' };
  if (caller.length === 0) {
    problems.add(whole, 'the conversation holds no caller line: a case needs at least one caller turn');
  }
  if (caller.length > MAX_CALLER_TURNS) {
    problems.add(
      caller[MAX_CALLER_TURNS]!.place,
      `the conversation holds ${caller.length} caller turns; a case plays at most ${MAX_CALLER_TURNS} (this is turn ${MAX_CALLER_TURNS + 1})`,
    );
  }
  const expected = [...(turns[0]?.side === 'caller' ? [''] : []), ...agent.map((t) => t.text)];
  if (expected.length > MAX_AGENT_TURNS) {
    const room = turns[0]?.side === 'caller' ? `${MAX_AGENT_TURNS - 1} when the caller speaks first` : MAX_AGENT_TURNS;
    problems.add(whole, `the conversation holds ${agent.length} agent turns; a case records at most ${room}`);
  }
  for (const turn of turns) {
    const limit = turn.side === 'caller' ? MAX_CALLER_TURN_CHARS : MAX_AGENT_TURN_CHARS;
    if (turn.text.length > limit) {
      problems.add(turn.place, `the ${turn.side}'s turn starting here is ${turn.text.length} characters; at most ${limit} are allowed`);
    }
    if (turn.side === 'caller' && !turn.text) problems.add(turn.place, 'the caller says nothing in this turn');
  }
  return {
    format,
    turns,
    caller_turns: caller.map((t) => t.text),
    expected_agent_turns: expected,
    agent_turn_count: agent.length,
    tool_calls: tools.calls,
    tool_results: tools.results,
  };
}

/** The recording as `Caller:` / `Agent:` lines, for a model drafting criteria. */
export function renderRecording(call: RecordedCall): string {
  return call.turns.map((t) => `${t.side === 'caller' ? 'Caller' : 'Agent'}: ${t.text.replace(/\s*\n\s*/g, ' ')}`).join('\n');
}

/** A plain object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
