import { describe, expect, it } from 'vitest';
import {
  combine,
  compileSafePattern,
  judge,
  NO_JUDGE_REASON,
  REGEX_TIMEOUT_MS,
  UnsafePatternError,
  type Check,
  type Evaluation,
  type TimelineItem,
} from '../src/index.js';
import { makeCase } from './helpers.js';

const at = (sender_type: TimelineItem['sender_type'], type: TimelineItem['type'], value: string): TimelineItem => ({
  sender_type,
  type,
  value,
  timestamp: '0.000',
  timestamp_datetime: '2025-01-01T00:00:00.000Z',
});

const call: TimelineItem[] = [
  at('agent', 'message', 'Thank you for calling Northwind Shop. How can I help?'),
  at('persona', 'message', 'I want a Refund for order 34567.'),
  at('agent', 'tool_call', 'lookup_order {"order_id":"34567"}'),
  at('agent', 'tool_call', 'create_refund {"order_id":"34567","amount_eur":79}'),
  at('agent', 'message', "I've started a refund of 79.00 euros."),
  at('persona', 'message', 'Thanks, bye.'),
  at('persona', 'end_call', 'The caller ended the call.'),
];

async function verdict(check: Check, timeline = call): Promise<Evaluation> {
  const analysis = await judge(makeCase({ checks: [check] }), timeline);
  return analysis.evaluations[0]!;
}

describe('checks', () => {
  it('contains: any side, by side, case sensitivity and negation', async () => {
    expect((await verdict({ kind: 'contains', text: 'refund' })).verdict).toBe('passed');
    expect((await verdict({ kind: 'contains', text: 'refund', side: 'persona', case_sensitive: true })).verdict).toBe('failed');
    expect((await verdict({ kind: 'contains', text: 'Refund', side: 'persona', case_sensitive: true })).verdict).toBe('passed');
    expect((await verdict({ kind: 'contains', text: 'northwind', side: 'persona' })).verdict).toBe('failed');
    expect((await verdict({ kind: 'contains', text: 'calm down', side: 'agent', negate: true })).verdict).toBe('passed');
    expect((await verdict({ kind: 'contains', text: 'refund', side: 'agent', negate: true })).verdict).toBe('failed');
    const hit = await verdict({ kind: 'contains', text: '79.00' });
    expect(hit).toEqual({
      success: true,
      verdict: 'passed',
      criterion: 'the transcript says "79.00"',
      reasoning: `Found in a message of the agent: "I've started a refund of 79.00 euros."`,
    });
  });

  it('matches: pattern with flags and side, negation, and refused patterns', async () => {
    expect((await verdict({ kind: 'matches', pattern: '\\d+\\.\\d{2} euros', side: 'agent' })).verdict).toBe('passed');
    expect((await verdict({ kind: 'matches', pattern: '^thanks', side: 'persona' })).verdict).toBe('failed');
    expect((await verdict({ kind: 'matches', pattern: '^thanks', flags: 'i', side: 'persona' })).verdict).toBe('passed');
    expect((await verdict({ kind: 'matches', pattern: 'as an ai', flags: 'i', negate: true })).verdict).toBe('passed');
    const nested = await verdict({ kind: 'matches', pattern: '(a+)+$' });
    expect(nested.verdict).toBe('not_evaluated');
    expect(nested.reasoning).toContain('nested quantifiers');
    expect((await verdict({ kind: 'matches', pattern: '(' })).verdict).toBe('not_evaluated');
    expect((await verdict({ kind: 'matches', pattern: 'x', flags: 'g' })).verdict).toBe('not_evaluated');
    expect((await verdict({ kind: 'matches', pattern: '(a)\\1' })).verdict).toBe('not_evaluated');
    expect((await verdict({ kind: 'matches', pattern: 'a'.repeat(201) })).verdict).toBe('not_evaluated');
  });

  it('matches: a backtracking pattern the static check misses is stopped by the time-out', async () => {
    const slow = [at('agent', 'message', `${'a'.repeat(40)}!`)];
    const result = await verdict({ kind: 'matches', pattern: '^(a|a)*$' }, slow);
    expect(result.verdict).toBe('not_evaluated');
    expect(result.reasoning).toContain(`took longer than ${REGEX_TIMEOUT_MS * 10} ms and was stopped`);
    expect(() => compileSafePattern('(x+)*')).toThrow(UnsafePatternError);
  });

  it('ended_by: persona, agent and the turn limit', async () => {
    expect((await verdict({ kind: 'ended_by', side: 'persona' })).verdict).toBe('passed');
    expect((await verdict({ kind: 'ended_by', side: 'agent' })).verdict).toBe('failed');
    const limited = [...call.slice(0, -1), at('system', 'end_call', 'limit')];
    expect((await verdict({ kind: 'ended_by', side: 'max_turns' }, limited)).verdict).toBe('passed');
    const failedCall = [...call.slice(0, -1), at('system', 'error', 'boom')];
    expect((await verdict({ kind: 'ended_by', side: 'persona' }, failedCall)).reasoning).toBe('The call did not end normally.');
  });

  it('turns_at_most counts persona messages', async () => {
    expect((await verdict({ kind: 'turns_at_most', max: 2 })).verdict).toBe('passed');
    expect(await verdict({ kind: 'turns_at_most', max: 1 })).toMatchObject({ verdict: 'failed', reasoning: 'The call took 2 turns.' });
    expect((await verdict({ kind: 'turns_at_most', max: -1 })).verdict).toBe('not_evaluated');
  });

  it('tool_called: by name, with argument subset, numbers and strings compared as text', async () => {
    expect((await verdict({ kind: 'tool_called', name: 'lookup_order' })).verdict).toBe('passed');
    expect((await verdict({ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: 34567 } })).verdict).toBe('passed');
    expect((await verdict({ kind: 'tool_called', name: 'create_refund', arguments: { amount_eur: '79' } })).verdict).toBe('passed');
    const wrong = await verdict({ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } });
    expect(wrong.verdict).toBe('failed');
    expect(wrong.reasoning).toContain('lookup_order {"order_id":"34567"}');
    expect((await verdict({ kind: 'tool_called', name: 'transfer_call' })).verdict).toBe('failed');
  });

  it('an unknown check kind is not evaluated rather than passed', async () => {
    expect((await verdict({ kind: 'sentiment' } as unknown as Check)).verdict).toBe('not_evaluated');
  });
});

