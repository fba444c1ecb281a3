import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { bundlePath as bundledSpecPath } from './spec-runtime.js';

export interface PrismOptions {
  /** Spec to serve; defaults to the bundled spec. */
  specPath?: string;
  /** `mock` serves examples; `proxy` validates traffic to `upstream`. */
  mode?: 'mock' | 'proxy';
  upstream?: string;
  /** How long to wait for the first answer. */
  startTimeoutMs?: number;
}

export interface RunningPrism {
  url: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts Prism on a free loopback port and resolves once it answers HTTP. */
export async function startPrism(options: PrismOptions = {}): Promise<RunningPrism> {
  const { specPath = bundledSpecPath, mode = 'mock', upstream, startTimeoutMs = 60_000 } = options;
  if (mode === 'proxy' && !upstream) throw new Error('proxy mode needs an upstream URL');
  const port = await freePort();
  const cli = require.resolve('@stoplight/prism-cli/dist/index.js');
  const args =
    mode === 'mock'
      ? [cli, 'mock', specPath, '-h', '127.0.0.1', '-p', String(port)]
      : [cli, 'proxy', specPath, upstream!, '--errors', '-h', '127.0.0.1', '-p', String(port)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keepLog = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  const url = `http://127.0.0.1:${port}`;
  await waitForAnswer(url, child, () => log, startTimeoutMs);
  return { url, stop: () => stopChild(child) };
}

async function waitForAnswer(url: string, child: ChildProcess, log: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Prism exited with ${child.exitCode}:\n${log()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`Prism did not answer within ${timeoutMs} ms:\n${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
