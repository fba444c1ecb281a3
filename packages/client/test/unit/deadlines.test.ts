import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSimulationsClient } from '../../src/index.js';
import { Deadlines } from '../../src/signals.js';

/** Every attempt's time-out runs on one timer per client (`Deadlines`); each still ends at its own time. */
describe('Deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const expired: string[] = [];
  const names = new Map<AbortController, string>();
  const deadlines = () => {
    expired.length = 0;
    return new Deadlines(100, (controller) => expired.push(names.get(controller) ?? '?'));
  };
  const work = (name: string) => {
    const controller = new AbortController();
    names.set(controller, name);
    return controller;
  };

  it('expires each piece of work its own length after it started, and none that ended', async () => {
    const limits = deadlines();
    limits.start(work('a'));
    await vi.advanceTimersByTimeAsync(30);
    const b = limits.start(work('b'));
    await vi.advanceTimersByTimeAsync(30);
    limits.start(work('c'));
    limits.end(b);
    await vi.advanceTimersByTimeAsync(39);
    expect(expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(59);
    expect(expired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['a', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer once all work has ended, and starts one again for new work', async () => {
    const limits = deadlines();
    const tickets = Array.from({ length: 5 }, (_, i) => limits.start(work(`w${i}`)));
    expect(vi.getTimerCount()).toBe(1);
    for (const ticket of tickets.reverse()) limits.end(ticket);
    expect(vi.getTimerCount()).toBe(0);
    limits.start(work('late'));
    await vi.advanceTimersByTimeAsync(100);
    expect(expired).toEqual(['late']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps time for the oldest open work when the work the timer was set for has ended', async () => {
    const limits = deadlines();
    const first = limits.start(work('first'));
    await vi.advanceTimersByTimeAsync(70);
    limits.start(work('second'));
    limits.end(first);
    await vi.advanceTimersByTimeAsync(30);
    expect(expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(69);
    expect(expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual(['second']);
  });

  it('ending work after its time ran out, or twice, changes nothing', async () => {
    const limits = deadlines();
    const a = limits.start(work('a'));
    await vi.advanceTimersByTimeAsync(100);
    limits.end(a);
    limits.end(a);
    const b = limits.start(work('b'));
    limits.end(a);
    await vi.advanceTimersByTimeAsync(100);
    expect(expired).toEqual(['a', 'b']);
    limits.end(b);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stays correct over many starts and ends, with long-running work holding the front', async () => {
    const limits = deadlines();
    const slow = limits.start(work('slow'));
    for (let i = 0; i < 5_000; i++) limits.end(limits.start(work(`quick${i}`)));
    await vi.advanceTimersByTimeAsync(50);
    limits.end(slow);
    const tail = limits.start(work('tail'));
    for (let i = 0; i < 3_000; i++) limits.end(limits.start(work(`more${i}`)));
    await vi.advanceTimersByTimeAsync(100);
    expect(expired).toEqual(['tail']);
    limits.end(tail);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('time-outs of overlapping calls on one client', () => {
  const original = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = original;
  });

  it('each call times out at its own time, a call answered in time is not cut, and no timer is left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const answers: Array<(response: Response) => void> = [];
      globalThis.fetch = ((_request: Request, init?: RequestInit) =>
        new Promise<Response>((resolve, reject) => {
          answers.push(resolve);
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
        })) as typeof globalThis.fetch;
      const client = createSimulationsClient({ apiKey: 'sk_deadlines', baseUrl: 'https://api.test/v2', timeoutMs: 1_000, retry: false });
      const settled: string[] = [];
      const track = (name: string, call: Promise<{ response: Response }>) =>
        call.then(
          () => settled.push(`${name} answered`),
          (error: DOMException) => settled.push(`${name} ${error.name}`),
        );
      const first = track('first', client.GET('/simulation_suites'));
      await vi.advanceTimersByTimeAsync(400);
      const second = track('second', client.GET('/simulation_suites'));
      await vi.advanceTimersByTimeAsync(300);
      const third = track('third', client.GET('/simulation_suites'));
      await vi.advanceTimersByTimeAsync(0);
      answers[1]?.(new Response('{"status":"ok","response":{}}', { headers: { 'Content-Type': 'application/json' } }));
      await vi.advanceTimersByTimeAsync(299);
      expect(settled).toEqual(['second answered']);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toEqual(['second answered', 'first TimeoutError']);
      await vi.advanceTimersByTimeAsync(699);
      expect(settled).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      await Promise.all([first, second, third]);
      expect(settled).toEqual(['second answered', 'first TimeoutError', 'third TimeoutError']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
