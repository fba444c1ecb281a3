import { randomUUID } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { type RunSuiteResult, type Schemas, type SimulationsClient, unwrap } from '@sims/client';
import { answer, toolError } from './answers.js';
import type { OperationTool } from './operations.js';
import { comparisonLines, reportLines, sessionLines } from './summaries.js';

type Json = Record<string, unknown>;
type Args = Record<string, unknown>;

/** What a tool call runs with. */
export interface ToolContext {
  client: SimulationsClient;
  /** Aborts when the MCP client cancels the call. */
  signal: AbortSignal;
  pollIntervalMs: number;
  /**
   * Sends a progress notification when the client asked for them (a progress token) and `progress`
   * is more than the last one sent, else nothing.
   */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
}

/** A tool for work that takes more than one call, written for coding agents. */
export interface TaskTool {
  definition: Tool;
  run(args: Args, context: ToolContext): Promise<CallToolResult>;
}

/** How long `run_suite_and_report` waits by default, as the CLI's `sims run --timeout`. */
const DEFAULT_TIMEOUT_SECONDS = 900;

/**
 * An argument of a task tool taken from a generated operation tool's input schema, so limits and
 * descriptions stay the spec's (`iterations` 1–20, `max_turns` 10–50); `with` replaces or, given
 * `undefined`, removes keywords where the task means something else (no `default: last` for a
 * baseline that is optional here).
 */
function argument(operations: ReadonlyMap<string, OperationTool>, operationId: string, name: string, with_: Json = {}): Json {
  const schema = (operations.get(operationId)?.definition.inputSchema.properties as Record<string, Json> | undefined)?.[name];
  if (!schema) throw new Error(`the spec's ${operationId} has no argument ${name}, which a task tool takes`);
  const merged: Json = { ...schema, ...with_ };
  for (const [key, value] of Object.entries(with_)) if (value === undefined) delete merged[key];
  return merged;
}

function runSuiteAndReport(operations: ReadonlyMap<string, OperationTool>): TaskTool {
  return {
    definition: {
      name: 'run_suite_and_report',
      title: 'Run a suite and report',
      description: [
        "Runs every case of a simulation suite against its agent, waits until the session has finished, and answers the session's report: " +
          'each case passing, failing or flaky over its runs, with the reasoning of the criteria and checks that failed. ' +
          "With `baseline` (`last`: the suite's previous finished run, or a session id) it also answers the comparison with that run and its verdict (regressed, improved, unchanged).",
        'One call does what takes several with the operation tools: executeSimulationSuite, then getSimulationSession until nothing is pending, then getSimulationSessionReport and compareSimulationSessions. ' +
          'A run takes minutes; progress notifications are sent when the client asks for them. Cancelling the call cancels the session on the server. ' +
          `After \`timeout_seconds\` (default ${DEFAULT_TIMEOUT_SECONDS}) the call answers an error naming the session, which keeps running.`,
      ].join('\n\n'),
      inputSchema: {
        type: 'object',
        properties: {
          suite_id: argument(operations, 'executeSimulationSuite', 'suite_id'),
          target_agent_id: argument(operations, 'executeSimulationSuite', 'target_agent_id', {
            description: "The agent to run the suite on; default the suite's own agent (`model_id`), the only one the API accepts.",
          }),
          iterations: argument(operations, 'executeSimulationSuite', 'iterations'),
          max_turns: argument(operations, 'executeSimulationSuite', 'max_turns'),
          baseline: argument(operations, 'compareSimulationSessions', 'baseline', {
            default: undefined,
            description:
              "Also compare the finished session with this one: `last` (the suite's latest finished session before this run) or a session id. " +
              'No comparison when omitted; for `last` on a suite that has never finished a run, the answer says there was nothing to compare with.',
          }),
          timeout_seconds: {
            type: 'integer',
            minimum: 1,
            maximum: 3600,
            default: DEFAULT_TIMEOUT_SECONDS,
            description: 'Stop waiting after this long (the session keeps running on the server).',
          },
        },
        required: ['suite_id'],
        additionalProperties: false,
      },
      annotations: { title: 'Run a suite and report', readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    },
    async run(args, { client, signal, pollIntervalMs, progress }) {
      const suiteId = args.suite_id as string;
      const suite = await unwrap(client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } }, signal }));
      const targetAgentId = (args.target_agent_id as string | undefined) ?? suite.model_id;
      const baseline = args.baseline as string | undefined;
      const timeoutSeconds = (args.timeout_seconds as number | undefined) ?? DEFAULT_TIMEOUT_SECONDS;
      let sessionId: string | undefined;
      let run: RunSuiteResult;
      try {
        run = await client.runSuite(suiteId, {
          targetAgentId,
          iterations: args.iterations as number | undefined,
          maxTurns: args.max_turns as number | undefined,
          baseline,
          intervalMs: pollIntervalMs,
          timeoutMs: timeoutSeconds * 1000,
          signal,
          onStarted: (execution) => {
            sessionId = execution.session_id;
            void progress(0, undefined, `session ${execution.session_id} started: ${execution.suite_name}, ${execution.total_cases} cases`);
          },
          onProgress: ({ total, completed, failed, pending }) => {
            void progress(
              completed + failed,
              total,
              `${completed + failed}/${total} done | completed ${completed} | failed ${failed} | pending ${pending}`,
            );
          },
        });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'TimeoutError' && sessionId !== undefined && !signal.aborted) {
          return toolError(
            `The session ${sessionId} had not finished after ${timeoutSeconds} s; it keeps running on the server. ` +
              'Read it later with getSimulationSession or getSimulationSessionReport, or stop it with cancelSimulationSession.',
          );
        }
        throw error;
      }
      const head = `Suite "${suite.name}" on agent ${targetAgentId}: session ${run.simulation_session_id} finished.`;
      const lines = [head, ...(run.report ? reportLines(run.report) : sessionLines(run))];
      if (run.comparison) lines.push(...comparisonLines(run.comparison));
      else if (baseline !== undefined)
        lines.push(`No comparison: the suite had no finished session before this one to compare with (baseline ${baseline}).`);
      return answer(
        {
          simulation_session_id: run.simulation_session_id,
          suite_id: suiteId,
          suite_name: suite.name,
          target_agent_id: targetAgentId,
          total_simulations: run.total_simulations,
          completed_simulations: run.completed_simulations,
          failed_simulations: run.failed_simulations,
          report: run.report,
          comparison: run.comparison,
          // Without a report (a server that offers none), the outcome of each run instead.
          ...(run.report
            ? {}
            : {
                simulations: run.simulations.map((s) => ({
                  simulation_id: s.simulation_id,
                  simulation_case_name: s.simulation_case_name,
                  status: s.status,
                  success: s.success_criteria_analysis?.success ?? null,
                  error_info: s.error_info,
                })),
              }),
        },
        lines.join('\n'),
      );
    },
  };
}

