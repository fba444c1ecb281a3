/**
 * Regenerates the README's screenshots from what `pnpm demo` leaves: runs the built server's demo with
 * SIMS_DEMO_SERVE=1 on a fresh database (the builtin Northwind Shop agent, its six cases, one session),
 * runs the demo suite once more so that the latest session has a baseline to be compared with, then
 * opens the Test Center in Debian's Chromium at 1280 px and writes apps/web/screenshots/
 * {suites,session,simulation,comparison}.png.
 *
 * Needs the server and the web app built (`pnpm turbo run bundle docs build --filter=@sims/server...
 * --filter=@sims/web`). Run with `pnpm --filter @sims/web screenshots`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulationsClient, unwrap } from '@sims/client';
import type { Page } from 'playwright-core';
import { launchChromium, openContext, settled, signIn, WIDE } from '../test/e2e/support/browser.js';
import { WEB_DIST } from '../test/e2e/support/test-center.js';

const SERVER = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const OUT = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Starts `main.js demo` with the server kept running; resolves with its address and key once it says so. */
function startDemo(dataDir: string): Promise<{ child: ChildProcess; origin: string; key: string }> {
  const child = spawn(process.execPath, [SERVER, 'demo'], {
    env: { ...process.env, SIMS_DEMO_SERVE: '1', SIMS_DATA_DIR: dataDir, SIMS_HOST: '127.0.0.1', PORT: '0', SIMS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /keeps running on (http:\/\/\S+)\/v2 .*Demo workspace key: (\S+)/.exec(output);
      if (found?.[1] && found[2]) resolve({ child, origin: found[1], key: found[2] });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => reject(new Error(`the demo exited with ${code} before serving:\n${output}`)));
  });
}

async function shoot(page: Page, path: string, file: string): Promise<void> {
  await page.goto(path);
  await settled(page);
  // The viewport's top, cut short where the page's content ends (a short list leaves no empty band).
  const height = await page.evaluate(() => Math.ceil(document.querySelector('main')?.getBoundingClientRect().bottom ?? 0) + 32);
  const viewport = page.viewportSize() ?? WIDE;
  await page.screenshot({ path: join(OUT, file), clip: { x: 0, y: 0, width: viewport.width, height: Math.min(viewport.height, height) } });
  console.log(`wrote apps/web/screenshots/${file} (${path})`);
}

async function main(): Promise<void> {
  for (const built of [SERVER, join(WEB_DIST, 'index.html')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: build the server and the web app first`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sims-screenshots-'));
  const demo = await startDemo(dataDir);
  const browser = await launchChromium();
  try {
    const api = createSimulationsClient({ baseUrl: `${demo.origin}/v2`, apiKey: demo.key, retry: false });
    const [suite] = (await unwrap(api.GET('/simulation_suites', {}))).items;
    if (!suite) throw new Error('the demo made no suite');
    const second = await api.runSuite(suite.id, { targetAgentId: suite.model_id, maxTurns: 10, intervalMs: 200, timeoutMs: 120_000 });
    const failed = second.simulations.find((simulation) => simulation.success_criteria_analysis?.success === false);
    if (!failed) throw new Error('the demo suite has no failing case');

    // 1280 px wide, and tall enough to show a session's cases and a failed simulation's verdicts.
    const { context } = await openContext(browser, demo.origin, { width: WIDE.width, height: 1100 });
    const page = await context.newPage();
    await signIn(page, demo.key);
    mkdirSync(OUT, { recursive: true });
    await shoot(page, '/suites', 'suites.png');
    await shoot(page, `/sessions/${second.simulation_session_id}`, 'session.png');
    await shoot(page, `/simulations/${failed.simulation_id}`, 'simulation.png');
    await page.goto(`/sessions/${second.simulation_session_id}`);
    await settled(page);
    const comparison = page.getByRole('region', { name: 'Compared with a baseline' });
    await comparison.getByRole('link', { name: 'the baseline session' }).waitFor();
    const box = await comparison.boundingBox();
    if (!box) throw new Error('the comparison is not shown');
    // The section with a margin of the page around it, wherever it is on the page.
    const margin = 24;
    await page.screenshot({
      path: join(OUT, 'comparison.png'),
      fullPage: true,
      clip: { x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin },
    });
    console.log(`wrote apps/web/screenshots/comparison.png (/sessions/${second.simulation_session_id}, its comparison)`);
    await context.close();
  } finally {
    await browser.close();
    demo.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
