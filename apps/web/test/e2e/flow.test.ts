import { unwrap } from '@sims/client';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openContext } from './support/browser.js';
import { FAILING_CASE, PASSING_CASE } from './support/seed.js';
import { startTestCenter, type TestCenter } from './support/test-center.js';

/**
 * The builtin agent's delay before each answer: a run of the passing case (three caller turns) takes
 * several seconds, so the session page is open while it runs and shows it in progress.
 */
const LATENCY_MS = 1500;

let center: TestCenter;
let browser: Browser;

beforeAll(async () => {
  center = await startTestCenter();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await center?.stop();
});

/** Presses Tab until `target` has the focus (at most `limit` times), as someone without a mouse would. */
async function tabTo(page: Page, target: Locator, limit = 40): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await target.evaluate((node) => node === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${limit} presses of Tab did not reach ${target}`);
}

/** The id at the end of the page's address once it matches `/<prefix>/<id>`. */
async function idFromUrl(page: Page, prefix: string): Promise<string> {
  await page.waitForURL(new RegExp(`/${prefix}/[0-9a-f-]{36}$`));
  return new URL(page.url()).pathname.split('/').at(-1) ?? '';
}

/** Fills the case editor with one of the seed cases (a check of kind ended_by or contains). */
async function fillCase(page: Page, spec: typeof PASSING_CASE | typeof FAILING_CASE): Promise<void> {
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(spec.name);
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(spec.prompt);
  await page.getByRole('textbox', { name: 'Criterion 1', exact: true }).fill(spec.success_criteria[0] ?? '');
  await page.getByRole('combobox', { name: 'Passes when' }).selectOption(spec.call_success_type);
  await page.getByRole('button', { name: 'Add check' }).click();
  const check = page.getByRole('group', { name: 'Check 1' });
  const [first] = spec.checks;
  if (first?.kind === 'ended_by') {
    await check.getByRole('combobox', { name: 'Kind' }).selectOption('ended_by');
    await check.getByRole('combobox', { name: 'Ended by' }).selectOption(first.side);
  } else if (first?.kind === 'contains') {
    await check.getByRole('combobox', { name: 'Kind' }).selectOption('contains');
    await check.getByRole('textbox', { name: 'Text', exact: true }).fill(first.text);
    await check.getByRole('combobox', { name: 'Whose messages' }).selectOption(first.side);
  }
  for (const [index, turn] of spec.caller_turns.entries()) {
    await page.getByRole('button', { name: 'Add caller turn' }).click();
    await page.getByRole('textbox', { name: `Caller turn ${index + 1}`, exact: true }).fill(turn);
  }
}

/**
 * Starts a run of the suite from its run page and answers the new session's id, once the page shows
 * it; by keyboard alone (Tab to each control, type, Enter) when `keyboard` is set.
 */
async function runSuite(page: Page, suiteId: string, keyboard = false): Promise<string> {
  await page.goto(`/suites/${suiteId}`);
  const runLink = page.getByRole('link', { name: 'Run', exact: true });
  const maxTurns = page.getByRole('spinbutton', { name: 'Max turns' });
  const iterations = page.getByRole('spinbutton', { name: 'Iterations' });
  const start = page.getByRole('button', { name: 'Start run' });
  if (keyboard) {
    await runLink.waitFor();
    await tabTo(page, runLink);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/suites/${suiteId}/run`);
    for (const [field, value] of [
      [maxTurns, '10'],
      [iterations, '1'],
    ] as const) {
      await field.waitFor();
      await tabTo(page, field);
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(value);
    }
    await tabTo(page, start);
    await page.keyboard.press('Enter');
  } else {
    await runLink.click();
    await page.waitForURL(`**/suites/${suiteId}/run`);
    await maxTurns.fill('10');
    await iterations.fill('1');
    await start.click();
  }
  return idFromUrl(page, 'sessions');
}

/**
 * On the session page: the run seen in progress (the progress bar not yet full, the session marked
 * running with a cancel button), then followed until the bar is full and the session is marked finished.
 */
