#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configFromEnv } from './config.js';
import { createWorkspace, mintKey } from './keys.js';
import { webAppBuilt } from './plugins/web.js';
import { startServer } from './server.js';
import { copyDatabase, TargetNotEmptyError } from './storage/copy.js';
import { describeLocation, openStorage } from './storage/open.js';
import { DatabaseLockedError } from './storage/sqlite/lock.js';

const USAGE = `Usage: sims-server [command] [options]

Commands:
  serve (default) [--role ROLE]        run the API and the simulations (ROLE all, the default); on PostgreSQL,
                                       --role api serves the API only and --role worker runs simulations only
                                       (serving /v2/health alone); several of each share one database
  demo [--serve]                       seed a demo suite on a fresh database, run it, print the verdicts
  keys create [--workspace ID] [--name NAME]
                                       mint an API key (the workspace may be omitted when there is one)
  keys list                            list keys (prefixes only; keys are stored hashed)
  keys revoke ID_OR_PREFIX             revoke a key
  workspaces create --name NAME        create a workspace and mint its first key
  workspaces list                      list workspaces
  copy --to POSTGRES_URL [--from DIR]  copy every record of the SQLite database (SIMS_DATA_DIR, or DIR) into
                                       an empty PostgreSQL database; prints the count of each kind

Environment: PORT (4010), SIMS_HOST (127.0.0.1), SIMS_DATA_DIR (./data), SIMS_DATABASE_URL (a postgres:// URL:
PostgreSQL instead of SQLite), SIMS_ROLE (all; as --role), SIMS_LOG_LEVEL (info),
SIMS_RATE_LIMIT_MAX (600, 0 = off), SIMS_RATE_LIMIT_WINDOW_MS (60000), SIMS_SHUTDOWN_GRACE_MS (10000),
SIMS_REQUEST_TIMEOUT_MS (30000), SIMS_HEADERS_TIMEOUT_MS (10000), SIMS_KEEP_ALIVE_TIMEOUT_MS (5000),
SIMS_CONCURRENCY (4), SIMS_SIMULATION_TIMEOUT_MS (120000), SIMS_ALLOW_PRIVATE_NETWORKS (false),
SIMS_QUEUE_POLL_MS (1000), SIMS_QUEUE_EXPIRY_MARGIN_MS (30000), SIMS_QUEUE_MAINTENANCE_MS (30000) (PostgreSQL),
SIMS_LLM_BASE_URL, SIMS_LLM_MODEL, SIMS_LLM_API_KEY (an OpenAI-compatible model for caller, judge and
generation; SIMS_LLM_PERSONA_*, SIMS_LLM_JUDGE_*, SIMS_LLM_GENERATOR_* per role; offline when unset).`;

/** Human-readable lines go to stderr, so stdout carries only the JSON log. */
const say = (line = '') => process.stderr.write(`${line}\n`);

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { role: { type: 'string' } } });
  const server = await startServer(configFromEnv(values.role ? { ...process.env, SIMS_ROLE: values.role } : process.env));
  if (server.role === 'worker') say(`Worker health    ${server.url}/health`);
  else {
    say(`Simulations API  ${server.url}`);
    say(`API reference    ${server.origin}/docs`);
    // Printed only when there is a page to open: without a build of apps/web, `/` redirects to the docs.
    if (webAppBuilt()) say(`Test Center:     ${server.origin}/`);
  }
  say(`Role             ${server.role}`);
  say(`Database         ${server.database}`);
  if (server.firstStart) {
    say();
    say(`First start: created workspace "${server.firstStart.workspace.name}" (${server.firstStart.workspace.id}).`);
    say(`Its API key is shown only this once; keep it:`);
    say();
    say(`    ${server.firstStart.key}`);
    say();
    say(`Try: curl -H "Authorization: Bearer <key>" ${server.url}/simulation_suites`);
  }
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function admin(command: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { workspace: { type: 'string' }, name: { type: 'string' } },
  });
  const { dataDir, databaseUrl } = configFromEnv();
  const storage = await openStorage({ dataDir, databaseUrl });
  try {
    const [group, action] = [command, positionals[0]];
    if (group === 'workspaces' && action === 'create') {
      if (!values.name) throw new Error('--name is required');
      const { workspace, minted } = await createWorkspace(storage, values.name);
      say(`workspace ${workspace.id} "${workspace.name}"; its API key (shown once):`);
      process.stdout.write(`${minted.key}\n`);
    } else if (group === 'workspaces' && action === 'list') {
      for (const w of await storage.workspaces.list()) process.stdout.write(`${w.id}\t${w.name}\t${w.created_at}\n`);
    } else if (group === 'keys' && action === 'create') {
      const workspaces = await storage.workspaces.list();
      const workspace = values.workspace ?? (workspaces.length === 1 ? workspaces[0]!.id : undefined);
      if (!workspace) throw new Error('--workspace is required when there is not exactly one workspace');
      if (!(await storage.workspaces.get(workspace))) throw new Error(`no workspace ${workspace}`);
      const { key, record } = await mintKey(storage, workspace, values.name);
      say(`key ${record.id} (${record.prefix}…) for workspace ${workspace}; shown once:`);
      process.stdout.write(`${key}\n`);
    } else if (group === 'keys' && action === 'list') {
      for (const k of await storage.apiKeys.list()) {
        process.stdout.write(
          `${k.id}\t${k.prefix}…\t${k.workspace_id}\t${k.name}\t${k.created_at}\t${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'}\n`,
        );
      }
    } else if (group === 'keys' && action === 'revoke') {
      const target = positionals[1];
      if (!target) throw new Error('give the key id or prefix to revoke');
      const revoked = await storage.apiKeys.revoke(target, new Date().toISOString());
      if (!revoked) throw new Error(`no single active key matches ${target}`);
      say(`revoked key ${revoked.id} (${revoked.prefix}…)`);
    } else {
      throw new Error(`unknown command: ${[group, action].filter(Boolean).join(' ')}`);
    }
  } finally {
    await storage.close();
  }
}

/** `copy`: the SQLite database into an empty PostgreSQL one; a non-empty target is refused with its reason alone. */
async function copy(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.to) throw new Error('--to postgres://… is required');
  const fromDir = values.from ? resolve(values.from) : configFromEnv().dataDir;
  say(`copying ${describeLocation({ dataDir: fromDir })} to ${describeLocation({ dataDir: fromDir, databaseUrl: values.to })}`);
  try {
    for (const { kind, count } of await copyDatabase({ fromDir, toUrl: values.to })) process.stdout.write(`${kind}\t${count}\n`);
  } catch (error) {
    if (!(error instanceof TargetNotEmptyError)) throw error;
    say(error.message);
    process.exit(1);
  }
  say('copied; start the servers with SIMS_DATABASE_URL set to the new database');
}

const args = process.argv.slice(2);
// `sims-server --role worker` is `sims-server serve --role worker`.
const [command = 'serve', ...rest] = args[0]?.startsWith('--role') ? ['serve', ...args] : args;
const run =
  command === 'serve'
    ? serve(rest)
    : command === 'demo'
      ? import('./demo.js')
          .then(({ runDemo }) => runDemo({ serve: rest.includes('--serve') || process.env.SIMS_DEMO_SERVE === '1' }))
          .then(() => process.exit(0))
      : command === 'help' || command === '--help'
        ? Promise.resolve(say(USAGE))
        : command === 'copy'
          ? copy(rest)
          : admin(command, rest);
run.catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  // A held database is not a usage mistake: its one line says what to do.
  if (command !== 'serve' && !(error instanceof DatabaseLockedError)) say(USAGE);
  process.exit(1);
});
