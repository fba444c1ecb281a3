import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/contract/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Type tests: `tsc` checks test/types/*.test-d.ts, so a broken expectation fails the run.
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