async function watchToTheEnd(page: Page): Promise<string> {
  const progress = page.getByRole('progressbar');
  await progress.waitFor();
  expect(await progress.evaluate((bar) => (bar as HTMLProgressElement).value < (bar as HTMLProgressElement).max)).toBe(true);
  expect(await page.getByText('Running', { exact: true }).first().isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Cancel session' }).isVisible()).toBe(true);
  await page.waitForFunction(() => {
    const bar = document.querySelector('progress');
    return bar !== null && bar.value === bar.max && bar.max > 1;
  });
  await page.getByText('Finished', { exact: true }).first().waitFor();
  return (await page.locator('#progress-label').textContent()) ?? '';
}

describe('the Test Center in Chromium, on the real server', () => {
  it('signs in by keyboard, builds a suite with a passing and a failing case, runs it live, reads the failure, runs again and compares', async () => {
    const { context, outbound, errors } = await openContext(browser, center.origin);
    const page = await context.newPage();

    // Signed out, every address leads to the sign-in page; the key is typed and sent by keyboard alone.
    await page.goto('/suites');
    await page.waitForURL('**/sign-in');
    await tabTo(page, page.getByLabel('API key'));
    await page.keyboard.type(center.key);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/suites');
    expect(page.url()).not.toContain(center.key);
    await expect.poll(() => page.evaluate(() => sessionStorage.length)).toBeGreaterThan(0);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);

    // An agent: the builtin shop support line, answering after 1.5 s so that the run can be watched.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
    await page.waitForURL('**/agents');
    await page
      .getByRole('main')
      .getByRole('link', { name: /new agent/i })
      .first()
      .click();
    await page.waitForURL('**/agents/new');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Northwind Shop support line');
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('You are the phone support of Northwind Shop.');
    await page.getByRole('combobox', { name: 'How the engine reaches the agent' }).selectOption('builtin');
    await page.getByRole('textbox', { name: 'Latency (ms)' }).fill(String(LATENCY_MS));
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('link', { name: 'Go to the agent' }).click();
    const agentId = await idFromUrl(page, 'agents');
    const agent = await unwrap(center.api.GET('/agents/{agent_id}', { params: { path: { agent_id: agentId } } }));
    expect(agent).toMatchObject({ name: 'Northwind Shop support line', connector: { kind: 'builtin', latency_ms: LATENCY_MS } });

    // A suite on that agent.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suites' }).click();
    await page
      .getByRole('main')
      .getByRole('link', { name: /new suite/i })
      .first()
      .click();
    await page.waitForURL('**/suites/new');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Northwind Shop — support line');
    await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: 'Northwind Shop support line' });
    await page.getByRole('button', { name: 'Create suite' }).click();
    const suiteId = await idFromUrl(page, 'suites');

    // Two cases written in the case editor: one the agent passes, one it fails.
    for (const spec of [PASSING_CASE, FAILING_CASE]) {
      await page.goto(`/suites/${suiteId}`);
      await page.getByRole('link', { name: 'Add case' }).click();
      await page.waitForURL(`**/suites/${suiteId}/cases/new`);
      await fillCase(page, spec);
      await page.getByRole('button', { name: 'Create case' }).click();
      await page.waitForURL((url) => !url.pathname.endsWith('/cases/new'));
    }
    const cases = await unwrap(center.api.GET('/simulation_cases', { params: { query: { suite_id: suiteId } } }));
    const byName = new Map(cases.items.map((item) => [item.name, item]));
    for (const spec of [PASSING_CASE, FAILING_CASE]) {
      expect(byName.get(spec.name)).toMatchObject({
        prompt: spec.prompt,
        success_criteria: spec.success_criteria,
        call_success_type: spec.call_success_type,
        caller_turns: spec.caller_turns,
        checks: [expect.objectContaining(spec.checks[0])],
      });
    }

    // Run the suite and watch the progress reach the end.
    const firstSession = await runSuite(page, suiteId);
    expect(await watchToTheEnd(page)).toBe('2 of 2 runs finished');
    await page.getByText('Nothing to compare with yet').waitFor();

    // Open the failed simulation and read the failed check's reasoning beside its verdict.
    const session = await unwrap(
      center.api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: firstSession } } }),
    );
    const failed = session.simulations.find((simulation) => simulation.simulation_case_name === FAILING_CASE.name);
    const failedCheck = failed?.success_criteria_analysis?.evaluations.find((evaluation) => evaluation.verdict === 'failed');
    expect(failed?.success_criteria_analysis?.success).toBe(false);
    expect(failedCheck?.reasoning).toBe('No message of the agent contains "sorry".');
    await page
      .getByRole('link', { name: new RegExp(FAILING_CASE.name) })
      .first()
      .click();
    await page.waitForURL(`**/simulations/${failed?.simulation_id}`);
    const reasoning = page.getByText(failedCheck?.reasoning ?? '', { exact: true });
    await reasoning.waitFor();
    expect(await reasoning.isVisible()).toBe(true);
    // The reasoning is in the list item of its check, with the check's verdict.
    const verdict = page.getByRole('listitem').filter({ has: reasoning });
    expect(await verdict.count()).toBe(1);
    expect(await verdict.textContent()).toMatch(/^Failed/);

    // Run again, by keyboard alone this time: the second session is compared with the first.
    const secondSession = await runSuite(page, suiteId, true);
    expect(secondSession).not.toBe(firstSession);
    await watchToTheEnd(page);
    const comparison = page.getByRole('region', { name: 'Compared with a baseline' });
    await comparison.getByRole('link', { name: 'the baseline session' }).waitFor();
    expect(await comparison.getByRole('link', { name: 'the baseline session' }).getAttribute('href')).toBe(`/sessions/${firstSession}`);
    expect(await comparison.textContent()).toContain('1 still failing');

    // The report and the comparison came from this server only, and the page threw nothing.
    expect(outbound).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
