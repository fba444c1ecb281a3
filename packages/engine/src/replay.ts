import type { ReplayDivergence } from './types.js';

/** A reply less similar than this to its recorded line departs from the recording (spec "Replay decisions"). */
const DIVERGENCE_THRESHOLD = 0.5;

/** How much of each line a `divergence` timeline event quotes; the simulation's `divergence` keeps them whole. */
const QUOTED_CHARS = 200;

/**
 * The words a line is compared by: lower-cased (NFKC first, so full-width and compatibility forms
 * read as their plain letters), apostrophes inside words dropped ("It's" and "its" are one word, as
 * a speech-to-text transcript writes either), and every other run of characters that is neither a
 * letter nor a digit a word break. Punctuation and spacing therefore never count.
 */
export function comparedWords(line: string): string[] {
  return line
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['\u2019\u02bc]/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function counts(items: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(item, (out.get(item) ?? 0) + 1);
  return out;
}

/**
 * The Dice coefficient of the two lines' word bigrams, counted as multisets: 2·|A ∩ B| / (|A| + |B|),
 * from 0 (nothing in common) to 1 (the same words in the same order). When either line has a single
 * word there is no bigram to share, so both are compared by their words instead. Two lines without
 * any word (punctuation only) are alike; one without any word is not like one with words.
 */
export function replySimilarity(expected: string, actual: string): number {
  const a = comparedWords(expected);
  const b = comparedWords(actual);
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  const unit = a.length < 2 || b.length < 2 ? 1 : 2;
  const grams = (words: string[]) => words.slice(0, words.length - unit + 1).map((_, i) => words.slice(i, i + unit).join(' '));
  const left = counts(grams(a));
  const right = grams(b);
  let shared = 0;
  for (const gram of right) {
    const held = left.get(gram) ?? 0;
    if (held > 0) {
      shared += 1;
      left.set(gram, held - 1);
    }
  }
  return (2 * shared) / (a.length - unit + 1 + right.length);
}

/**
 * Follows a replayed call against its recording (`expected_agent_turns`): the agent's k-th reply
 * (its greeting is the first) is compared with the k-th recorded line; an empty recorded line is not
 * compared. Only the first divergence counts: after it the recording says nothing certain about
 * what should come next, and the scripted caller goes on with its lines either way.
 */
export interface ReplayTracker {
  /** The agent's next reply (its text, `''` when it said nothing): the divergence, when it is the first. */
  reply(actual: string): ReplayDivergence | undefined;
  /**
   * At the end of a call, when nothing diverged yet: the first recorded line no reply was compared
   * with (the call ended sooner than the recording did), with `actual` `null`.
   */
  end(): ReplayDivergence | undefined;
  readonly divergence: ReplayDivergence | undefined;
}

export function createReplayTracker(expected: readonly string[]): ReplayTracker {
  let replies = 0;
  let divergence: ReplayDivergence | undefined;
  return {
    reply(actual) {
      replies += 1;
      const line = expected[replies - 1];
      if (divergence || !line) return undefined;
      const similarity = replySimilarity(line, actual);
      if (similarity >= DIVERGENCE_THRESHOLD) return undefined;
      divergence = { turn: replies, expected: line, actual, similarity: Math.floor(similarity * 1000) / 1000 };
      return divergence;
    },
    end() {
      if (divergence) return undefined;
      const index = expected.findIndex((line, i) => i >= replies && line !== '');
      if (index < 0) return undefined;
      divergence = { turn: index + 1, expected: expected[index]!, actual: null, similarity: 0 };
      return divergence;
    },
    get divergence() {
      return divergence;
    },
  };
}

function quote(line: string): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > QUOTED_CHARS ? `${flat.slice(0, QUOTED_CHARS - 1)}…` : flat);
}

/** The `value` of the `divergence` timeline event: what a reader of the timeline needs to see. */
export function describeDivergence(divergence: ReplayDivergence): string {
  if (divergence.actual === null) {
    return `Reply ${divergence.turn} is missing: the call ended before the agent said the recorded ${quote(divergence.expected)}`;
  }
  return (
    `Reply ${divergence.turn} departed from the recording (similarity ${(Math.floor(divergence.similarity * 100) / 100).toFixed(2)}): ` +
    `expected ${quote(divergence.expected)}, got ${quote(divergence.actual)}`
  );
}
