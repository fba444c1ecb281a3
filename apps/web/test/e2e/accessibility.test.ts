import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { horizontalOverflow, launchChromium, NARROW, openContext, seriousViolations, settled, signIn, WIDE } from './support/browser.js';
import { type Seeded, seedWorkspace } from './support/seed.js';
import { startTestCenter, type TestCenter } from './support/test-center.js';

let center: TestCenter;
let browser: Browser;
let seeded: Seeded;
let context: BrowserContext;
let page: Page;
let recorded: { outbound: string[]; errors: string[] };

beforeAll(async () => {
  center = await startTestCenter();
  seeded = await seedWorkspace(center.api, 2);
  browser = await launchChromium();
  const opened = await openContext(browser, center.origin, WIDE);
  context = opened.context;
  recorded = opened;
  // One tab for every page: the key lives in this tab's sessionStorage, as a reader's would.
  page = await context.newPage();
  await signIn(page, center.key);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await center?.stop();
});

/** Every page of the app, at an address that shows it with the seeded workspace's data. */
const PAGES: Array<[title: string, path: () => string]> = [
  ['agents', () => '/agents'],
  ['new agent', () => '/agents/new'],
  ['agent', () => `/agents/${seeded.agentId}`],
  ['scenarios', () => '/scenarios'],
  ['new scenario', () => '/scenarios/new'],
  ['scenario', () => `/scenarios/${seeded.scenarioId}`],
  ['suites', () => '/suites'],
  ['new suite', () => '/suites/new'],
  ['suite', () => `/suites/${seeded.suiteId}`],
  ['new case', () => `/suites/${seeded.suiteId}/cases/new`],
  ['case', () => `/cases/${seeded.failingCaseId}`],
  ['generate', () => `/suites/${seeded.suiteId}/generate`],
  ['run', () => `/suites/${seeded.suiteId}/run`],
  ['sessions and trend', () => `/suites/${seeded.suiteId}/sessions`],
  ['first session (no baseline)', () => `/sessions/${seeded.sessionIds[0]}`],
  ['session with its comparison', () => `/sessions/${seeded.sessionIds.at(-1)}`],
  ['simulation', () => `/simulations/${seeded.failedSimulationId}`],
];

/** What axe finds serious or critical, and how far the page scrolls sideways, at both widths. */
async function audit(target: Page) {
  const found: Record<string, { violations: Awaited<ReturnType<typeof seriousViolations>>; overflow: number }> = {};
  for (const [name, viewport] of [
    ['1280 px', WIDE],
    ['390 px', NARROW],
  ] as const) {
    await target.setViewportSize(viewport);
    await settled(target);
    found[name] = { violations: await seriousViolations(target), overflow: await horizontalOverflow(target) };
  }
  await target.setViewportSize(WIDE);
  return found;
}

const CLEAN = {
  '1280 px': { violations: [], overflow: 0 },
  '390 px': { violations: [], overflow: 0 },
};

describe('every page in Chromium: no serious or critical axe violation, no sideways scroll at 1280 and 390 px', () => {
  it('sign-in', async () => {
    const signedOut = await context.newPage();
    await signedOut.goto('/sign-in');
    expect(await audit(signedOut)).toEqual(CLEAN);
    await signedOut.close();
  });

  it.each(PAGES)('%s', async (_title, path) => {
    await page.goto(path());
    expect(new URL(page.url()).pathname).toBe(path());
    expect(await audit(page)).toEqual(CLEAN);
    // The page shows its data: the route exists, and no error is shown.
    expect(await page.locator('main h1').first().textContent()).not.toBe('Page not found');
    expect(await page.getByRole('alert').count(), (await page.locator('main').textContent()) ?? '').toBe(0);
  });

  it('loaded nothing from elsewhere and threw no error', () => {
    expect(recorded.outbound).toEqual([]);
    expect(recorded.errors).toEqual([]);
  });
});
