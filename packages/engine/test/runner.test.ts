import { describe, expect, it } from 'vitest';
import { runSimulation, type AgentConnection, type Persona, type TimelineItem } from '../src/index.js';
import { lines, makeCase, shopAgent, steppingClock } from './helpers.js';

/** An agent that answers "reply N" and ends the call at its `endAt`-th answer (0 = greeting). */
function countingAgent(endAt = Infinity): AgentConnection {
  let n = 0;
  return {
    async turn() {
      const i = n++;
      return { reply: `reply ${i}`, end_call: i >= endAt, tool_calls: [] };
    },
  };
}

const hangingAgent: AgentConnection = { turn: () => new Promise(() => {}) };

describe('runSimulation: turn-taking', () => {
  it('lets the agent speak first, then alternates persona and agent, and the scripted persona ends the call', async () => {
    const events: TimelineItem[] = [];
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['one', 'two'] }),
      agent: shopAgent,
      connection: countingAgent(),
      onEvent: (e) => events.push(e),
    });
    expect(lines(result.timeline)).toEqual([
      'agent message: reply 0',
      'persona message: one',
      'agent message: reply 1',
      'persona message: two',
      'agent message: reply 2',
      'persona end_call: The caller ended the call.',
    ]);
    expect(result.endedBy).toBe('persona');
    expect(result.turns).toBe(2);
    expect(result.error_info).toBeUndefined();
    expect(events).toEqual(result.timeline);
  });

  it('ends when the agent ends the call', async () => {
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['a', 'b', 'c'] }),
      agent: shopAgent,
      connection: countingAgent(1),
    });
    expect(result.endedBy).toBe('agent');
    expect(result.turns).toBe(1);
    expect(result.timeline.at(-1)).toMatchObject({ sender_type: 'agent', type: 'end_call' });
  });

  it('ends when the agent hangs up on its greeting', async () => {
    const result = await runSimulation({ case: makeCase({ caller_turns: ['a'] }), agent: shopAgent, connection: countingAgent(0) });
    expect(result.endedBy).toBe('agent');
    expect(result.turns).toBe(0);
    expect(lines(result.timeline)).toEqual(['agent message: reply 0', 'agent end_call: The agent ended the call.']);
  });

  it('stops after max_turns persona messages, each answered by the agent', async () => {
    const talker: Persona = { next: async ({ conversation }) => ({ message: `msg ${conversation.length}`, end_call: false }) };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, connection: countingAgent(), persona: talker, maxTurns: 3 });
    expect(result.endedBy).toBe('max_turns');
    expect(result.turns).toBe(3);
    expect(result.timeline.filter((e) => e.sender_type === 'agent' && e.type === 'message')).toHaveLength(4);
    expect(result.timeline.at(-1)).toMatchObject({
      sender_type: 'system',
      type: 'end_call',
      value: 'The call reached the limit of 3 turns.',
    });
  });

  it('records tool calls before the reply and stamps events with seconds since the call started', async () => {
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['Where is my order 12345?'] }),
      agent: shopAgent,
      now: steppingClock(Date.UTC(2025, 0, 1)),
    });
    expect(lines(result.timeline).slice(2, 4)).toEqual([
      'agent tool_call: lookup_order {"order_id":"12345"}',
      expect.stringMatching(/^agent message: Your order 12345 .*shipped with DHL/),
    ]);
    expect(result.timeline.map((e) => e.timestamp)).toEqual(['0.250', '0.500', '0.750', '1.000', '1.250']);
    expect(result.timeline[0]!.timestamp_datetime).toBe('2025-01-01T00:00:00.250Z');
  });
});

