import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { startServer } from '../src/server.js';
import { DatabaseLockedError } from '../src/storage/sqlite/lock.js';
import { spawnServer, type ServerProcess } from './support/process.js';
import { apiClient, seed, startTestServer, tempDir, type TestServer } from './support/server.js';

/**
 * One server per database (issue 9, item 8): a second server on the same data directory, in this
 * process or another, is refused before it opens, migrates or recovers anything; a killed server
 * leaves no stale lock behind.
 */
const servers: TestServer[] = [];
const processes: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** `sims-server <args>` to its exit, with what it printed. */
function cli(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', tsx, main, ...args], {
    env: { ...process.env, PORT: '0', SIMS_DATA_DIR: dataDir, SIMS_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const lockedMessage = (dataDir: string) => `another sims-server holds the database ${join(dataDir, 'sims.db')}`;

describe('one server per database', () => {
  it('refuses a second start in the same process before it touches the runs; the first keeps serving', async () => {
    // Runs stay queued on the first server; a second one with the real engine would start them.
    const first = await startTestServer({ engine: () => new QueueOnlyEngine() });
    servers.push(first);
    const api = apiClient(first.url, first.key);
    const { caseIds, agentId } = await seed(api, 1);
    const queued = (await api.POST('/simulations', { body: { simulation_case_id: caseIds[0]!, target_agent_id: agentId } })).data!.response;

    const second = startTestServer({ dataDir: first.dataDir });
    await expect(second).rejects.toBeInstanceOf(DatabaseLockedError);
    await expect(second).rejects.toThrow(lockedMessage(first.dataDir));

    const read = await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: queued.simulation_id } } });
    expect(read.data!.response).toMatchObject({ status: 'in-progress', started_at: null });
    expect((await api.GET('/agents')).response.status).toBe(200);
    // The lock is a file that is never written: nothing else beside it.
    expect(readdirSync(first.dataDir).filter((name) => name.startsWith('sims.db.lock'))).toEqual(['sims.db.lock']);

    // Stopping releases the lock; the refused attempt held nothing.
    await first.stop();
    servers.splice(0);
    const third = await startTestServer({ dataDir: first.dataDir, engine: () => new QueueOnlyEngine() });
    servers.push(third);
    expect(third.firstStart).toBeUndefined();
  });

  it('holds nothing after a start that fails once the database is open (a port in use): the next start works', async () => {
    const first = await startTestServer({ engine: () => new QueueOnlyEngine() });
    servers.push(first);
    const dataDir = await tempDir();
    const config = {
      host: '127.0.0.1',
      port: Number(new URL(first.origin).port),
      dataDir,
      rateLimit: { max: 0, windowMs: 60_000 },
      bodyLimit: 1024 * 1024,
      logLevel: 'silent',
      shutdownGraceMs: 1_000,
    };
    await expect(startServer(config, () => new QueueOnlyEngine())).rejects.toThrow(/EADDRINUSE/);
    const next = await startServer({ ...config, port: 0 }, () => new QueueOnlyEngine());
    servers.push(Object.assign(next, { dataDir, key: '' }));
    expect((await fetch(`${next.origin}/health`)).status).toBe(200);
  });

  it('refuses a second server process with one line and exit code 1, while key commands still work', async () => {
    const dataDir = await tempDir();
    const first = await spawnServer({ SIMS_DATA_DIR: dataDir }, { firstStart: true });
    processes.push(first);

    const second = await cli(['serve'], dataDir);
    expect(second.code).toBe(1);
    expect(second.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(lockedMessage(dataDir))]);

    // The admin commands open the database beside the server, as they always have.
    const keys = await cli(['keys', 'list'], dataDir);
    expect(keys.code).toBe(0);
    expect(keys.stdout).toContain('active');
    expect((await apiClient(first.url, first.key).GET('/agents')).response.status).toBe(200);
  });

  it('leaves no stale lock when the server is killed: a new one starts on the same data directory', async () => {
    const dataDir = await tempDir();
    const first = await spawnServer({ SIMS_DATA_DIR: dataDir }, { firstStart: true });
    processes.push(first);
    first.child.kill('SIGKILL');
    await first.exited;

    const again = await spawnServer({ SIMS_DATA_DIR: dataDir }, { firstStart: false });
    processes.push(again);
    expect((await apiClient(again.url, first.key).GET('/agents')).response.status).toBe(200);
    // And it holds the lock in turn.
    const third = await cli(['serve'], dataDir);
    expect(third.code).toBe(1);
    expect(third.stderr).toContain(lockedMessage(dataDir));
  });
});
