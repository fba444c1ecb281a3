/**
 * `pnpm demo`: the main job, offline. Starts the server on a fresh embedded database, seeds a demo
 * workspace, an agent (the builtin "Northwind Shop" support line) and a suite of six cases — some
 * failing on purpose — executes the suite through the client SDK, shows progress while it runs, and
 * prints each case's outcome with every criterion's verdict and reasoning. No network beyond
 * loopback, no key, nothing to configure.
 *
 * `--serve` (or SIMS_DEMO_SERVE=1) keeps the server running afterwards, with the demo key printed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSimulationsClient, unwrap, type components } from '@sims/client';
import { configFromEnv } from './config.js';
import { webAppBuilt } from './plugins/web.js';
import { startServer } from './server.js';

type CaseIn = components['schemas']['SimulationCaseCreateIn'];
type Simulation = components['schemas']['SimulationReadOut'];

/**
 * The demo suite: what each case tests, and which are expected to fail (the agent's real gaps).
 * Offline there is no judge, so each natural-language criterion is reported `not_evaluated`; the
 * cases meant to pass use `call_success_type: any` so that their exact checks decide, and the ones
 * meant to fail use `all` and have a check that the builtin agent really fails.
 */
export const DEMO_CASES: CaseIn[] = [
  {
    name: 'Order status: shipped order is looked up',
    prompt: 'You are Dana. You want to know where your order 12345 is.',
    caller_turns: ['Hi, where is my order?', "It's 12345.", "No, that's all. Thank you, goodbye. [END_CALL]"],
    success_criteria: ['The agent tells the caller when the order arrives'],
    call_success_type: 'any',
    checks: [
      { kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } },
      { kind: 'contains', text: 'DHL-88431', side: 'agent', description: 'The agent gives the tracking number' },
      { kind: 'ended_by', side: 'persona' },
    ],
  },
  {
    name: 'Cancellation of an order that has not shipped',
    prompt: 'You want to cancel your order 23456 because you ordered the wrong size.',
    caller_turns: ['I would like to cancel my order 23456, please.', 'Yes, please cancel it.', 'Thanks, bye! [END_CALL]'],
    success_criteria: ['The agent cancels the order'],
    call_success_type: 'any',
    checks: [
      { kind: 'tool_called', name: 'cancel_order', arguments: { order_id: '23456' } },
      { kind: 'turns_at_most', max: 4 },
    ],
  },
  {
    name: 'Opening hours (caller improvises from the prompt)',
    prompt: 'You are Sam. You want to know the opening hours of the support line.',
    success_criteria: ['The agent states the opening hours'],
    call_success_type: 'any',
    checks: [
      {
        kind: 'matches',
        pattern: '\\d{1,2} ?(am|pm) to \\d{1,2} ?(am|pm)',
        flags: 'i',
        side: 'agent',
        description: 'The agent names a time range',
      },
      { kind: 'ended_by', side: 'persona' },
    ],
  },
  {
    name: 'Angry caller wants a person (fails on purpose: the agent never apologises)',
    prompt: 'You are furious because your order 56789 was cancelled without asking you. You want to speak to a human.',
    caller_turns: ['This is ridiculous! My order 56789 was cancelled and nobody told me!', 'I want to talk to a real person right now.'],
    success_criteria: ['The agent apologises to the caller'],
    call_success_type: 'all',
    checks: [
      {
        kind: 'matches',
        pattern: 'calm down',
        flags: 'i',
        side: 'agent',
        negate: true,
        description: 'The agent never tells the caller to calm down',
      },
      { kind: 'tool_called', name: 'transfer_call' },
      { kind: 'contains', text: 'sorry', side: 'agent', description: 'The agent says sorry before transferring' },
    ],
  },
  {
    name: 'Refund outside the 30-day window (fails on purpose: the caller expects a refund)',
    prompt: 'You want a refund for order 45678, which arrived about seven weeks ago.',
    caller_turns: ['I want a refund for my order 45678.', 'Can you not make an exception?', 'Fine. Goodbye. [END_CALL]'],
    success_criteria: ['The agent issues the refund'],
    call_success_type: 'all',
    checks: [
      {
        kind: 'tool_called',
        name: 'create_refund',
        arguments: { order_id: '45678' },
        description: 'The agent creates a refund for order 45678',
      },
    ],
  },
  {
    name: 'Caller who keeps talking hits the turn limit (fails on purpose)',
    prompt: 'You keep asking about different order numbers and never hang up.',
    caller_turns: [
      'Where is order 11111?',
      'And 22222?',
      'What about 33333?',
      'And 44444?',
      'Maybe 55555?',
      'Or 66666?',
      'And 77777?',
      'Or 88888?',
      'Or 99999?',
      'What about 10101?',
      'And 20202?',
      'One more: 30303?',
    ],
    success_criteria: ['The call stays short'],
    call_success_type: 'all',
    checks: [{ kind: 'turns_at_most', max: 5, description: 'The caller is helped within 5 turns' }],
  },
];

const out = (line = '') => process.stdout.write(`${line}\n`);

