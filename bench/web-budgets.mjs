// The web app's two budgets (issue 15), as figures; nothing is asserted.
//
// 1. JavaScript of the first page: every script `apps/web/dist/index.html` loads (its module scripts,
//    modulepreload links and, followed from them, their static imports; lazily imported chunks are
//    not part of the first page), each gzipped on its own with zlib's default level, as a server
//    compresses each file it sends, against the 200 KB (204,800 bytes) budget.
// 2. A session of 500 simulations (100 cases × 5 iterations), run for real by the built reference
//    server on a fresh database (the builtin shop agent, no model), opened at /sessions/<id> in
//    Debian's Chromium: the time from the last of the page's API answers arriving (Resource Timing
//    `responseEnd` of the last /v2/ answer) to the frame after the page shows the session in full
//    (nothing loading, every case's outcome and the first page of 100 runs), against the 1 s budget and against a
//    baseline measured side by side in the same page: the session's 500 simulations, fetched as JSON
//    text, parsed and rendered as one plain HTML table (the frame after it is in the document).
//    Each is measured RUNS times, alternating, after one warm-up of each; the median and range are
//    printed.
//
// Run with `pnpm bench:web` (builds the server and the web app first). The server logs at its
// default level (info, as a user runs it), to a pipe this script drains.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { median, root, serveBuilt } from './support.mjs';

const fromWeb = createRequire(join(root, 'apps/web/package.json'));
const { chromium } = fromWeb('playwright-core');

const DIST = join(root, 'apps/web/dist');
const JS_BUDGET = 200 * 1024;
const RENDER_BUDGET_MS = 1000;
const CASES = 100;
const ITERATIONS = 5;
const RUNS = Number(process.env.RUNS ?? 7);

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value) => `${value.toFixed(1)} ms`;

