// Reads at scale (issue 10, item 7): the same reads against the reference server on a workspace of
// 1,000 simulations and on one of 100,000, side by side in one run, printed as the ratio of the time
// a read takes at the larger size to the time at the smaller (target: at most 2).
//
// Each database is seeded through the server's own storage module (apps/server/dist), so the rows,
// the indexes and the kept totals are exactly those the server writes: one workspace, four agents,
// suites of 25 cases run as sessions of 25 simulations with a single run now and then, over 180
// days; each simulation finished (completed and passed, completed and not passed, or failed) with a
// timeline of 6 to 20 events (failed ones 2). In-progress runs are left out: a starting server
// fails or resumes them, which would change the data under the measurement. Both databases also
// hold the largest session the API allows (100 simulations, 20 days old: below the first page of
// sessions at either size, so that page holds the same mix in both) and a legacy session of
// 1,000 simulations written straight into storage, as before the 100-per-session limit, a year old.
//
// Each server runs in its own process with the log level users run with (SIMS_LOG_LEVEL unset:
// info); autocannon drives them from this one, alternating between the two for BENCH_ROUNDS rounds,
// and the medians are compared, so that a burst of other work on the machine does not land on one
// side only.
//
//   pnpm bench:scale   (BENCH_SMALL=1000, BENCH_LARGE=100000, BENCH_ROUNDS=5, BENCH_DURATION=3 seconds
//                       per measurement, BENCH_CONNECTIONS=10, BENCH_LOG_LEVEL=info)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { finishedRunRecord, median, root, serveBuilt } from './support.mjs';

