// The session report and the comparison of two sessions (issue 12, item 7), each measured against
// the plain read of the same session, side by side in one run, on the reference server.
//
// One database, seeded through the server's own storage module (apps/server/dist): a suite of 100
// cases, run as two sessions of BENCH_ITERATIONS (10) iterations each — 1,000 simulations a session,
// every one finished with a timeline of 6 to 20 events and verdicts on three criteria and one check,
// about a third of the cases flaky and some failed runs. Then, alternating for BENCH_ROUNDS rounds:
//   - the session read (`GET /simulations/session/{id}`: its oldest 100 simulations in full),
//   - the report (`GET …/report`: every one of the 1,000 runs, case by case),
//   - the comparison (`GET …/comparison?baseline=last`: both sessions' reports, then their comparison),
// and the median time per answer of each is printed as a multiple of the session read's.
//
// The server runs in its own process with the log level users run with (SIMS_LOG_LEVEL unset: info).
//
//   pnpm bench:regression   (BENCH_ITERATIONS=10, BENCH_ROUNDS=5, BENCH_DURATION=3 seconds per
//                            measurement, BENCH_CONNECTIONS=2, BENCH_LOG_LEVEL=info)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { finishedRunRecord, median, root, serveBuilt } from './support.mjs';

const { createWorkspace, openSqliteStorage } = await import(join(root, 'apps/server/dist/index.js'));
const iterations = Number(process.env.BENCH_ITERATIONS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const duration = Number(process.env.BENCH_DURATION ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 2);
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
const CASES = 100;
const CRITERIA = ['Agent gave the delivery date', 'Agent changed the address when asked', 'Agent stayed polite'];
const REASONS = ['The agent never gave a date.', 'The address was not changed.', 'The agent interrupted the caller.'];
const SAY = [
  'Hi, I would like to know where my order 12345 is; it was due on Monday and nothing came.',
  'Thanks for calling Acme support. I can see order 12345: it left our warehouse yesterday and ships tomorrow.',
  'Could you send it to my office instead? The address is 4 Main Street.',
  'Of course. I have changed the delivery address to 4 Main Street; you will get a confirmation by email.',
];
const children = [];
const dirs = [];
const iso = (ms) => new Date(ms).toISOString();

/** Whether run `iteration` of case `c` in session `s` (0 baseline, 1 head) passes: stable, flaky, fixed and broken cases. */
function passes(c, iteration, s) {
  if (c % 3 === 0) return (iteration + c) % 3 !== 0; // flaky: about 2 of 3
  if (c % 10 === 1) return s === 1; // fixed in the head
  if (c % 10 === 2) return s === 0; // broken in the head
  return c % 7 !== 5; // stable: mostly passing
}

function timeline(start, length) {
  return Array.from({ length }, (_, t) => {
    const last = t === length - 1;
    const seconds = t * 3.25;
    return {
      sender_type: last ? 'persona' : t % 2 ? 'persona' : 'agent',
      type: last ? 'end_call' : 'message',
      value: last ? 'caller ended the call' : SAY[t % SAY.length],
      timestamp: seconds.toFixed(2),
      timestamp_datetime: iso(start + seconds * 1000),
    };
  });
}

function run(session, testCase, agent, c, iteration, s, at) {
  const failed = (c * 31 + iteration) % 50 === 7;
  const passed = !failed && passes(c, iteration, s);
  const evaluations = [
    ...CRITERIA.map((criterion, k) => {
      const success = passed || k !== c % 3;
      return { success, verdict: success ? 'passed' : 'failed', criterion, reasoning: success ? 'The agent did so.' : REASONS[k] };
    }),
    { success: true, verdict: 'passed', criterion: 'contains "order"', reasoning: 'Found in the agent’s second turn.' },
  ];
  return finishedRunRecord(session, agent, at, {
    simulation_case_id: testCase.simulation_case_id,
    simulation_case_name: testCase.name,
    simulation_case_prompt: testCase.prompt,
    success_criteria: CRITERIA,
    status: failed ? 'failed' : 'completed',
    error_info: failed ? { code: 424, type: 'agent_error', message: 'The agent answered 500.' } : null,
    success_criteria_analysis: failed ? null : { success: passed, evaluations },
    iteration,
  });
}

/** The workspace with its suite and the two sessions; answers the key and the sessions' ids. */
async function seed(dataDir) {
  const storage = openSqliteStorage(join(dataDir, 'sims.db'));
  const pending = [];
  const batch = (write) => storage.db.transaction(write)();
  try {
    const { workspace, minted } = await createWorkspace(storage, 'Bench');
    const ws = workspace.id;
    const setUpAt = iso(Date.now() - 2 * 86_400_000);
    const agent = {
      id: randomUUID(),
      workspace_id: ws,
      name: 'Acme Support',
      prompt: 'You are Acme Support.',
      connector: { kind: 'builtin' },
      agent_type: 'inbound',
      avatar_url: null,
      phone_number: null,
      created_at: setUpAt,
      updated_at: setUpAt,
    };
    const suite = {
      id: randomUUID(),
      workspace_id: ws,
      name: 'Orders',
      model_id: agent.id,
      language: 'en',
      created_at: setUpAt,
      updated_at: setUpAt,
    };
    const cases = Array.from({ length: CASES }, (_, c) => ({
      simulation_case_id: randomUUID(),
      workspace_id: ws,
      suite_id: suite.id,
      name: `Orders: case ${c + 1}`,
      prompt: 'You are a customer who wants to know where order 12345 is, and to have it sent to your office.',
      type: 'custom',
      success_criteria: CRITERIA,
      call_success_type: 'all',
      checks: [{ kind: 'contains', text: 'order' }],
      caller_turns: [],
      base_agent_id: null,
      created_at: setUpAt,
      updated_at: setUpAt,
    }));
    batch(() => {
      pending.push(storage.agents.create(agent), storage.suites.create(suite));
      for (const c of cases) pending.push(storage.cases.create(c));
    });
    const ids = [];
    for (const s of [0, 1]) {
      const start = Date.now() - (2 - s) * 3_600_000;
      const session = {
        simulation_session_id: randomUUID(),
        workspace_id: ws,
        suite_id: suite.id,
        target_agent_id: agent.id,
        created_at: iso(start),
      };
      const runs = [];
      for (let i = 1; i <= iterations; i += 1) {
        for (const [n, c] of cases.entries()) runs.push(run(session, c, agent, n, i, s, iso(start)));
      }
      batch(() => {
        pending.push(storage.sessions.createRuns(session, runs));
        runs.forEach((r, n) => {
          const events = r.status === 'failed' ? timeline(start, 2) : timeline(start, 6 + ((n * 7) % 15));
          const { status, success_criteria_analysis, error_info } = r;
          pending.push(
            storage.simulations.finish(
              r.simulation_id,
              { status, success_criteria_analysis, error_info, events },
              events.at(-1).timestamp_datetime,
            ),
          );
        });
      });
      await Promise.all(pending.splice(0));
      ids.push(session.simulation_session_id);
    }
    return { key: minted.key, baselineId: ids[0], headId: ids[1] };
  } finally {
    await storage.close();
  }
}

async function measure(title, { url, headers }) {
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx || result.errors || !result['2xx']) throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result['2xx'] / result.duration, latency: result.latency.average };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-regression-'));
  dirs.push(dataDir);
  const seeded = await seed(dataDir);
  const server = await serveBuilt(dataDir, { SIMS_LOG_LEVEL: logLevel });
  children.push(server.child);
  const headers = { Authorization: `Bearer ${seeded.key}` };
  const session = `/simulations/session/${seeded.headId}`;
  const reads = [
    { label: 'session read (100 runs in full)', path: session },
    { label: `report (${iterations * CASES} runs)`, path: `${session}/report` },
    { label: `comparison (2 × ${iterations * CASES} runs)`, path: `${session}/comparison?baseline=last` },
  ];
  for (const r of reads) {
    r.url = server.api + r.path;
    r.runs = [];
    const answer = await fetch(r.url, { headers });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${r.label}: ${answer.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text).response;
    if (r.path.endsWith('comparison?baseline=last') && body.baseline_session_id !== seeded.baselineId) throw new Error('wrong baseline');
    r.what =
      `${(text.length / 1024).toFixed(0)} KiB` +
      (body.verdict ? `, verdict ${body.verdict}` : '') +
      (body.cases ? `, ${body.cases.length} cases` : '');
    await autocannon({ url: r.url, connections, duration: 1, headers }); // warm-up: JIT, caches, keep-alive sockets
  }
  console.log(
    `\n${iterations * CASES} simulations a session (${CASES} cases × ${iterations}); autocannon: ${connections} connections, ` +
      `${rounds} rounds of ${duration} s per read, alternating; server log level ${logLevel}; Node ${process.version}\n`,
  );
  for (let round = 0; round < rounds; round += 1) {
    for (const r of reads) r.runs.push(await measure(r.label, { url: r.url, headers }));
  }
  const base = reads[0];
  for (const r of reads) {
    r.ms = 1000 / median(r.runs.map((m) => m.rate));
    console.log(
      `  ${r.label.padEnd(34)} ${median(r.runs.map((m) => m.rate))
        .toFixed(0)
        .padStart(6)} answers/s median ` + `(${r.runs.map((m) => m.rate.toFixed(0)).join(', ')}), ${r.ms.toFixed(2)} ms each; ${r.what}`,
    );
  }
  console.log('\nTime per answer as a multiple of the session read in the same run:');
  for (const r of reads.slice(1)) console.log(`  ${r.label.padEnd(34)} ${(r.ms / base.ms).toFixed(2)}×`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
