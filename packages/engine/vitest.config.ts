import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    // Type tests: `tsc` checks test/*.test-d.ts (the engine's types pinned to the spec's), so a
    // broken expectation fails the run.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
