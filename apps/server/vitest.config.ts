import { defineConfig } from 'vitest/config';

/** The tests of their own projects (each with its own set-up), which the server project leaves to them. */
const CLIENT_FLOW_TESTS = 'test/contract/client-flow.test.ts';
const STORAGE_TESTS = [
  'test/storage-contract.test.ts',
  'test/postgres-*.test.ts',
  'test/copy.test.ts',
  'test/contract/postgres-*.test.ts',
  'test/queue-*.test.ts',
  'test/cluster.test.ts',
];

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
          exclude: [CLIENT_FLOW_TESTS, ...STORAGE_TESTS],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'client-flow',
          include: [CLIENT_FLOW_TESTS],
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
          include: STORAGE_TESTS,
          // In this order: the second starts a server on the first's PostgreSQL, behind a validating Prism proxy.
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/postgres-proxy-setup.ts'],
        },
      },
    ],
  },
});
