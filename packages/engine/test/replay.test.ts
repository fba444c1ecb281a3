import { describe, expect, it } from 'vitest';
import { type AgentConnection, renderTranscript, runSimulation } from '../src/index.js';
import { comparedWords, createReplayTracker, describeDivergence, replySimilarity } from '../src/replay.js';
import { lines, makeCase, shopAgent } from './helpers.js';

/** An agent that says these lines in order (greeting first) and ends the call after the `endAfter`-th. */
function scriptedAgent(replies: string[], endAfter = Infinity): AgentConnection {
  let n = 0;
  return {
    async turn() {
      const i = n++;
      return { reply: replies[i] ?? 'Is there anything else?', end_call: i + 1 >= endAfter, tool_calls: [] };
    },
  };
}

const CALLER = ['Hi, where is my order?', "It's 12345.", 'Great, thanks. Bye!'];
const RECORDED = [
  'Thanks for calling Acme, how can I help?',
  'Could you give me the order number?',
  'Order 12345 has shipped and arrives Thursday.',
  'You are welcome, goodbye!',
];

describe('reply similarity', () => {
  it('compares lower-cased words, punctuation and apostrophes stripped', () => {
    expect(comparedWords("It's ORDER #12345 — shipped, arrives Thursday!")).toEqual([
      'its',
      'order',
      '12345',
      'shipped',
      'arrives',
      'thursday',
    ]);
    expect(comparedWords('Ｈｅｌｌｏ… world')).toEqual(['hello', 'world']);
    expect(replySimilarity('Thanks for calling Acme, how can I help?', 'thanks for calling acme how can i help')).toBe(1);
  });

  it('is the Dice coefficient of word bigrams', () => {
    // 7 and 8 bigrams, 5 shared: 2·5 / 15.
    expect(replySimilarity('Thanks for calling Acme, how can I help?', 'Thanks for calling Acme, how may I help you?')).toBeCloseTo(
      10 / 15,
    );
    expect(replySimilarity('Could you give me the order number?', 'Please hold while I transfer you.')).toBe(0);
    // Repeated bigrams count as often as both lines hold them: "a b" once on the left, twice on the right.
    expect(replySimilarity('a b c', 'a b a b')).toBeCloseTo((2 * 1) / (2 + 3));
  });

  it('compares single words when a line has one word, and lines without words as alike only with each other', () => {
    expect(replySimilarity('Goodbye.', 'goodbye')).toBe(1);
    expect(replySimilarity('Goodbye.', 'Goodbye, have a nice day')).toBeCloseTo(2 / 6);
    expect(replySimilarity('...', '!')).toBe(1);
    expect(replySimilarity('...', 'hello there')).toBe(0);
  });
});

describe('replay tracker', () => {
  it('skips empty recorded lines, reports only the first divergence, and a missing reply at the end', () => {
    const tracker = createReplayTracker(['', 'Your order has shipped.', 'Anything else?']);
    expect(tracker.reply('Hello, this is Acme.')).toBeUndefined();
    expect(tracker.reply('Your order has shipped today.')).toBeUndefined();
    expect(tracker.end()).toEqual({ turn: 3, expected: 'Anything else?', actual: null, similarity: 0 });
    expect(tracker.end()).toBeUndefined();
    expect(tracker.divergence).toMatchObject({ turn: 3 });
  });

  it('names the first departing reply with its similarity, rounded down', () => {
    const tracker = createReplayTracker(['Could you give me the order number?', 'Order 12345 has shipped.']);
    const divergence = tracker.reply('Could you spell your name for me?');
    expect(divergence).toEqual({
      turn: 1,
      expected: 'Could you give me the order number?',
      actual: 'Could you spell your name for me?',
      similarity: 0.166,
    });
    expect(describeDivergence(divergence!)).toBe(
      'Reply 1 departed from the recording (similarity 0.16): expected "Could you give me the order number?", got "Could you spell your name for me?"',
    );
    // Later replies, however different, change nothing; the end adds nothing.
    expect(tracker.reply('Something else entirely')).toBeUndefined();
    expect(tracker.end()).toBeUndefined();
    expect(tracker.divergence).toBe(divergence);
  });
});

