import { type Piece, Problems, type RecordedCall, type Side, toRecordedCall } from './recording.js';

/**
 * The speaker prefixes of a text transcript, case-insensitive: `Caller:` and `Agent:` as the spec
 * names them, and `User:` and `Assistant:`, the names chat logs and LLM playgrounds print (a call
 * copied from one reads without editing). Nothing else: a line such as `Note: …` or `Order: …`
 * continues the turn above rather than becoming a speaker.
 */
const PREFIX = /^(caller|agent|user|assistant)\s*:[ \t]*/i;
const SIDES: Record<string, Side> = { caller: 'caller', user: 'caller', agent: 'agent', assistant: 'agent' };

/**
 * Reads a text transcript: one turn per line, each starting with a prefix; blank lines skipped; a
 * line without a prefix continues the turn above it (its text on a new line), and one before any
 * prefix cannot be read. Lines are counted from 1, as an editor shows them.
 */
export function readText(text: string): RecordedCall {
  const problems = new Problems();
  const pieces: Piece[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const place = { field: '/conversation', line: index + 1 };
    const prefix = PREFIX.exec(line);
    if (prefix) {
      pieces.push({ side: SIDES[prefix[1]!.toLowerCase()]!, text: line.slice(prefix[0].length).trim(), place });
    } else if (pieces.length > 0) {
      pieces.push({ side: pieces.at(-1)!.side, text: line, place });
    } else {
      problems.add(place, 'no "Caller:" or "Agent:" prefix, and no turn above it to continue');
    }
  }
  const call = toRecordedCall('text', pieces, { calls: [], results: [] }, problems);
  problems.check();
  return call;
}
