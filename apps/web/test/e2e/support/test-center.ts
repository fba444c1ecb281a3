import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulationsClient, type SimulationsClient } from '@sims/client';
import { startServer, type RunningServer } from '@sims/server';

/** The built web app the server serves at `/` (`pnpm --filter @sims/web build`; turbo's test task builds it first). */
export const WEB_DIST = fileURLToPath(new URL('../../../dist', import.meta.url));

export interface TestCenter {
  /** Where the page is: `http://127.0.0.1:<port>`. */
  origin: string;
  /** The workspace key the server minted on its first start. */
  key: string;
  /** The typed client on the same server, for seeding and for reading what the page should show. */
  api: SimulationsClient;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * The real reference server (the built `@sims/server`, with its own simulation engine, no model
 * configured) on a free loopback port and a fresh SQLite file, serving the built web app at `/`.
 * Fails at once when the app has not been built, or when the server does not answer `/` with it.
 */
export async function startTestCenter(): Promise<TestCenter> {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) throw new Error(`${index} is missing: build the web app first (pnpm --filter @sims/web build)`);
  const dataDir = await mkdtemp(join(tmpdir(), 'sims-web-e2e-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    rateLimit: { max: 0, windowMs: 60_000 },
    bodyLimit: 1024 * 1024,
    logLevel: 'warn',
    shutdownGraceMs: 2_000,
    // No model: natural-language criteria are not evaluated, and the cases' exact checks decide.
    engine: { concurrency: 4, timeoutMs: 60_000, allowPrivateNetworks: false, llm: {} },
  });
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const key = server.firstStart?.key;
    if (!key) throw new Error('the new server made no workspace key');
    const served = await fetch(`${server.origin}/`);
    const html = await served.text();
    if (!served.ok || html !== readFileSync(index, 'utf8'))
      throw new Error(`the server does not serve the built web app at / (status ${served.status}, ${html.slice(0, 200)})`);
    const api = createSimulationsClient({ baseUrl: server.url, apiKey: key, retry: false });
    return { origin: server.origin, key, api, server, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
