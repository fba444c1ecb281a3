import type { TestProject } from 'vitest/node';
import { startPrism } from '@sims/testkit';
import { startTestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real server behind `prism proxy --errors`: every request and response is checked against the spec. */
    apiUrl: string;
    apiKey: string;
    /** The real server directly (base URL ending in `/v2`). */
    serverUrl: string;
  }
}

/** One real server on a temporary database, and a validating Prism proxy in front of it. */
export default async function setup(project: TestProject) {
  const server = await startTestServer();
  const prism = await startPrism({ mode: 'proxy', upstream: server.url });
  project.provide('apiUrl', prism.url);
  project.provide('apiKey', server.key);
  project.provide('serverUrl', server.url);
  return async () => {
    await prism.stop();
    await server.stop();
  };
}