describe('runSimulation replaying a recording', () => {
  const replayCase = (overrides = {}) =>
    makeCase({
      caller_turns: CALLER,
      expected_agent_turns: RECORDED,
      checks: [{ kind: 'contains', text: 'Thursday', side: 'agent' }],
      ...overrides,
    });

  it('records no divergence for an agent that says the recorded lines', async () => {
    const result = await runSimulation({ case: replayCase(), agent: shopAgent, connection: scriptedAgent(RECORDED) });
    expect(result.divergence).toBeUndefined();
    expect(result.timeline.some((e) => e.type === 'divergence')).toBe(false);
    expect(result.analysis?.success).toBe(true);
  });

  it('records none for an agent whose wording changed but stays close', async () => {
    const reworded = [
      'Thanks for calling Acme! How can I help you today?',
      'Could you give me your order number, please?',
      'Order 12345 has shipped and it arrives Thursday.',
      'You are welcome, goodbye now!',
    ];
    const result = await runSimulation({ case: replayCase(), agent: shopAgent, connection: scriptedAgent(reworded) });
    expect(result.divergence).toBeUndefined();
  });

  it('records the first reply that departs, as a system event after it, while the caller keeps its lines', async () => {
    const departing = [RECORDED[0]!, RECORDED[1]!, 'I am sorry, I cannot find that order.', 'Goodbye.'];
    const result = await runSimulation({ case: replayCase(), agent: shopAgent, connection: scriptedAgent(departing) });
    expect(result.divergence).toEqual({
      turn: 3,
      expected: 'Order 12345 has shipped and arrives Thursday.',
      actual: 'I am sorry, I cannot find that order.',
      similarity: 0,
    });
    expect(lines(result.timeline)).toEqual([
      `agent message: ${RECORDED[0]}`,
      `persona message: ${CALLER[0]}`,
      `agent message: ${RECORDED[1]}`,
      `persona message: ${CALLER[1]}`,
      'agent message: I am sorry, I cannot find that order.',
      'system divergence: Reply 3 departed from the recording (similarity 0.00): expected "Order 12345 has shipped and arrives Thursday.", got "I am sorry, I cannot find that order."',
      `persona message: ${CALLER[2]}`,
      'agent message: Goodbye.',
      'persona end_call: The caller ended the call.',
    ]);
    // The verdicts judge what the agent said this time.
    expect(result.analysis?.success).toBe(false);
    expect(result.analysis?.evaluations.at(-1)).toMatchObject({ verdict: 'failed', criterion: 'the agent says "Thursday"' });
  });

  it('records a missing reply (actual null) when the call ends before the recording did', async () => {
    const result = await runSimulation({ case: replayCase(), agent: shopAgent, connection: scriptedAgent(RECORDED, 2) });
    expect(result.endedBy).toBe('agent');
    expect(result.divergence).toEqual({ turn: 3, expected: RECORDED[2], actual: null, similarity: 0 });
    expect(lines(result.timeline).slice(-2)).toEqual([
      'system divergence: Reply 3 is missing: the call ended before the agent said the recorded "Order 12345 has shipped and arrives Thursday."',
      'agent end_call: The agent ended the call.',
    ]);
  });

  it('does not compare an empty first line (a recording that starts with the caller)', async () => {
    const result = await runSimulation({
      case: replayCase({ expected_agent_turns: ['', ...RECORDED.slice(1)] }),
      agent: shopAgent,
      connection: scriptedAgent(['Something unrecorded as a greeting', ...RECORDED.slice(1)]),
    });
    expect(result.divergence).toBeUndefined();
  });

  it('compares nothing for a case without a recording', async () => {
    const result = await runSimulation({
      case: makeCase({ caller_turns: CALLER }),
      agent: shopAgent,
      connection: scriptedAgent(['x', 'y', 'z', 'w']),
    });
    expect(result.divergence).toBeUndefined();
    expect(result.timeline.some((e) => e.type === 'divergence')).toBe(false);
  });

  it('keeps the divergence event out of the transcript an LLM judge reads', async () => {
    const result = await runSimulation({
      case: { ...makeCase(), caller_turns: CALLER, expected_agent_turns: RECORDED },
      agent: shopAgent,
      connection: scriptedAgent(['Thanks for calling Acme, how can I help?', 'Our weather today is sunny and warm.']),
    });
    expect(result.timeline.some((e) => e.type === 'divergence')).toBe(true);
    const rendered = renderTranscript(result.timeline);
    expect(rendered).toContain('Our weather today is sunny and warm.');
    expect(rendered).not.toContain('departed from the recording');
  });
});
