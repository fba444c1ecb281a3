import type { TestProject } from 'vitest/node';
import { startPrism } from '@sims/testkit';
import { CompletingEngine } from './completing-engine.js';
import { startTestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** True: the client's flow runs against a server that keeps what it creates. */
    apiStateful: boolean;
  }
}

/**
 * For the client's contract flow (packages/client/test/contract/flow.test.ts): a real server whose
 * engine finishes runs at once (the flow waits for sessions to end), behind `prism proxy --errors`.
 */
export default async function setup(project: TestProject) {
  const server = await startTestServer({ engine: (storage) => new CompletingEngine(storage) });
  const prism = await startPrism({ mode: 'proxy', upstream: server.url });
  project.provide('apiUrl', prism.url);
  project.provide('apiKey', server.key);
  project.provide('apiStateful', true);
  return async () => {
    await prism.stop();
    await server.stop();
  };
}
