import { describe, expect, it } from 'vitest';
import { findCitedEvent, parseToolCall, type TimelineItem } from '../../src/components/conversation/timeline.js';

const timeline: TimelineItem[] = [
  { sender_type: 'persona', value: 'I want a refund for order 12345.', type: 'message', timestamp: '0.00' },
  { sender_type: 'agent', value: 'I can only offer store credit for that order.', type: 'message', timestamp: '3.25' },
  { sender_type: 'agent', value: 'lookup_order {"order_id":"12345"}', type: 'tool_call', timestamp: '4.10' },
];

describe('the turn a verdict cites', () => {
  it('is the event whose words the reasoning quotes, from a check or from the judge', () => {
    expect(findCitedEvent('Found in a message of the agent: "I can only offer store credit for that order."', timeline)).toBe(1);
    expect(findCitedEvent('The agent said “only offer store credit” instead of a refund.', timeline)).toBe(1);
  });

  it('is not the first mention of what a check looked for and did not find', () => {
    expect(
      findCitedEvent('No message of the agent contains "refund for order".', timeline, 'the agent says "refund for order"'),
    ).toBeUndefined();
  });

  it('is the event at the moment the reasoning names, in seconds since the call started', () => {
    expect(findCitedEvent('The agent offered credit at 3.25s, not a refund.', timeline)).toBe(1);
    expect(findCitedEvent('It looked the order up (4.1 s in).', timeline)).toBe(2);
  });

  it('is unknown when the reasoning cites nothing in the conversation', () => {
    expect(findCitedEvent('The call took 12 turns.', timeline)).toBeUndefined();
    expect(findCitedEvent('"something nobody said"', timeline)).toBeUndefined();
    expect(findCitedEvent('"anything at all"', [])).toBeUndefined();
  });
});

describe('a tool call event', () => {
  it('reads as the tool name and its arguments pretty-printed', () => {
    expect(parseToolCall('lookup_order {"order_id":"12345"}')).toEqual({ name: 'lookup_order', args: '{\n  "order_id": "12345"\n}' });
    expect(parseToolCall('hang_up')).toEqual({ name: 'hang_up', args: null });
  });
});
