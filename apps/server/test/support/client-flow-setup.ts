import type { TestProject } from 'vitest/node';
import { startPrism } from '@sims/testkit';
import { startTestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** True: the client's flow runs against a server that keeps what it creates. */
    apiStateful: boolean;
  }
}

/**
 * For the client's contract flow (packages/client/test/contract/flow.test.ts): a real server with its
 * real engine (the flow waits for sessions to end, which the runs now really do), behind
 * `prism proxy --errors`, so every timeline and verdict the engine writes is checked against the spec.
 */
export default async function setup(project: TestProject) {
  const server = await startTestServer();
  const prism = await startPrism({ mode: 'proxy', upstream: server.url });
  project.provide('apiUrl', prism.url);
  project.provide('apiKey', server.key);
  project.provide('apiStateful', true);
  return async () => {
    await prism.stop();
    await server.stop();
  };
}
