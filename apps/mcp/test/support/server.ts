import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, type ServerConfig, startServer } from '@sims/server';

export interface TestServer {
  /** The API's base URL (`http://127.0.0.1:<port>/v2`). */
  url: string;
  key: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * The real reference server on a free loopback port, with its own engine and a fresh SQLite database in
 * a temporary directory; `engine` for an agent on loopback (`allowPrivateNetworks`).
 */
export async function startTestServer(engine?: ServerConfig['engine']): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sims-mcp-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    rateLimit: { max: 0, windowMs: 60_000 },
    bodyLimit: 1024 * 1024,
    logLevel: 'silent',
    shutdownGraceMs: 5_000,
    ...(engine ? { engine } : {}),
  });
  const key = server.firstStart?.key;
  if (!key) throw new Error('the new server made no workspace key');
  return {
    url: server.url,
    key,
    server,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