describe('judge', () => {
  it('reports natural-language criteria as not_evaluated without a judge, before the checks, in order', async () => {
    const analysis = await judge(
      makeCase({ success_criteria: ['first', 'second'], checks: [{ kind: 'ended_by', side: 'persona' }], call_success_type: 'all' }),
      call,
    );
    expect(analysis.evaluations.map((e) => [e.criterion, e.verdict, e.success])).toEqual([
      ['first', 'not_evaluated', false],
      ['second', 'not_evaluated', false],
      ['the caller ends the call', 'passed', true],
    ]);
    expect(analysis.evaluations[0]!.reasoning).toBe(NO_JUDGE_REASON);
    expect(analysis.success).toBe(false);
  });

  it('combines by call_success_type', () => {
    const e = (verdict: Evaluation['verdict']): Evaluation => ({ verdict, success: verdict === 'passed', reasoning: '', criterion: '' });
    expect(combine('all', [e('passed'), e('passed')])).toBe(true);
    expect(combine('all', [e('passed'), e('failed')])).toBe(false);
    expect(combine('all', [e('passed'), e('not_evaluated')])).toBe(false);
    expect(combine('all', [])).toBe(false);
    expect(combine('any', [e('failed'), e('passed')])).toBe(true);
    expect(combine('any', [e('failed'), e('not_evaluated')])).toBe(false);
    expect(combine('any', [])).toBe(false);
  });

  it('passes an `any` case with one passing check among failures', async () => {
    const analysis = await judge(
      makeCase({
        call_success_type: 'any',
        checks: [
          { kind: 'ended_by', side: 'agent' },
          { kind: 'contains', text: 'refund' },
        ],
      }),
      call,
    );
    expect(analysis.success).toBe(true);
    const all = await judge(
      makeCase({
        call_success_type: 'all',
        checks: [
          { kind: 'ended_by', side: 'agent' },
          { kind: 'contains', text: 'refund' },
        ],
      }),
      call,
    );
    expect(all.success).toBe(false);
  });
});
