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
            'test/queue-*.test.ts',
            'test/cluster.test.ts',
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
        // The storage contract on SQLite and on a throw-away PostgreSQL 15 (started by the set-up), the server on PostgreSQL
        // (its contract flow through Prism among them), the copy from SQLite to PostgreSQL, the run queue, and a cluster of
        // API and worker processes on one database.
        test: {
          name: 'storage',
          include: [
            'test/storage-contract.test.ts',
            'test/postgres-*.test.ts',
            'test/copy.test.ts',
            'test/contract/postgres-*.test.ts',
            'test/queue-*.test.ts',
            'test/cluster.test.ts',
          ],
          // In this order: the second starts a server on the first's PostgreSQL, behind a validating Prism proxy.
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/postgres-proxy-setup.ts'],
        },
      },
    ],
  },
});
