import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A throw-away PostgreSQL cluster on a loopback port; `url` reaches its `postgres` database as the superuser `sims`. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Debian's server binaries (`apt-get install postgresql`; scripts/ensure-postgres.sh installs them): 15, else the newest there. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const preferred = join(root, '15', 'bin');
  if (existsSync(join(preferred, 'initdb'))) return preferred;
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed: run scripts/ensure-postgres.sh (apt-get install postgresql)');
  return join(root, versions[0]!, 'bin');
}

/** A port free on the loopback interface right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * initdb into a temporary directory and start the server on a free loopback port, its socket in that
 * directory. PostgreSQL refuses to run as root: as root (CI, these machines) the directory is given to
 * the `postgres` user and the binaries run as it. Sized for tests beside other work on two cores:
 * default buffers, few connections, no fsync (the data is thrown away).
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'sims-postgres-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args);
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'sims', '--no-sync', '-E', 'UTF8', '--locale', 'C.UTF-8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  try {
    await as('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
  } catch (error) {
    const text = await readFile(log, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${text}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://sims@127.0.0.1:${port}/postgres`,
    stop: () => {
      stopped ??= as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
        .catch(() => undefined)
        .then(() => rm(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}

/** The URL of another database on the same server (`postgres://…/name`). */
const databaseUrl = (serverUrl: string, name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * A fresh, empty database on the server, so that test files (and tests) run side by side without
 * seeing each other's rows; `drop` removes it (closing what is still connected to it).
 */
export async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sims_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name} TEMPLATE template0`);
  return { url: databaseUrl(serverUrl, name), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
