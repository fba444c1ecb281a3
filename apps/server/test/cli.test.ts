import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTestServer, type TestServer } from './support/server.js';

/** The admin commands, run as a user would, against the database of a running server. */
const run = promisify(execFile);
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let server: TestServer;

const cli = (...args: string[]) => run(process.execPath, [tsx, main, ...args], { env: { ...process.env, SIMS_DATA_DIR: server.dataDir } });

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('sims-server admin commands', () => {
  it('mints a key for the only workspace, lists it by prefix and revokes it', async () => {
    const { stdout } = await cli('keys', 'create', '--name', 'ci');
    const key = stdout.trim();
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect((await raw(`${server.url}/agents`, { key })).status).toBe(200);

    const listing = (await cli('keys', 'list')).stdout;
    expect(listing).not.toContain(key);
    const line = listing.split('\n').find((l) => l.includes('\tci\t'))!;
    const [id, prefix] = line.split('\t');
    expect(key.startsWith(prefix!.replace('…', ''))).toBe(true);

    await cli('keys', 'revoke', id!);
    expect((await raw(`${server.url}/agents`, { key })).status).toBe(401);
    expect((await raw(`${server.url}/agents`, { key: server.key })).status).toBe(200);
  });

  it('creates a workspace with its own key, isolated from the first', async () => {
    const key = (await cli('workspaces', 'create', '--name', 'Team B')).stdout.trim();
    const agents = await raw(`${server.url}/agents`, { key });
    expect(agents.json.response.total).toBe(0);
    expect((await cli('workspaces', 'list')).stdout).toContain('Team B');
    await expect(cli('keys', 'create')).rejects.toThrow(/--workspace is required/);
  });
});
