import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// tsx's loader inside the one process, not the tsx command: that one runs the server as its child,
// which a SIGKILL of the command would leave running (holding the database) after the test ends.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** The key printed on a first start (empty otherwise). */
  key: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `sims-server serve` in its own process, as a user starts it; resolves once it has printed its URL
 * and, on a first start (`firstStart`), the key it made.
 */
export async function spawnServer(env: Record<string, string>, options: { firstStart: boolean }): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', tsx, main, 'serve'], {
    env: { ...process.env, PORT: '0', SIMS_LOG_LEVEL: 'silent', SIMS_RATE_LIMIT_MAX: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      const match = /Simulations API\s+(http:\/\/\S+\/v2)/.exec(text);
      const ready = options.firstStart ? /sk_[A-Za-z0-9_-]{43}/.test(text) : /Database\s+\S+\n/.test(text);
      if (match && ready) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before serving:\n${text}`)));
  });
  return { child, url, key: /sk_[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '', output: () => text, exited };
}
