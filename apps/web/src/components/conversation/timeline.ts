import type { Schemas } from '@sims/client';

export type TimelineItem = Schemas['TimelineItem'];

/** The anchor of a timeline event, so a verdict can link to the turn it cites. */
export function eventAnchor(index: number): string {
  return `event-${index + 1}`;
}

/** A `tool_call` event's value is `name {json arguments}`; the arguments pretty-printed when they parse. */
export function parseToolCall(value: string): { name: string; args: string | null } {
  const space = value.indexOf(' ');
  if (space < 0) return { name: value, args: null };
  const raw = value.slice(space + 1);
  try {
    return { name: value.slice(0, space), args: JSON.stringify(JSON.parse(raw), null, 2) };
  } catch {
    return { name: value.slice(0, space), args: raw };
  }
}

const QUOTED = /"([^"]{6,})"|“([^”]{6,})”/g;
const SECONDS = /\b(\d+(?:\.\d+)?)\s?s(?:ec(?:ond)?s?)?\b/g;

/**
 * The timeline event a verdict's reasoning points at, when it can be told: a quoted line (the
 * deterministic checks quote the message they found; the LLM judge is asked to cite the transcript)
 * or a moment in seconds since the start of the call ("at 6.02s"). A quote that is also in the
 * criterion is what was looked for, not a citation (`No message of the agent contains "refund"`), and
 * is skipped. `undefined` when nothing matches.
 */
export function findCitedEvent(
  reasoning: string,
  timeline: readonly TimelineItem[] | null | undefined,
  criterion = '',
): number | undefined {
  if (!timeline || timeline.length === 0) return undefined;
  const lookedFor = criterion.toLowerCase();
  for (const match of reasoning.matchAll(QUOTED)) {
    const quote = (match[1] ?? match[2] ?? '').trim().toLowerCase();
    if (lookedFor.includes(quote)) continue;
    const index = timeline.findIndex((item) => {
      const value = (item.value ?? '').toLowerCase();
      return value !== '' && (value.includes(quote) || (value.length >= 6 && quote.includes(value)));
    });
    if (index >= 0) return index;
  }
  for (const match of reasoning.matchAll(SECONDS)) {
    const seconds = Number(match[1]);
    const index = timeline.findIndex((item) => item.timestamp != null && Math.abs(Number(item.timestamp) - seconds) < 0.005);
    if (index >= 0) return index;
  }
  return undefined;
}
