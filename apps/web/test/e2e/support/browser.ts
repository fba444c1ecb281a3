import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

/** The widths the app must be readable at: a laptop and a phone. */
export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };

/**
 * Debian's Chromium (never a downloaded browser), headless, with everything that would reach the
 * network on its own turned off: the pages talk only to the loopback server the test started.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * A fresh browser context (its own sessionStorage) whose pages may load only from `origin`: any other
 * request is aborted and recorded in `outbound`, and uncaught page errors are recorded in `errors`,
 * so a test can assert that the app fetched nothing elsewhere and threw nothing.
 */
export async function openContext(browser: Browser, origin: string, viewport = WIDE) {
  const context = await browser.newContext({ viewport, baseURL: origin });
  const outbound: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.fallback();
    outbound.push(url);
    return route.abort();
  });
  context.on('weberror', (error) => errors.push(error.error().message));
  return { context, outbound, errors };
}

/** Signs in through the sign-in page with the mouse-free path: the key typed into its labelled field, then Enter. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel(/api key/i).fill(key);
  await page.getByLabel(/api key/i).press('Enter');
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/**
 * Waits until a page has settled: its main heading is shown and nothing is loading any more (no
 * element marked busy, no "Loading" status left), so that what is checked next is the page's content.
 */
export async function settled(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(
    () =>
      !document.querySelector('[aria-busy="true"]') &&
      ![...document.querySelectorAll('[role="status"]')].some((node) => /loading/i.test(node.textContent ?? '')),
  );
}

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** The axe-core violations of impact `serious` or `critical` on the page as it is now. */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

/** How many CSS pixels the page is wider than its viewport (0 when it needs no horizontal scroll). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));
}