function compareWithLastRun(operations: ReadonlyMap<string, OperationTool>): TaskTool {
  return {
    definition: {
      name: 'compare_with_last_run',
      title: 'Compare a session with the last run',
      description:
        "Compares a finished session with the suite's latest finished session before it, case by case, and answers the verdict " +
        '(regressed when a case present in both lost 50 points of pass rate or more, improved when one gained as much, else unchanged) with the cases that changed. ' +
        "A suite's first run has nothing to compare with: the answer is an error naming `baseline`. To compare with a given session, use compareSimulationSessions.",
      inputSchema: {
        type: 'object',
        properties: { simulation_session_id: argument(operations, 'compareSimulationSessions', 'simulation_session_id') },
        required: ['simulation_session_id'],
        additionalProperties: false,
      },
      annotations: { title: 'Compare a session with the last run', readOnlyHint: true },
    },
    async run(args, { client, signal }) {
      const comparison = await client.compareSessions(args.simulation_session_id as string, { baseline: 'last', signal });
      return answer(comparison, comparisonLines(comparison).join('\n'));
    },
  };
}

function importTranscript(operations: ReadonlyMap<string, OperationTool>): TaskTool {
  const body = argument(operations, 'importSimulationCase', 'body');
  return {
    definition: {
      name: 'import_transcript',
      title: 'Import a transcript as a case',
      description:
        "Turns a recorded conversation into a regression case of a suite: the caller's lines become the case's scripted caller turns, the agent's lines the expected agent turns " +
        "(each run records where the agent departs from them), and the agent's tool calls `tool_called` checks. " +
        "`conversation` is plain text with one `Caller:` or `Agent:` line per turn, OpenAI chat `messages`, or a simulation's `timeline`. " +
        'Give `success_criteria` unless the server has a model to draft them. Answers the created case and what was read. ' +
        "The same as importSimulationCase, with the request body's fields as the arguments.",
      inputSchema: { ...body, type: 'object' },
      annotations: { title: 'Import a transcript as a case', readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    },
    async run(args, { client, signal }) {
      const imported = await unwrap(
        client.POST('/simulation_cases/import', {
          // Validated against the import's own body schema, which is this tool's input schema.
          body: args as Schemas['SimulationCaseImportIn'],
          params: { header: { 'Idempotency-Key': randomUUID() } },
          signal,
        }),
      );
      const created = imported.simulation_case;
      const read = imported.import;
      return answer(
        imported,
        `Created case "${created.name}" (${created.simulation_case_id}) in suite ${created.suite_id}: ` +
          `${read.caller_turns} caller turns, ${read.agent_turns} agent turns, ${read.tool_calls} tool calls read from ${read.format}; ` +
          `criteria ${read.criteria_source}.`,
      );
    },
  };
}

/** The task tools, their arguments taken from the operation tools' schemas. */
export function taskTools(operations: ReadonlyMap<string, OperationTool>): TaskTool[] {
  return [runSuiteAndReport(operations), compareWithLastRun(operations), importTranscript(operations)];
}
