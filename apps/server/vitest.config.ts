import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: [
            'test/contract/client-flow.test.ts',
            'test/storage-contract.test.ts',
            'test/postgres-*.test.ts',
            'test/copy.test.ts',
            'test/contract/postgres-*.test.ts',
          ],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'client-flow',
          include: ['test/contract/client-flow.test.ts'],
          globalSetup: ['test/support/client-flow-setup.ts'],
        },
      },
      {
        extends: true,
        // The storage contract on SQLite and on a throw-away PostgreSQL 15 (started by the set-up), and the server on PostgreSQL.
        test: {
          name: 'storage',
          include: ['test/storage-contract.test.ts', 'test/postgres-*.test.ts', 'test/copy.test.ts'],
          globalSetup: ['test/support/postgres-setup.ts'],
        },
      },
    ],
  },
});
