// What the bench scripts share: a free loopback port, the built reference server started on a data
// directory, the median of repeated measurements, and the record of a finished run to seed with.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository's root, where `apps/server/dist/main.js` is run from. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The built server (`apps/server/dist/main.js`) on `dataDir`, listening on 127.0.0.1 whatever
 * SIMS_HOST the caller has set, without rate limit; `env` adds to or overrides the environment
 * (SIMS_LOG_LEVEL, say). Resolves once it has printed its banner (the database line comes last),
 * rejects with what it printed if it exits first. The caller stops it with `child.kill('SIGTERM')`.
 * `args` are node's, run from the repository's root: another script that starts the built server
 * and prints the same banner in place of `main.js`.
 */
export async function serveBuilt(dataDir, env = {}, args = ['apps/server/dist/main.js']) {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SIMS_RATE_LIMIT_MAX: '0', ...env, SIMS_HOST: '127.0.0.1', PORT: String(port), SIMS_DATA_DIR: dataDir },
  });
  let output = '';
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      output += chunk;
      if (/Database\s+\S+\n/.test(output)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
  return { child, api: `http://127.0.0.1:${port}/v2` };
}

/** The middle value (the upper one of an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * A finished simulation as the server stores it, for seeding a database through the server's storage
 * module: the session's and the agent's fields copied on, everything a finished run leaves empty
 * `null`, created, started and finished at `at`; `fields` name the case, the status and the verdicts
 * (and override anything else).
 */
export function finishedRunRecord(session, agent, at, fields) {
  return {
    simulation_id: randomUUID(),
    simulation_session_id: session.simulation_session_id,
    call_success_type: 'all',
    persona_agent_id: null,
    persona_phone_number: null,
    target_agent_id: agent.id,
    agent_name: agent.name,
    agent_avatar_url: null,
    target_phone_number: null,
    target_call_id: null,
    custom_variables: null,
    workspace_id: session.workspace_id,
    created_at: at,
    updated_at: at,
    error_info: null,
    recording_url: null,
    timeline: null,
    success_criteria_analysis: null,
    max_turns: 20,
    iteration: 1,
    started_at: at,
    finished_at: at,
    ...fields,
  };
}
