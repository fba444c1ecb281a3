import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/ids.js';

describe('randomId', () => {
  it('gives 32 hex digits, all different, across many refills of its pool of random bytes', () => {
    // 256 ids use up one 4 KiB pool: 2,000 cross several refills.
    const ids = Array.from({ length: 2_000 }, () => randomId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spreads its digits evenly (no byte left at zero by the pool)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1_000; i++) for (const digit of randomId()) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    expect(counts.size).toBe(16);
    // 32,000 digits: 2,000 of each expected; a uniform source stays far inside these bounds.
    for (const count of counts.values()) expect(count).toBeGreaterThan(1_600);
    for (const count of counts.values()) expect(count).toBeLessThan(2_400);
  });
});