describe('runSimulation: failures become error_info', () => {
  it('times out with 408 when the agent never answers', async () => {
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['a'] }),
      agent: shopAgent,
      connection: hangingAgent,
      timeoutMs: 50,
    });
    expect(result.error_info).toEqual({ code: 408, type: 'timeout', message: 'The simulation did not finish within 50 ms.' });
    expect(result.endedBy).toBe('timeout');
    expect(result.analysis).toBeNull();
    expect(result.timeline.at(-1)).toMatchObject({ sender_type: 'system', type: 'error' });
  });

  it('times out with 408 when the persona never answers', async () => {
    const stuck: Persona = { next: () => new Promise(() => {}) };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, persona: stuck, timeoutMs: 50 });
    expect(result.error_info?.code).toBe(408);
    expect(lines(result.timeline)[0]).toMatch(/^agent message: Thank you for calling/);
  });

  it('is interrupted with 503 when the caller aborts', async () => {
    const controller = new AbortController();
    const agent: AgentConnection = {
      turn: () => {
        controller.abort();
        return new Promise(() => {});
      },
    };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, connection: agent, signal: controller.signal });
    expect(result.error_info).toMatchObject({ code: 503, type: 'interrupted' });
    expect(result.endedBy).toBe('interrupted');
  });

  it('reports a throwing connector as a 424 agent error', async () => {
    const agent: AgentConnection = {
      turn: async () => {
        throw new Error('boom');
      },
    };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, connection: agent });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_error' });
    expect(result.error_info?.message).toContain('boom');
  });

  it('reports a malformed turn from a connection as 424 agent_malformed_reply', async () => {
    const agent = { turn: async () => ({ reply: 42 }) } as unknown as AgentConnection;
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, connection: agent });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_malformed_reply' });
  });

  it('reports an unknown builtin agent as 424 without throwing', async () => {
    const result = await runSimulation({ case: makeCase(), agent: { ...shopAgent, connector: { kind: 'builtin', builtin: 'nope' } } });
    expect(result.error_info).toMatchObject({ code: 424, type: 'unknown_builtin_agent' });
  });

  it('reports an unknown connector kind as 424 without throwing', async () => {
    const result = await runSimulation({ case: makeCase(), agent: { ...shopAgent, connector: { kind: 'sip' } as never } });
    expect(result.error_info).toMatchObject({ code: 424, type: 'unknown_connector' });
  });

  it('reports a persona that neither speaks nor ends as a 500', async () => {
    const mute: Persona = { next: async () => ({ end_call: false }) };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, persona: mute });
    expect(result.error_info).toMatchObject({ code: 500, type: 'persona_error' });
  });

  it('survives an event sink that throws', async () => {
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['hi'] }),
      agent: shopAgent,
      onEvent: () => {
        throw new Error('disk full');
      },
    });
    expect(result.error_info).toMatchObject({ code: 500, type: 'runner_error' });
    expect(result.error_info?.message).toContain('disk full');
  });
});

describe('runSimulation: custom variables', () => {
  it('substitutes {{name}} in the case prompt, the caller turns and the agent prompt', async () => {
    const seen: string[] = [];
    const agent: AgentConnection = {
      async turn() {
        return { reply: 'Hello?', end_call: false, tool_calls: [] };
      },
    };
    const persona: Persona = {
      async next({ conversation }) {
        seen.push(conversation.map((m) => m.content).join('|'));
        return { end_call: true };
      },
    };
    const scripted = await runSimulation({
      case: makeCase({
        caller_turns: ['My order is {{order_id}}.'],
        checks: [{ kind: 'contains', text: 'order is 777', side: 'persona' }],
      }),
      agent: shopAgent,
      connection: agent,
      customVariables: { order_id: '777' },
    });
    expect(lines(scripted.timeline)[1]).toBe('persona message: My order is 777.');
    expect(scripted.analysis?.success).toBe(true);

    const greeted = await runSimulation({
      case: makeCase({ prompt: 'You are {{customer_name}}. You want to know the opening hours.' }),
      agent: shopAgent,
      persona,
      customVariables: { customer_name: 'Dana', unused: 1 },
    });
    expect(lines(greeted.timeline)[0]).toBe(
      'agent message: Hello Dana, thank you for calling Northwind Shop, this is Nora. How can I help you today?',
    );
  });
});

describe('runSimulation: offline end to end against the builtin shop', () => {
  it('derives the caller from the prompt and judges checks', async () => {
    const result = await runSimulation({
      case: makeCase({
        prompt: 'You are Dana, a customer whose order 12345 has not arrived. You want to know where your order is.',
        success_criteria: ['The agent tells Dana where her order is.'],
        call_success_type: 'any',
        checks: [
          { kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } },
          { kind: 'ended_by', side: 'persona' },
          { kind: 'turns_at_most', max: 3 },
        ],
      }),
      agent: shopAgent,
    });
    expect(lines(result.timeline)).toEqual([
      'agent message: Thank you for calling Northwind Shop, this is Nora. How can I help you today?',
      'persona message: Hi. I want to know where my order is.',
      "agent message: I can help with that. Could you give me your order number, please? It's the five-digit number in your confirmation email.",
      "persona message: It's 12345.",
      'agent tool_call: lookup_order {"order_id":"12345"}',
      'agent message: Your order 12345 with wireless headphones was shipped with DHL and should arrive on Thursday. The tracking number is DHL-88431. Is there anything else I can help you with?',
      "persona message: No, that's all. Thank you, goodbye.",
      'persona end_call: The caller ended the call.',
    ]);
    expect(result.analysis?.evaluations.map((e) => e.verdict)).toEqual(['not_evaluated', 'passed', 'passed', 'passed']);
    expect(result.analysis?.success).toBe(true);
  });
});
