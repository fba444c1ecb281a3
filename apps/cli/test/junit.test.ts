import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulation, SimulationSession } from '@sims/client';
import { writeJunit } from '../src/run/junit.js';
import { caseResults } from '../src/run/results.js';

// Element order matters for rerun shapes, so the parse keeps it (preserveOrder).
const ordered = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true });
const byName = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' });

type Run = 'pass' | 'fail' | 'error';

let serial = 0;
/** One run of a case: passed, failed its criterion, or could not run. */
function simulation(caseId: string, iteration: number, run: Run): Simulation {
  serial += 1;
  return {
    simulation_id: `sim-${serial}`,
    simulation_session_id: 'session-1',
    simulation_case_id: caseId,
    simulation_case_name: `Case ${caseId}`,
    simulation_case_prompt: 'p',
    success_criteria: ['Agent answered'],
    call_success_type: 'all',
    persona_agent_id: null,
    persona_phone_number: null,
    target_agent_id: 'agent-1',
    agent_name: 'Agent',
    agent_avatar_url: null,
    target_phone_number: null,
    target_call_id: null,
    custom_variables: null,
    status: run === 'error' ? 'failed' : 'completed',
    workspace_id: 'ws',
    created_at: '2026-11-20T09:19:58Z',
    updated_at: '2026-11-20T09:19:58Z',
    started_at: '2026-11-20T09:20:00.000Z',
    finished_at: '2026-11-20T09:20:01.500Z',
    error_info: run === 'error' ? { code: 424, type: 'agent_error', message: `no answer in run ${iteration}` } : null,
    recording_url: null,
    timeline: [{ sender_type: 'persona', type: 'message', value: `hello from run ${iteration}` }],
    success_criteria_analysis:
      run === 'error'
        ? null
        : {
            success: run === 'pass',
            evaluations: [
              {
                criterion: 'Agent answered',
                success: run === 'pass',
                reasoning: run === 'pass' ? 'It did.' : `No answer in run ${iteration}.`,
              },
            ],
          },
    iteration,
  };
}

function session(simulations: Simulation[]): SimulationSession {
  return {
    simulation_session_id: 'session-1',
    simulations,
    total_simulations: simulations.length,
    completed_simulations: simulations.filter((s) => s.status === 'completed').length,
    failed_simulations: simulations.filter((s) => s.status === 'failed').length,
    pending_simulations: 0,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sims-cli-junit-'));
});

async function junitOf(simulations: Simulation[]): Promise<string> {
  const file = join(dir, `run-${serial}.xml`);
  const run = session(simulations);
  await writeJunit(file, {
    suiteName: 'Suite',
    suiteId: 'suite-1',
    targetAgentId: 'agent-1',
    session: run,
    results: caseResults(run),
    startedAt: new Date('2026-11-20T09:20:00.000Z'),
    elapsedSeconds: 5,
  });
  return readFile(file, 'utf8');
}

/** The child elements of each testcase, in order, as `name` or `name message type: text`. */
function testcaseShapes(text: string): Record<string, string[]> {
  type Node = Record<string, unknown> & { ':@'?: Record<string, string> };
  const tag = (node: Node) => Object.keys(node).find((key) => key !== ':@') ?? '';
  const children = (node: Node, name: string) => (node[name] as Node[] | undefined) ?? [];
  const root = (ordered.parse(text) as Node[]).find((n) => tag(n) === 'testsuites') as Node;
  const suite = children(root, 'testsuites').find((n) => tag(n) === 'testsuite') as Node;
  const shapes: Record<string, string[]> = {};
  for (const testcase of children(suite, 'testsuite').filter((n) => tag(n) === 'testcase')) {
    const name = testcase[':@']?.name ?? '';
    shapes[name] = children(testcase, 'testcase')
      .filter((child) => tag(child) !== 'system-out')
      .map((child) => {
        const element = tag(child);
        const attributes = child[':@'] ?? {};
        const body = children(child, element)
          .map((n) => String(n['#text'] ?? ''))
          .join('');
        return `${element} ${attributes.message} [${attributes.type}]${body ? `: ${body}` : ''}`;
      });
  }
  return shapes;
}

describe('JUnit XML', () => {
  it('one run per case: exactly the shape of a run without iterations (failure with text, error without)', async () => {
    const text = await junitOf([simulation('a', 1, 'pass'), simulation('b', 1, 'fail'), simulation('c', 1, 'error')]);
    expect(testcaseShapes(text)).toEqual({
      'Case a': [],
      'Case b': ['failure 1 of 1 criteria failed [criteria]: ✗ Agent answered: No answer in run 1.'],
      'Case c': ['error agent_error (424): no answer in run 1 [agent_error]'],
    });
    const suite = byName.parse(text).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    expect(suite.testcase.map((c: { time: string }) => c.time)).toEqual(['1.500', '1.500', '1.500']);
    expect(suite.testcase[1]['system-out']).toBe('simulation sim-2\npersona: hello from run 1');
  });

  it('a flaky case (passed at least once) passes, with a flakyFailure or flakyError per run that did not pass', async () => {
    const text = await junitOf([simulation('f', 1, 'pass'), simulation('f', 2, 'fail'), simulation('f', 3, 'error')]);
    expect(testcaseShapes(text)).toEqual({
      'Case f': [
        'flakyFailure 1 of 1 criteria failed [criteria]: ✗ Agent answered: No answer in run 2.',
        'flakyError agent_error (424): no answer in run 3 [agent_error]: agent_error (424): no answer in run 3',
      ],
    });
    const suite = byName.parse(text).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    expect(suite.testcase[0].time).toBe('4.500');
    expect(suite.testcase[0]['system-out']).toContain(
      'simulation sim-4 (iteration 1)\npersona: hello from run 1\n\nsimulation sim-5 (iteration 2)',
    );
  });

  it('a case failing every run: failure (or error) for the first run, rerunFailure or rerunError for the others, by iteration', async () => {
    // Listed out of order: the runs are ordered by their iteration.
    const text = await junitOf([
      simulation('x', 2, 'error'),
      simulation('x', 1, 'fail'),
      simulation('x', 3, 'fail'),
      simulation('y', 1, 'error'),
      simulation('y', 2, 'fail'),
    ]);
    expect(testcaseShapes(text)).toEqual({
      'Case x': [
        'failure 1 of 1 criteria failed [criteria]: ✗ Agent answered: No answer in run 1.',
        'rerunError agent_error (424): no answer in run 2 [agent_error]: agent_error (424): no answer in run 2',
        'rerunFailure 1 of 1 criteria failed [criteria]: ✗ Agent answered: No answer in run 3.',
      ],
      'Case y': [
        'error agent_error (424): no answer in run 1 [agent_error]: agent_error (424): no answer in run 1',
        'rerunFailure 1 of 1 criteria failed [criteria]: ✗ Agent answered: No answer in run 2.',
      ],
    });
    expect(byName.parse(text).testsuites).toMatchObject({ tests: '2', failures: '1', errors: '1' });
  });
});
