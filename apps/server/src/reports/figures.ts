import type { components } from '@sims/api-types';

/** The figures the session report and the comparison share: rates, their rounding, and distributions. */
type Distribution = components['schemas']['Distribution'];

/**
 * Rates and deltas are sent rounded to 4 decimals (2/3 → 0.6667, the spec's example), half away
 * from zero so that a delta and its opposite round to opposite values. Deltas are rounded once,
 * from the exact counts, never from rates already rounded.
 */
export function round4(value: number): number {
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * 10_000)) / 10_000;
  return rounded === 0 ? 0 : rounded;
}

/** `passed` over `of`, rounded; `null` when there is nothing to count (`of` is 0). */
export function rateOf(passed: number, of: number): number | null {
  return of > 0 ? round4(passed / of) : null;
}

/**
 * The median (the mean of the two middle values for an even count) and the nearest-rank 95th
 * percentile (the value at rank ⌈0.95·n⌉ in ascending order) of `values`, sorted in place; `null`
 * for none.
 */
export function distribution(values: number[]): Distribution | null {
  const n = values.length;
  if (n === 0) return null;
  values.sort((a, b) => a - b);
  const middle = n >> 1;
  const median = n % 2 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  return { median, p95: values[Math.ceil((95 * n) / 100) - 1]! };
}
