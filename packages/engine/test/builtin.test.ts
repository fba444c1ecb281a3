import { describe, expect, it } from 'vitest';
import { createAgentConnection, listBuiltinAgents, runSimulation, type AgentConnection, type ConversationMessage } from '../src/index.js';
import { lines, makeCase, shopAgent } from './helpers.js';

function shop(latency_ms?: number): AgentConnection {
  return createAgentConnection(
    { kind: 'builtin', builtin: 'shop_support', ...(latency_ms ? { latency_ms } : {}) },
    { agentId: 'a', agentName: 'Nora', prompt: '', customVariables: {} },
    {},
  );
}

/** Plays caller messages against one shop connection and returns its answers. */
async function talk(...caller: string[]) {
  const connection = shop();
  const signal = new AbortController().signal;
  const conversation: ConversationMessage[] = [];
  const answers = [];
  const greeting = await connection.turn({ conversation, signal });
  conversation.push({ role: 'agent', content: greeting.reply });
  for (const message of caller) {
    conversation.push({ role: 'persona', content: message });
    const answer = await connection.turn({ conversation: [...conversation], signal });
    conversation.push({ role: 'agent', content: answer.reply });
    answers.push(answer);
  }
  return answers;
}

describe('builtin shop_support', () => {
  it('is listed with a prompt', () => {
    expect(listBuiltinAgents().map((a) => a.id)).toContain('shop_support');
  });

  it('answers opening hours without a lookup', async () => {
    const [a] = await talk('What are your opening hours?');
    expect(a!.reply).toContain('Saturday from 9 am to 5 pm');
    expect(a!.tool_calls).toEqual([]);
  });

  it('asks for the order number, then looks the order up', async () => {
    const [ask, status] = await talk('Where is my parcel?', 'It is 12345.');
    expect(ask!.reply).toContain('order number');
    expect(status!.tool_calls).toEqual([{ name: 'lookup_order', arguments: { order_id: '12345' } }]);
    expect(status!.reply).toContain('should arrive on Thursday');
  });

  it('cancels an order that has not shipped, refuses one that has', async () => {
    const [cancelled] = await talk('Please cancel order 23456.');
    expect(cancelled!.tool_calls.map((c) => c.name)).toEqual(['lookup_order', 'cancel_order']);
    expect(cancelled!.reply).toContain('is cancelled');
    const [refused] = await talk('Please cancel order 12345.');
    expect(refused!.tool_calls.map((c) => c.name)).toEqual(['lookup_order']);
    expect(refused!.reply).toContain("can't cancel");
  });

  it('refunds inside the 30-day window only', async () => {
    const [inside] = await talk('I want a refund for order 34567.');
    expect(inside!.tool_calls).toContainEqual({ name: 'create_refund', arguments: { order_id: '34567', amount_eur: 79 } });
    const [outside] = await talk('I want a refund for order 45678.');
    expect(outside!.tool_calls.map((c) => c.name)).toEqual(['lookup_order']);
    expect(outside!.reply).toContain('outside our 30-day return window');
  });

  it('asks again for an unknown order number', async () => {
    const [missing, found] = await talk('Where is order 99999?', 'Sorry, it is 12345.');
    expect(missing!.reply).toContain("couldn't find an order with the number 99999");
    expect(found!.tool_calls).toEqual([{ name: 'lookup_order', arguments: { order_id: '12345' } }]);
  });

  it('hands over to a person and ends the call', async () => {
    const [handover] = await talk('Can I speak to a human?');
    expect(handover).toMatchObject({ end_call: true, tool_calls: [{ name: 'transfer_call' }] });
  });

  it('falls back once, then transfers after a second misunderstanding', async () => {
    const [first, second] = await talk('Do you sell gift cards?', 'What about gift cards?');
    expect(first!.end_call).toBe(false);
    expect(first!.reply).toContain('I can help with order status');
    expect(second).toMatchObject({ end_call: true, tool_calls: [{ name: 'transfer_call' }] });
  });

  it('says goodbye and ends the call', async () => {
    const [bye] = await talk('That is all, bye.');
    expect(bye).toMatchObject({ end_call: true, reply: 'Thank you for calling Northwind Shop. Goodbye!' });
  });

  it('is deterministic across runs', async () => {
    const run = () =>
      runSimulation({
        case: makeCase({ prompt: 'You are Dana, order 45678. You want a refund for your order.' }),
        agent: shopAgent,
        now: () => 0,
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(lines(a.timeline)).toEqual(lines(b.timeline));
    expect(lines(a.timeline)).toContain('agent tool_call: lookup_order {"order_id":"45678"}');
  });

  it('injects latency, and the wait ends when the simulation times out', async () => {
    const slowAgent = { ...shopAgent, connector: { kind: 'builtin' as const, builtin: 'shop_support', latency_ms: 60_000 } };
    const result = await runSimulation({ case: makeCase(), agent: slowAgent, timeoutMs: 30 });
    expect(result.error_info?.code).toBe(408);
    const answer = await shop(1).turn({ conversation: [], signal: new AbortController().signal });
    expect(answer.reply).toContain('Thank you for calling');
  });

  it('never answers before its latency has passed by the monotonic clock, whatever the latency', async () => {
    for (const latency of [1, 2, 7, 25]) {
      const started = performance.now();
      await shop(latency).turn({ conversation: [], signal: new AbortController().signal });
      expect(performance.now() - started).toBeGreaterThanOrEqual(latency);
    }
  });

  it('stops waiting when aborted', async () => {
    for (const abortAfter of [0, 5, 50]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), abortAfter);
      await expect(shop(500).turn({ conversation: [], signal: controller.signal })).rejects.toThrow('aborted');
    }
  });
});