/** The JavaScript files the first page loads: index.html's scripts and preloads, and their static imports. */
function firstPageScripts() {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const pending = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const src = /\s(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    const isScript = tag.startsWith('<script') && src;
    const isPreload = tag.startsWith('<link') && /\brel="modulepreload"/.test(tag);
    if (src && (isScript || isPreload)) pending.push(join(DIST, src.replace(/^\//, '')));
  }
  const files = new Set();
  while (pending.length > 0) {
    const file = pending.pop();
    if (files.has(file)) continue;
    files.add(file);
    // Minified static imports: `import{a as b}from"./x.js"` or `import"./x.js"`; `import("./x.js")` is lazy.
    for (const match of readFileSync(file, 'utf8').matchAll(/\bimport\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["']([^"']+\.js)["']/g)) {
      pending.push(resolve(dirname(file), match[1]));
    }
  }
  return [...files];
}

function javascriptBudget() {
  const files = firstPageScripts();
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzipped += gzipSync(bytes).length;
  }
  console.log('JavaScript of the first page (apps/web/dist, each file gzipped with zlib level 6)');
  for (const file of files) console.log(`  ${file.slice(DIST.length + 1)}`);
  console.log(
    `  ${files.length} files: ${kib(raw)} raw, ${kib(gzipped)} gzipped = ${((gzipped / JS_BUDGET) * 100).toFixed(1)}% of the ${kib(JS_BUDGET)} budget`,
  );
}

/** A POST or GET to the API answering its JSON, throwing on an error status. */
function apiCaller(api, key) {
  return async (method, path, body) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
}

/** A suite of CASES cases on the builtin shop agent, executed ITERATIONS times into one session, waited for. */
async function seedSession(call) {
  const agent = (
    await call('POST', '/agents', {
      name: 'Northwind Shop support line',
      prompt: 'You are the phone support of Northwind Shop.',
      connector: { kind: 'builtin', builtin: 'shop_support' },
    })
  ).response;
  const suite = (await call('POST', '/simulation_suites', { name: 'Northwind Shop — 500 runs', model_id: agent.id })).response;
  for (let i = 0; i < CASES; i += 1) {
    await call('POST', '/simulation_cases', {
      suite_id: suite.id,
      name: `Case ${String(i + 1).padStart(3, '0')}: ${i % 4 === 0 ? 'refund outside the window' : 'order status'}`,
      prompt: 'You want to know where your order 12345 is.',
      caller_turns: ['Where is my order 12345?', 'Thanks, goodbye. [END_CALL]'],
      success_criteria: ['The agent gives the tracking number'],
      call_success_type: 'all',
      // A quarter of the cases fail, so that the page shows both outcomes.
      checks: [{ kind: 'contains', text: i % 4 === 0 ? 'refund issued' : 'DHL-88431', side: 'agent' }],
    });
  }
  const execution = await call('POST', `/simulation_suites/${suite.id}/execute?target_agent_id=${agent.id}&iterations=${ITERATIONS}`);
  const sessionId = execution.session_id;
  for (;;) {
    const session = (await call('GET', `/simulations/session/${sessionId}`)).response;
    if (session.pending_simulations === 0) {
      if (session.total_simulations !== CASES * ITERATIONS) throw new Error(`the session holds ${session.total_simulations} runs`);
      return sessionId;
    }
    await new Promise((done) => setTimeout(done, 500));
  }
}

// Installed in the page before its scripts run: once the page shows the session in full (nothing loading
// or busy any more, the last case's outcome and a full page of runs, each a link to the run) after a
// DOM change, the time of the next frame is kept in `window.__rendered`.
const RENDER_PROBE = ({ lastCase, runsOnPage }) => {
  const shown = () => {
    const main = document.querySelector('main');
    if (!main) return false;
    const loading = [...main.querySelectorAll('[role="status"]')].some((node) => /loading/i.test(node.textContent ?? ''));
    return (
      !loading &&
      !main.querySelector('[aria-busy="true"]') &&
      main.querySelectorAll('a[href^="/simulations/"]').length >= runsOnPage &&
      (main.textContent ?? '').includes(lastCase)
    );
  };
  window.__rendered = undefined;
  const observer = new MutationObserver(() => {
    if (window.__rendered !== undefined || !shown()) return;
    window.__rendered = null;
    observer.disconnect();
    requestAnimationFrame(() => {
      window.__rendered = performance.now();
    });
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
};

/** Opens the session page; answers the time from the last API answer's arrival to the frame after the session is shown in full. */
async function measureApp(page, sessionId) {
  await page.goto(`/sessions/${sessionId}`);
  await page.waitForFunction(() => typeof window.__rendered === 'number', undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const arrived = performance
      .getEntriesByType('resource')
      .filter((entry) => new URL(entry.name).pathname.startsWith('/v2/') && entry.responseEnd <= window.__rendered)
      .reduce((last, entry) => Math.max(last, entry.responseEnd), 0);
    return window.__rendered - arrived;
  });
}

/** In the same page: the 500 simulations' JSON text parsed and rendered as one plain table, to the next frame. */
async function measureBaseline(page, sessionId) {
  return page.evaluate(
    async ({ sessionId, pages }) => {
      const key = sessionStorage.getItem('sims.apiKey');
      const texts = [];
      for (let n = 1; n <= pages; n += 1) {
        const response = await fetch(`/v2/simulations?simulation_session_id=${sessionId}&page_size=100&page_number=${n}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        texts.push(await response.text());
      }
      const started = performance.now();
      const table = document.createElement('table');
      table.innerHTML = '<thead><tr><th>Case</th><th>Run</th><th>Status</th><th>Verdict</th><th>Started</th><th>Finished</th></tr></thead>';
      const body = table.createTBody();
      for (const text of texts) {
        for (const run of JSON.parse(text).response.items) {
          const row = body.insertRow();
          for (const value of [
            run.simulation_case_name,
            run.iteration,
            run.status,
            run.success_criteria_analysis?.success ? 'passed' : 'failed',
            new Date(run.started_at).toLocaleString(),
            new Date(run.finished_at).toLocaleString(),
          ])
            row.insertCell().textContent = String(value ?? '');
        }
      }
      document.body.append(table);
      const shown = await new Promise((done) => requestAnimationFrame(() => done(performance.now())));
      if (body.rows.length !== pages * 100) throw new Error(`the baseline table has ${body.rows.length} rows`);
      table.remove();
      return shown - started;
    },
    { sessionId, pages: ITERATIONS * (CASES / 100) },
  );
}

async function renderBudget() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sims-bench-web-'));
  let served;
  let browser;
  try {
    const created = execFileSync(process.execPath, ['apps/server/dist/main.js', 'workspaces', 'create', '--name', 'bench'], {
      cwd: root,
      env: { ...process.env, SIMS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const key = created.toString().trim().split('\n').at(-1);
    served = await serveBuilt(dataDir);
    const origin = new URL(served.api).origin;
    const call = apiCaller(served.api, key);
    const seeding = performance.now();
    const sessionId = await seedSession(call);
    const report = (await call('GET', `/simulations/session/${sessionId}/report`)).response;
    const cases = report.cases.map((c) => c.simulation_case_name);
    console.log();
    console.log(
      `A session of ${CASES * ITERATIONS} simulations (${CASES} cases × ${ITERATIONS}), run by the built server in ${((performance.now() - seeding) / 1000).toFixed(1)} s; server log level info`,
    );

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: origin });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel(/api key/i).fill(key);
    await page.getByLabel(/api key/i).press('Enter');
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    await context.addInitScript(RENDER_PROBE, { lastCase: cases.at(-1), runsOnPage: 100 });

    await measureApp(page, sessionId);
    await measureBaseline(page, sessionId);
    const app = [];
    const baseline = [];
    for (let i = 0; i < RUNS; i += 1) {
      app.push(await measureApp(page, sessionId));
      baseline.push(await measureBaseline(page, sessionId));
    }
    const range = (values) => `${ms(Math.min(...values))}–${ms(Math.max(...values))}; each: ${values.map((v) => v.toFixed(0)).join(', ')}`;
    console.log(
      `  the session page (every case's outcome and the first page of 100 runs), last API answer to shown: median ${ms(median(app))} (${range(app)}), budget ${RENDER_BUDGET_MS} ms`,
    );
    console.log(
      `  baseline, all 500 runs as one plain HTML table, JSON text to shown: median ${ms(median(baseline))} (${range(baseline)})`,
    );
    console.log(
      `  ratio page / baseline: ${(median(app) / median(baseline)).toFixed(2)} (${RUNS} runs each, alternating, after a warm-up)`,
    );
  } finally {
    await browser?.close();
    served?.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

javascriptBudget();
await renderBudget();
