import { describe, expect, it } from 'vitest';
import { loadBundle } from '../runtime/index.js';

/**
 * Redocly's `no-ambiguous-paths` is off (redocly.yaml says why); this is its replacement: two paths
 * are ambiguous when some URL matches both, segment by segment, a template matching any one segment
 * and neither path being more concrete at every segment where they differ. Only the pair decided in
 * spec/README.md ("Cancelling") may be.
 */
const ALLOWED = [['/simulations/session/{simulation_session_id}', '/simulations/{simulation_id}/cancel']];

const isTemplate = (segment: string) => /^\{[^}]+\}$/.test(segment);

/** Whether a URL could match both paths, and neither path is the concrete one wherever they differ. */
function ambiguous(a: string, b: string): boolean {
  const left = a.split('/');
  const right = b.split('/');
  if (left.length !== right.length) return false;
  let leftConcrete = false;
  let rightConcrete = false;
  for (const [i, segment] of left.entries()) {
    const other = right[i]!;
    if (isTemplate(segment) && isTemplate(other)) continue;
    if (isTemplate(segment)) rightConcrete = true;
    else if (isTemplate(other)) leftConcrete = true;
    else if (segment !== other) return false;
  }
  return leftConcrete && rightConcrete;
}

describe('paths', () => {
  it('tells ambiguous pairs from pairs where one path is the more concrete', () => {
    expect(ambiguous('/a/b/{x}', '/a/{y}/c')).toBe(true);
    expect(ambiguous('/a/b', '/a/{y}')).toBe(false);
    expect(ambiguous('/a/b/{x}', '/a/c/{y}')).toBe(false);
    expect(ambiguous('/a/{x}', '/a/{y}/c')).toBe(false);
  });

  it('are unambiguous but for the one pair decided in spec/README.md', () => {
    const paths = Object.keys((loadBundle() as { paths: Record<string, unknown> }).paths);
    const pairs = paths.flatMap((a, i) =>
      paths
        .slice(i + 1)
        .filter((b) => ambiguous(a, b))
        .map((b) => [a, b].sort()),
    );
    expect(pairs).toEqual(ALLOWED);
  });
});