function verdictLabel(evaluation: { success: boolean; verdict?: string }): string {
  if (evaluation.verdict === 'not_evaluated') return 'NOT EVALUATED';
  return evaluation.success ? 'PASSED' : 'FAILED';
}

/** One simulation's outcome: the case, how the call went, and each criterion's verdict with its reasoning. */
function formatOutcome(simulation: Simulation): string[] {
  const lines: string[] = [];
  const analysis = simulation.success_criteria_analysis;
  const personaTurns = (simulation.timeline ?? []).filter((t) => t.sender_type === 'persona' && t.type === 'message').length;
  const ended = [...(simulation.timeline ?? [])].reverse().find((t) => t.type === 'end_call');
  const outcome = simulation.status === 'failed' ? 'ERROR' : analysis?.success ? 'PASS' : 'FAIL';
  lines.push(`${outcome}  ${simulation.simulation_case_name}`);
  lines.push(
    `      ${personaTurns} caller turns, ended by ${ended?.sender_type === 'system' ? 'the turn limit' : (ended?.sender_type ?? 'nobody')}`,
  );
  if (simulation.error_info)
    lines.push(`      error ${simulation.error_info.code} ${simulation.error_info.type}: ${simulation.error_info.message}`);
  for (const evaluation of analysis?.evaluations ?? []) {
    lines.push(`      [${verdictLabel(evaluation)}] ${evaluation.criterion ?? ''}`);
    lines.push(`          ${evaluation.reasoning}`);
  }
  return lines;
}

export async function runDemo(options: { serve?: boolean } = {}): Promise<{ passed: number; failed: number }> {
  const env = configFromEnv();
  const dataDir = process.env.SIMS_DATA_DIR ? resolve(process.env.SIMS_DATA_DIR) : await mkdtemp(join(tmpdir(), 'sims-demo-'));
  const server = await startServer({
    ...env,
    port: options.serve ? env.port : 0,
    dataDir,
    logLevel: process.env.SIMS_LOG_LEVEL || 'warn',
    rateLimit: { max: 0, windowMs: 60_000 },
    engine: { ...env.engine!, concurrency: Math.max(env.engine!.concurrency, 3) },
  });
  try {
    const key = server.firstStart?.key;
    if (!key) throw new Error(`the demo needs an empty database; ${server.database} already has workspaces (unset SIMS_DATA_DIR)`);
    out(`Simulations API demo — server on ${server.url} (database ${server.database})`);
    const api = createSimulationsClient({ baseUrl: server.url, apiKey: key, retry: false });

    const agent = await unwrap(
      api.POST('/agents', {
        body: {
          name: 'Northwind Shop support line',
          prompt: 'You are the phone support of {{shop_name}}.',
          // A little latency per answer so that progress is visible; still a few seconds in all.
          connector: { kind: 'builtin', builtin: 'shop_support', latency_ms: 120 },
        },
      }),
    );
    const suite = await unwrap(api.POST('/simulation_suites', { body: { name: 'Northwind Shop — demo suite', model_id: agent.id } }));
    for (const demoCase of DEMO_CASES) {
      await unwrap(api.POST('/simulation_cases', { body: { ...demoCase, suite_id: suite.id, base_agent_id: agent.id } }));
    }
    out(`Seeded agent "${agent.name}" (builtin shop_support) and suite "${suite.name}" with ${DEMO_CASES.length} cases.`);
    out('Executing the suite…');

    const started = Date.now();
    const session = await api.runSuite(suite.id, {
      targetAgentId: agent.id,
      maxTurns: 10,
      intervalMs: 150,
      timeoutMs: 120_000,
      onStarted: (execution) => out(`  session ${execution.session_id}: ${execution.total_cases} simulations started`),
      onProgress: ({ total, completed, failed, pending }) => {
        const running = pending;
        out(
          `  [${String(completed + failed).padStart(2)}/${total}] ${completed} completed, ${failed} failed, ${running} pending (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        );
      },
    });

    out();
    out('Results');
    out('-------');
    const byCase = new Map(session.simulations.map((s) => [s.simulation_case_name, s]));
    let passed = 0;
    let failed = 0;
    for (const demoCase of DEMO_CASES) {
      const simulation = byCase.get(demoCase.name);
      if (!simulation) continue;
      if (simulation.success_criteria_analysis?.success) passed += 1;
      else failed += 1;
      for (const line of formatOutcome(simulation)) out(line);
      out();
    }
    out(`${passed} of ${DEMO_CASES.length} cases passed, ${failed} failed, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    out(
      'Natural-language criteria are NOT EVALUATED without a judge: set SIMS_LLM_BASE_URL, SIMS_LLM_MODEL (and SIMS_LLM_API_KEY) to have an LLM judge them.',
    );
    if (options.serve) {
      out();
      out(`The server keeps running on ${server.url} (docs ${server.origin}/docs). Demo workspace key: ${key}`);
      if (webAppBuilt()) out(`Test Center: ${server.origin}/ (sign in with the demo workspace key)`);
      out('Stop it with Ctrl-C.');
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    }
    return { passed, failed };
  } finally {
    await server.stop();
  }
}
