import { writeFile } from 'node:fs/promises';
import { create } from 'xmlbuilder2';
import type { SimulationSession } from '@sims/client';
import type { CaseResult } from './results.js';
import { failureLines } from './table.js';
import { summarize } from './results.js';

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

/**
 * JUnit XML as CI servers read it (the Jenkins/Surefire shape that GitLab, GitHub reporters and
 * Azure accept): one `testsuite` for the suite run, one `testcase` per case; a case whose criteria
 * failed carries a `failure` listing each failed criterion with its reasoning, a case whose run
 * failed an `error`. The transcript goes in `system-out`. xmlbuilder2 does the escaping.
 */
function junitXml(run: JunitContext): string {
  const summary = summarize(run.results);
  const time = run.elapsedSeconds.toFixed(3);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: 'sims',
    tests: summary.total,
    failures: summary.failed,
    errors: summary.errors + summary.pending,
    time,
  });
  const suite = root.ele('testsuite', {
    name: clean(run.suiteName),
    id: run.session.simulation_session_id,
    tests: summary.total,
    failures: summary.failed,
    errors: summary.errors + summary.pending,
    skipped: 0,
    timestamp: run.startedAt.toISOString().replace(/\.\d{3}Z$/, ''),
    time,
  });
  const properties = suite.ele('properties');
  properties.ele('property', { name: 'suite_id', value: run.suiteId });
  properties.ele('property', { name: 'session_id', value: run.session.simulation_session_id });
  properties.ele('property', { name: 'target_agent_id', value: run.targetAgentId });
  for (const result of run.results) {
    const testcase = suite.ele('testcase', {
      name: clean(result.name),
      classname: clean(run.suiteName),
      time: (result.durationSeconds ?? 0).toFixed(3),
    });
    const passed = result.criteria.filter((c) => c.success).length;
    if (result.outcome === 'failed') {
      testcase
        .ele('failure', {
          message: clean(`${result.criteria.length - passed} of ${result.criteria.length} criteria failed`),
          type: 'criteria',
        })
        .txt(clean(failureLines(result).join('\n')));
    } else if (result.outcome === 'error' || result.outcome === 'pending') {
      const message = result.outcome === 'error' ? (result.error ?? 'the run failed') : 'the simulation had not finished';
      testcase.ele('error', {
        message: clean(message),
        type: result.outcome === 'error' ? (result.simulation.error_info?.type ?? 'error') : 'pending',
      });
    }
    const out = transcript(result);
    if (out) testcase.ele('system-out').txt(clean(`simulation ${result.simulationId}\n${out}`));
  }
  return root.end({ prettyPrint: true });
}

export async function writeJunit(file: string, run: JunitContext): Promise<void> {
  await writeFile(file, `${junitXml(run)}\n`, 'utf8');
}