const { createWorkspace, openSqliteStorage } = await import(join(root, 'apps/server/dist/index.js'));
const small = Number(process.env.BENCH_SMALL ?? 1_000);
const large = Number(process.env.BENCH_LARGE ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const duration = Number(process.env.BENCH_DURATION ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
const TARGET = 2;
const DAY = 86_400_000;
const SPAN = 180 * DAY;
const SUITE_SIZE = 25;
const LARGEST_AGE = 20 * DAY;
/** Of every 30 runs of history, 25 are one suite's session and 5 are single runs, each its own session. */
const SINGLES_PER_SUITE_RUN = 5;
const END = Date.now() - 3_600_000;
const children = [];
const dirs = [];

const iso = (ms) => new Date(ms).toISOString();

const SAY = [
  'Hi, I would like to know where my order 12345 is; it was due on Monday and nothing came.',
  'Thanks for calling Acme support. I can see order 12345: it left our warehouse yesterday and ships with the courier tomorrow.',
  'Could you send it to my office instead? The address is 4 Main Street.',
  'Of course. I have changed the delivery address to 4 Main Street; you will get a confirmation by email.',
  'Great, and can I get a refund for the delay?',
  'I am sorry for the wait. I have added a 10% credit to your account; it shows on your next order.',
];

/** The conversation of a finished run: `length` events, the caller and the agent in turn, then the end of the call. */
function timeline(at, length, failed) {
  const start = Date.parse(at);
  if (failed) {
    return [
      { sender_type: 'persona', type: 'message', value: SAY[0], timestamp: '0.00', timestamp_datetime: at },
      { sender_type: 'system', type: 'error', value: 'The agent answered 500.', timestamp: '1.20', timestamp_datetime: iso(start + 1200) },
    ];
  }
  return Array.from({ length }, (_, t) => {
    const last = t === length - 1;
    const seconds = t * 3.25;
    return {
      sender_type: last ? 'agent' : t % 2 ? 'agent' : 'persona',
      type: last ? 'end_call' : 'message',
      value: last ? 'Goodbye.' : SAY[t % SAY.length],
      timestamp: seconds.toFixed(2),
      timestamp_datetime: iso(start + seconds * 1000),
    };
  });
}

/** A finished run of `testCase` in `session`, the `i`-th of the database; answers the record and its timeline. */
function finishedRun(session, testCase, agent, at, i) {
  const failed = i % 8 === 3;
  const passed = !failed && i % 5 !== 1;
  const criteria = testCase.success_criteria;
  const run = finishedRunRecord(session, agent, at, {
    simulation_case_id: testCase.simulation_case_id,
    simulation_case_name: testCase.name,
    simulation_case_prompt: testCase.prompt,
    success_criteria: criteria,
    call_success_type: testCase.call_success_type,
    custom_variables: i % 3 ? null : { customer_name: `Customer ${i % 97}`, order_id: String(10_000 + (i % 9_973)) },
    status: failed ? 'failed' : 'completed',
    error_info: failed ? { code: 424, type: 'agent_error', message: 'The agent answered 500.' } : null,
    success_criteria_analysis: failed
      ? null
      : {
          success: passed,
          evaluations: criteria.map((criterion, c) => ({
            criterion,
            passed: passed || c > 0,
            reasoning: passed || c > 0 ? 'The agent said so in its second turn.' : 'The agent never gave a date.',
          })),
        },
  });
  return { run, events: timeline(at, 6 + ((i * 7) % 15), failed) };
}

/**
 * A database with one workspace of `history` simulations (the 100-run session among them) plus the
 * legacy 1,000-run session; answers the key and the two sessions' ids.
 */
async function seed(dataDir, history) {
  const storage = openSqliteStorage(join(dataDir, 'sims.db'));
  // The storage's methods are asynchronous for other engines, but SQLite's do their work before
  // answering: many are grouped in one transaction, and their promises awaited after it.
  const pending = [];
  const batch = (write) => storage.db.transaction(write)();
  try {
    const { workspace, minted } = await createWorkspace(storage, 'Bench');
    const ws = workspace.id;
    const setUpAt = iso(END - SPAN - 2 * 365 * DAY);
    const agents = ['Acme Support', 'Acme Billing', 'Globex Support', 'Initech Sales'].map((name) => ({
      id: randomUUID(),
      workspace_id: ws,
      name,
      prompt: `You are ${name}. Answer briefly and politely.`,
      connector: { kind: 'builtin' },
      agent_type: 'inbound',
      avatar_url: null,
      phone_number: null,
      created_at: setUpAt,
      updated_at: setUpAt,
    }));
    const suiteWithCases = (name, agent, size) => {
      const suite = {
        id: randomUUID(),
        workspace_id: ws,
        name,
        model_id: agent.id,
        language: 'en',
        created_at: setUpAt,
        updated_at: setUpAt,
      };
      const cases = Array.from({ length: size }, (_, c) => ({
        simulation_case_id: randomUUID(),
        workspace_id: ws,
        suite_id: suite.id,
        name: `${name}: case ${c + 1}`,
        prompt: 'You are a customer who wants to know where order 12345 is, and to have it sent to your office.',
        type: ['happy_path', 'edge_case', 'adversarial'][c % 3],
        success_criteria: ['Agent gave the delivery date', 'Agent changed the address when asked'],
        call_success_type: 'all',
        checks: [],
        caller_turns: [],
        base_agent_id: null,
        created_at: setUpAt,
        updated_at: setUpAt,
      }));
      return { suite, cases, agent };
    };
    const historyRuns = history - 100;
    const suites = Array.from({ length: Math.max(2, Math.round(historyRuns / 500)) }, (_, s) =>
      suiteWithCases(`Suite ${s + 1}`, agents[s % agents.length], SUITE_SIZE),
    );
    const largest = suiteWithCases('Largest suite', agents[0], 100);
    const legacy = suiteWithCases('Legacy suite', agents[1], 1_000);
    batch(() => {
      for (const agent of agents) pending.push(storage.agents.create(agent));
      for (const { suite, cases } of [...suites, largest, legacy]) {
        pending.push(storage.suites.create(suite));
        for (const c of cases) pending.push(storage.cases.create(c));
      }
    });

    let n = 0;
    /** One session of `cases` against `agent` at `at`, each run finished with its timeline. */
    const session = (cases, agent, suite, at) => {
      const record = {
        simulation_session_id: randomUUID(),
        workspace_id: ws,
        suite_id: suite?.id ?? null,
        target_agent_id: agent.id,
        created_at: at,
      };
      const runs = cases.map((c) => finishedRun(record, c, agent, at, n++));
      pending.push(
        storage.sessions.createRuns(
          record,
          runs.map((r) => r.run),
        ),
      );
      for (const { run, events } of runs) {
        const { status, success_criteria_analysis, error_info } = run;
        pending.push(
          storage.simulations.finish(
            run.simulation_id,
            { status, success_criteria_analysis, error_info, events },
            events.at(-1).timestamp_datetime,
          ),
        );
      }
      return record.simulation_session_id;
    };

    let legacyId;
    batch(() => {
      legacyId = session(legacy.cases, legacy.agent, legacy.suite, iso(END - 365 * DAY));
    });
    let written = 0;
    let s = 0;
    let largestId;
    while (written < historyRuns) {
      batch(() => {
        for (let block = 0; block < 100 && written < historyRuns; block += 1, s += 1) {
          const at = iso(END - SPAN + (SPAN * written) / historyRuns);
          const { suite, cases, agent } = suites[s % suites.length];
          const suiteRuns = cases.slice(0, Math.min(cases.length, historyRuns - written));
          session(suiteRuns, agent, suite, at);
          written += suiteRuns.length;
          for (let single = 0; single < SINGLES_PER_SUITE_RUN && written < historyRuns; single += 1, written += 1) {
            const one = suites[(s + single + 1) % suites.length];
            session([one.cases[single]], one.agent, null, iso(Date.parse(at) + (single + 1) * 60_000));
          }
          if (largestId === undefined && written >= historyRuns * (1 - LARGEST_AGE / SPAN))
            largestId = session(largest.cases, largest.agent, largest.suite, iso(END - LARGEST_AGE));
        }
      });
      await Promise.all(pending.splice(0));
    }
    if (largestId === undefined)
      batch(() => {
        largestId = session(largest.cases, largest.agent, largest.suite, iso(END - LARGEST_AGE));
      });
    await Promise.all(pending);
    return { key: minted.key, largestId, legacyId };
  } finally {
    await storage.close();
  }
}

/**
 * Requests per second (answers over the whole measurement, not a mean of per-second counts, which
 * a read of a few a second would round) and mean latency (ms); fails on any answer but 2xx.
 */
async function measure(title, { url, headers, connections }) {
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx || result.errors || !result['2xx']) throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result['2xx'] / result.duration, latency: result.latency.average };
}

