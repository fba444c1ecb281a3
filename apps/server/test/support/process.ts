import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// tsx's loader inside the one process, not the tsx command: that one runs the server as its child,
// which a SIGKILL of the command would leave running (holding the database) after the test ends.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `sims-server <args>` from the sources in its own process, with `env` over the test's environment; stderr piped. */
export function spawnMain(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', tsx, main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:port/v2`: the API's, or a worker's health check's. */
  url: string;
  /** The key printed on a first start (empty otherwise). */
  key: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `sims-server serve` in its own process, as a user starts it (`sims-server --role <role>` with a
 * `role`); resolves once it has printed its banner (the database line comes last) and, on a first
 * start (`firstStart`), the key it made.
 */
export async function spawnServer(
  env: Record<string, string>,
  options: { firstStart: boolean; role?: 'api' | 'worker' | 'all' },
): Promise<ServerProcess> {
  const child = spawnMain(options.role ? ['--role', options.role] : ['serve'], {
    PORT: '0',
    SIMS_LOG_LEVEL: 'silent',
    SIMS_RATE_LIMIT_MAX: '0',
    ...env,
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      const match = /(?:Simulations API|Worker health)\s+(http:\/\/\S+\/v2)/.exec(text);
      const ready = options.firstStart ? /sk_[A-Za-z0-9_-]{43}/.test(text) : /Database\s+\S+\n/.test(text);
      if (match && ready) resolve(match[1]!);
    });
    const which = options.role ? `the ${options.role} node` : 'the server';
    void exited.then((code) => reject(new Error(`${which} exited (${code}) before serving:\n${text}`)));
  });
  return { child, url, key: /sk_[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '', output: () => text, exited };
}
