import { writeFile } from 'node:fs/promises';
import { create } from 'xmlbuilder2';
import type { SimulationSession } from '@sims/client';
import type { CaseResult } from './results.js';
import { failureLines } from './table.js';
import { groupByCase } from './results.js';

export interface JunitContext {
  suiteName: string;
  suiteId: string;
  targetAgentId: string;
  session: SimulationSession;
  results: CaseResult[];
  startedAt: Date;
  elapsedSeconds: number;
}

// XML 1.0 cannot carry these characters even escaped; a transcript could contain them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const clean = (text: string) => text.replace(NOT_XML, '\uFFFD');

function transcript(result: CaseResult): string {
  return (result.simulation.timeline ?? []).map((item) => `${item.sender_type ?? 'unknown'}: ${item.value ?? ''}`).join('\n');
}

type XmlElement = ReturnType<typeof create>;

/** What a run that did not pass is, as a JUnit element's attributes and text. */
function problem(result: CaseResult): { kind: 'failure' | 'error'; message: string; type: string; text: string } {
  if (result.outcome === 'failed') {
    const passed = result.criteria.filter((c) => c.success).length;
    return {
      kind: 'failure',
      message: `${result.criteria.length - passed} of ${result.criteria.length} criteria failed`,
      type: 'criteria',
      text: failureLines(result).join('\n'),
    };
  }
  if (result.outcome === 'error') {
    const message = result.error ?? 'the run failed';
    return { kind: 'error', message, type: result.simulation.error_info?.type ?? 'error', text: message };
  }
  return { kind: 'error', message: 'the simulation had not finished', type: 'pending', text: '' };
}

/** One run: its `failure` or `error`, as before runs were repeated (an `error` carries no text). */
function singleRun(testcase: XmlElement, result: CaseResult): void {
  if (result.outcome === 'passed') return;
  const found = problem(result);
  const element = testcase.ele(found.kind, { message: clean(found.message), type: clean(found.type) });
  if (found.kind === 'failure') element.txt(clean(found.text));
}

/**
 * A case run several times, in Surefire's rerun shape: a case that passed at least once is a
 * passing testcase with a `flakyFailure` (criteria not met) or `flakyError` (could not run) per run
 * that did not pass; a case that passed no run has `failure` or `error` for its first run and a
 * `rerunFailure` or `rerunError` for each other. Each carries the message, type and, as text, the
 * judge's reasoning or the error.
 */
function repeatedRuns(testcase: XmlElement, runs: CaseResult[]): void {
  const notPassed = runs.filter((r) => r.outcome !== 'passed');
  const flaky = notPassed.length < runs.length;
  notPassed.forEach((result, index) => {
    const found = problem(result);
    const element = testcase.ele(rerunElement(found.kind, flaky, index === 0), { message: clean(found.message), type: clean(found.type) });
    if (found.text) element.txt(clean(found.text));
  });
}

function rerunElement(kind: 'failure' | 'error', flaky: boolean, first: boolean): string {
  if (flaky) return kind === 'failure' ? 'flakyFailure' : 'flakyError';
  if (first) return kind;
  return kind === 'failure' ? 'rerunFailure' : 'rerunError';
}

/** How a case counts in the totals: by its first run that did not pass, when no run passed. */
function caseOutcome(runs: CaseResult[]): 'passed' | 'failure' | 'error' {
  const first = runs.find((r) => r.outcome !== 'passed');
  if (!first || runs.some((r) => r.outcome === 'passed')) return 'passed';
  return problem(first).kind;
}

/**
 * JUnit XML as CI servers read it (the Jenkins/Surefire shape that GitLab, GitHub reporters and
 * Azure accept): one `testsuite` for the suite run, one `testcase` per case; a case whose criteria
 * failed carries a `failure` listing each failed criterion with its reasoning, a case whose run
 * failed an `error`, and a case run several times the rerun elements of `repeatedRuns`. Transcripts
 * go in `system-out`. xmlbuilder2 does the escaping.
 */
function junitXml(run: JunitContext): string {
  const cases = groupByCase(run.results);
  const outcomes = cases.map((c) => caseOutcome(c.runs));
  const failures = outcomes.filter((o) => o === 'failure').length;
  const errors = outcomes.filter((o) => o === 'error').length;
  const time = run.elapsedSeconds.toFixed(3);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: 'sims',
    tests: cases.length,
    failures,
    errors,
    time,
  });
  const suite = root.ele('testsuite', {
    name: clean(run.suiteName),
    id: run.session.simulation_session_id,
    tests: cases.length,
    failures,
    errors,
    skipped: 0,
    timestamp: run.startedAt.toISOString().replace(/\.\d{3}Z$/, ''),
    time,
  });
  const properties = suite.ele('properties');
  properties.ele('property', { name: 'suite_id', value: run.suiteId });
  properties.ele('property', { name: 'session_id', value: run.session.simulation_session_id });
  properties.ele('property', { name: 'target_agent_id', value: run.targetAgentId });
  for (const { name, runs } of cases) {
    const testcase = suite.ele('testcase', {
      name: clean(name),
      classname: clean(run.suiteName),
      time: runs.reduce((total, r) => total + (r.durationSeconds ?? 0), 0).toFixed(3),
    });
    const [only] = runs;
    if (only && runs.length === 1) singleRun(testcase, only);
    else repeatedRuns(testcase, runs);
    const out = runs
      .map((result) => {
        const text = transcript(result);
        if (!text) return '';
        const iteration = runs.length === 1 ? '' : ` (iteration ${result.simulation.iteration ?? 1})`;
        return `simulation ${result.simulationId}${iteration}\n${text}`;
      })
      .filter((text) => text !== '')
      .join('\n\n');
    if (out) testcase.ele('system-out').txt(clean(out));
  }
  return root.end({ prettyPrint: true });
}

export async function writeJunit(file: string, run: JunitContext): Promise<void> {
  await writeFile(file, `${junitXml(run)}\n`, 'utf8');
}
