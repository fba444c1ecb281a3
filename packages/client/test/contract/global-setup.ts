import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startPrism } from '@sims/testkit';
import prismMock from '@sims/testkit/global-setup';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL the contract flow runs against. */
    apiUrl: string;
    /** API key the contract flow sends. */
    apiKey: string;
    /** True when the flow runs against a real server, which keeps what the flow creates (the mock does not). */
    apiStateful: boolean;
  }
}

/**
 * Starts the testkit's Prism mock (`prismUrl`, for the mock-only tests) and provides `apiUrl` and
 * `apiKey` for the flow. By default the flow runs against the same mock; with
 * `SIMS_CONTRACT_UPSTREAM=http://127.0.0.1:<port>` it runs through a Prism proxy to that server
 * instead, so that the proxy validates every request and answer against the spec
 * (`SIMS_CONTRACT_API_KEY` then names an API key of that server).
 */
export default async function setup(project: TestProject) {
  const stopMock = await prismMock(project);
  const upstream = process.env.SIMS_CONTRACT_UPSTREAM;
  const proxy = upstream ? await startPrism({ mode: 'proxy', upstream }) : undefined;
  project.provide('apiUrl', proxy?.url ?? project.getProvidedContext().prismUrl);
  project.provide('apiKey', process.env.SIMS_CONTRACT_API_KEY ?? 'sk_test_contract');
  project.provide('apiStateful', proxy !== undefined);
  return async () => {
    await proxy?.stop();
    await stopMock();
  };
}
