import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecValidator } from '@sims/testkit';

const docsPath = fileURLToPath(new URL('../dist/docs/index.html', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(docsPath)) throw new Error(`${docsPath} is missing: run pnpm docs first`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
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
});

afterAll(async () => {
  await browser?.close();
});

describe('the API reference page', () => {
  it('is built with Redoc telemetry off (the page would otherwise post traces to Redocly)', () => {
    expect(readFileSync(docsPath, 'utf8')).toContain('"disableTelemetry":true');
  });

  it('renders offline in Chromium and lists every operation', { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    const outbound: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outbound.push(url);
      return route.abort();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(pathToFileURL(docsPath).href);
    const operations = new SpecValidator().operations();
    expect(operations.length).toBeGreaterThanOrEqual(23);
    const tags = [...new Set(operations.map((op) => (op.definition.tags as string[])[0]!))];

    // The page shows one tag at a time: open each from the side menu and read what it lists.
    const listed = new Map<string, string>();
    for (const tag of tags) {
      const slug = tag.toLowerCase().replaceAll(' ', '-');
      // On a loaded machine a click can land while the page re-renders: click again rather than fail.
      for (let attempt = 1; ; attempt += 1) {
        await page.getByText(tag, { exact: true }).first().click();
        try {
          await page.waitForSelector(`a[href^="#/${slug}/"]`, { timeout: 10_000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText(), the text as rendered, is what is asserted
      const text = await page.locator('main, body').first().innerText();
      const hrefs = await page.$$eval('a[href^="#/"]', (nodes) => nodes.map((n) => n.getAttribute('href') ?? ''));
      for (const op of operations.filter((o) => (o.definition.tags as string[])[0] === tag)) {
        if (hrefs.some((href) => href.endsWith(`/${op.operationId.toLowerCase()}`)) && text.includes(op.summary)) {
          listed.set(op.operationId, op.summary);
        }
      }
    }
    expect([...listed.keys()].sort()).toEqual(operations.map((op) => op.operationId).sort());
    // Only the "API docs by Redocly" attribution image is fetched from a CDN; it hides itself when
    // offline (onError), so nothing the reader needs comes from the network.
    const attribution = /^https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg$/;
    const unexpected = outbound.filter((url) => !attribution.test(url));
    expect(unexpected, `the page must not load anything else from the network: ${unexpected.join(', ')}`).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