/**
 * The reads compared, each a path at either size (a session read names that database's session),
 * and the share of BENCH_CONNECTIONS it is driven with: a session read answers megabytes, and ten
 * of them queued on one server would measure the queue.
 */
const READS = [
  ['list, page_size 10', () => '/simulations?page_size=10', 1],
  ['list, page_size 100', () => '/simulations?page_size=100', 1],
  ['list, status=failed', () => '/simulations?page_size=10&status=failed', 1],
  ['list, last 7 days', () => `/simulations?page_size=10&start_date=${iso(END - 7 * DAY)}`, 1],
  ['list, last 90 days', () => `/simulations?page_size=10&start_date=${iso(END - 90 * DAY)}`, 1],
  ['list, failed in the last 30 days', () => `/simulations?page_size=10&status=failed&start_date=${iso(END - 30 * DAY)}`, 1],
  ['list, page 90 of page_size 10', () => '/simulations?page_size=10&page_number=90', 1],
  ['sessions list, page_size 10', () => '/simulations/sessions?page_size=10', 1],
  ['session of 100 simulations', (t) => `/simulations/session/${t.largestId}`, 0.5],
  ['legacy session of 1,000', (t) => `/simulations/session/${t.legacyId}`, 0.2],
];

/** What one answer holds, to show that both sizes answer the same amount. */
function shape(body) {
  const r = body.response;
  if (Array.isArray(r.items)) return { count: r.items.length, what: `${r.items.length} items of ${r.pagination.total_records}` };
  if (Array.isArray(r.simulations)) {
    const events = r.simulations.reduce((sum, s) => sum + (s.timeline?.length ?? 0), 0);
    return { count: r.simulations.length, what: `${r.simulations.length} simulations, ${events} events` };
  }
  return { count: 0, what: 'unexpected answer' };
}

async function main() {
  const targets = [];
  for (const history of [small, large]) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-scale-'));
    dirs.push(dataDir);
    const started = Date.now();
    const seeded = await seed(dataDir, history);
    const mb = statSync(join(dataDir, 'sims.db')).size / 1e6;
    const label = `${history.toLocaleString('en')} runs`;
    console.log(`seeded ${label} (+ the legacy 1,000) in ${((Date.now() - started) / 1000).toFixed(1)} s, ${mb.toFixed(0)} MB`);
    const server = await serveBuilt(dataDir, { SIMS_LOG_LEVEL: logLevel });
    children.push(server.child);
    targets.push({ label, ...seeded, ...server });
  }

  console.log(
    `\nautocannon: up to ${connections} connections, ${rounds} rounds of ${duration} s per server and read, alternating; ` +
      `server log level ${logLevel}; Node ${process.version}\n`,
  );
  const rows = [];
  for (const [label, path, share] of READS) {
    const drive = Math.max(1, Math.round(connections * share));
    console.log(`${label} (${drive} connection${drive > 1 ? 's' : ''})`);
    const requests = targets.map((target) => ({
      target,
      url: target.api + path(target),
      headers: { Authorization: `Bearer ${target.key}` },
      connections: drive,
      runs: [],
    }));
    for (const r of requests) {
      const answer = await fetch(r.url, { headers: r.headers });
      const text = await answer.text();
      if (!answer.ok) throw new Error(`${label} on ${r.target.label}: ${answer.status} ${text.slice(0, 300)}`);
      const { count, what } = shape(JSON.parse(text));
      if (!count) throw new Error(`${label}: nothing read on ${r.target.label} (${what})`);
      r.what = `${what}, ${(text.length / 1024).toFixed(0)} KiB`;
      await autocannon({ url: r.url, connections: r.connections, duration: 1, headers: r.headers }); // warm-up: JIT, caches, keep-alive sockets
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const r of requests) r.runs.push(await measure(`${label} on ${r.target.label}`, r));
    }
    for (const r of requests) {
      r.rate = median(r.runs.map((m) => m.rate));
      console.log(
        `  ${r.target.label.padEnd(14)} ${r.rate.toFixed(0).padStart(6)} req/s median (${r.runs.map((m) => m.rate.toFixed(0)).join(', ')}), ` +
          `mean latency ${median(r.runs.map((m) => m.latency)).toFixed(1)} ms; ${r.what}`,
      );
    }
    rows.push([label, requests[0].rate / requests[1].rate]);
    console.log('');
  }
  console.log(`Time of a read at ${targets[1].label} as a multiple of the same read at ${targets[0].label} (target ≤ ${TARGET}):`);
  for (const [label, ratio] of rows) console.log(`  ${label.padEnd(34)} ${ratio.toFixed(2)}  ${ratio <= TARGET ? 'within' : 'MISSED'}`);
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
