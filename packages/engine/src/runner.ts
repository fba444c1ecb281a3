import { createAgentConnection } from './connectors/index.js';
import type { AgentConnection, AgentTurn } from './connectors/connector.js';
import { parseWebhookReply } from './connectors/http.js';
import { agentError, EngineError } from './errors.js';
import { judge, type CriteriaPerCall } from './judge/judge.js';
import { formatToolCall } from './judge/transcript.js';
import { createUsageMeter, type UsageSink } from './model/usage.js';
import type { OutboundPolicy } from './net/url-guard.js';
import { createLlmPersona } from './persona/llm.js';
import { createPromptPersona, createScriptedPersona } from './persona/offline.js';
import { createReplayTracker, describeDivergence } from './replay.js';
import type { Persona, PersonaMove } from './persona/persona.js';
import type {
  Agent,
  Analysis,
  CaseSnapshot,
  ConversationMessage,
  CustomVariables,
  EndedBy,
  ErrorInfo,
  LlmConfig,
  ReplayDivergence,
  SimulationUsage,
  TimelineItem,
  ToolCall,
} from './types.js';
import { substituteVariables } from './variables.js';

export const DEFAULT_MAX_TURNS = 20;
export const DEFAULT_TIMEOUT_MS = 120_000;

export interface RunSimulationOptions {
  case: CaseSnapshot;
  agent: Agent;
  customVariables?: CustomVariables | null;
  /** Most persona messages in the call (see "turn" in the README). */
  maxTurns?: number;
  /** The whole simulation, judging excluded, must finish within this time or fails with 408. */
  timeoutMs?: number;
  /** Aborting it interrupts the simulation (503), e.g. on server shutdown. */
  signal?: AbortSignal;
  /** LLMs for the persona and the judge; each role is offline without one. */
  llm?: { persona?: LlmConfig; judge?: LlmConfig };
  /** How the LLM judge is asked about the case's criteria (default `DEFAULT_CRITERIA_PER_CALL`). */
  criteriaPerCall?: CriteriaPerCall;
  /** Receives every timeline event as it happens. */
  onEvent?: (item: TimelineItem) => void;
  /** Clock in epoch milliseconds (tests). */
  now?: () => number;
  simulationId?: string;
  /** Outbound policy for `http` and `openai` agents. */
  network?: OutboundPolicy;
  /** Use this connection instead of the agent's connector (tests, embedding). */
  connection?: AgentConnection;
  /** Use this persona instead of choosing one (tests, embedding). */
  persona?: Persona;
}

export interface SimulationResult {
  timeline: TimelineItem[];
  /** `null` when the simulation failed (then `error_info` is set). */
  analysis: Analysis | null;
  endedBy: EndedBy;
  turns: number;
  error_info?: ErrorInfo;
  /** Model usage per role (persona, `openai` agent, judge) and in total; zeros for roles without a model. */
  usage: SimulationUsage;
  /** For a case with `expected_agent_turns`: the first reply that departed from the recording. */
  divergence?: ReplayDivergence;
}

/**
 * Runs one simulated call and judges it. The agent speaks first (it answers the phone); then each
 * turn is one persona message followed by the agent's reply. The call ends when either side ends it,
 * after `maxTurns` turns, on time-out or on failure. Never throws: failures come back as
 * `error_info` with the timeline up to that point.
 */
export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const now = options.now ?? Date.now;
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const variables = options.customVariables ?? {};
  const snapshot: CaseSnapshot = {
    ...options.case,
    prompt: substituteVariables(options.case.prompt, variables),
    ...(options.case.caller_turns ? { caller_turns: options.case.caller_turns.map((t) => substituteVariables(t, variables)) } : {}),
  };

  const started = now();
  const timeline: TimelineItem[] = [];
  const conversation: ConversationMessage[] = [];
  let turns = 0;

  const emit = (sender_type: TimelineItem['sender_type'], type: TimelineItem['type'], value: string) => {
    const at = now();
    const item: TimelineItem = {
      sender_type,
      value,
      type,
      timestamp: (Math.max(0, at - started) / 1000).toFixed(3),
      timestamp_datetime: new Date(at).toISOString(),
    };
    timeline.push(item);
    options.onEvent?.(item);
  };

  let stop: 'timeout' | 'interrupted' | undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    stop ??= 'timeout';
    controller.abort();
  }, timeoutMs);
  const onOuterAbort = () => {
    stop ??= 'interrupted';
    controller.abort();
  };
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = controller.signal;
  const untilAborted = abortRace(signal);
  const meter = createUsageMeter();
  const replay = snapshot.expected_agent_turns?.length ? createReplayTracker(snapshot.expected_agent_turns) : undefined;

  const finish = (endedBy: EndedBy, analysis: Analysis | null, error_info?: ErrorInfo): SimulationResult => ({
    timeline,
    analysis,
    endedBy,
    turns,
    usage: meter.read(),
    ...(error_info ? { error_info } : {}),
    ...(replay?.divergence ? { divergence: replay.divergence } : {}),
  });

  try {
    let endedBy: EndedBy;
    try {
      const connection =
        options.connection ??
        createAgentConnection(
          options.agent.connector,
          {
            agentId: options.agent.id,
            agentName: options.agent.name,
            prompt: substituteVariables(options.agent.prompt, variables),
            customVariables: variables,
            ...(snapshot.tool_mocks ? { toolMocks: snapshot.tool_mocks } : {}),
            onModelUsage: meter.sink('agent'),
          },
          options.network ?? {},
        );
      const persona = options.persona ?? choosePersona(snapshot, options.llm?.persona, meter.sink('persona'));

      const agentTurn = async (): Promise<boolean> => {
        let raw: unknown;
        try {
          raw = await untilAborted(
            connection.turn({
              conversation: [...conversation],
              signal,
              ...(options.simulationId ? { simulationId: options.simulationId } : {}),
            }),
          );
        } catch (error) {
          if (error instanceof EngineError || signal.aborted) throw error;
          throw agentError('agent_error', `the agent failed: ${error instanceof Error ? error.message : String(error)}`, error);
        }
        const turn: AgentTurn = parseWebhookReply(raw, 'the agent');
        const results = toolResultsOf(raw, turn.tool_calls);
        for (const [index, call] of turn.tool_calls.entries()) {
          emit('agent', 'tool_call', formatToolCall(call));
          if (results) emit('system', 'tool_result', results[index]!);
        }
        if (turn.reply) {
          conversation.push({ role: 'agent', content: turn.reply });
          emit('agent', 'message', turn.reply);
        }
        const departed = replay?.reply(turn.reply ?? '');
        if (departed) emit('system', 'divergence', describeDivergence(departed));
        return turn.end_call;
      };

      endedBy = 'agent';
      if (!(await agentTurn())) {
        for (;;) {
          const move: PersonaMove = await untilAborted(persona.next({ conversation: [...conversation], signal }));
          if (typeof move?.message === 'string' && move.message.trim()) {
            turns += 1;
            conversation.push({ role: 'persona', content: move.message.trim() });
            emit('persona', 'message', move.message.trim());
          } else if (!move?.end_call) {
            throw new EngineError(500, 'persona_error', 'the persona neither spoke nor ended the call');
          }
          if (move.end_call) {
            endedBy = 'persona';
            break;
          }
          if (await agentTurn()) {
            endedBy = 'agent';
            break;
          }
          if (turns >= maxTurns) {
            endedBy = 'max_turns';
            break;
          }
        }
      }
      if (signal.aborted) throw new Error('aborted');
      // A call that ended before the recording did departs at the first recorded reply it never had.
      const missing = replay?.end();
      if (missing) emit('system', 'divergence', describeDivergence(missing));
      emit(
        endedBy === 'max_turns' ? 'system' : (endedBy as 'persona' | 'agent'),
        'end_call',
        endedBy === 'max_turns'
          ? `The call reached the limit of ${maxTurns} turns.`
          : `The ${endedBy === 'persona' ? 'caller' : 'agent'} ended the call.`,
      );
    } finally {
      clearTimeout(timer);
    }

    const analysis = await judge(snapshot, timeline, {
      ...(options.llm?.judge ? { llm: options.llm.judge } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.criteriaPerCall ? { criteriaPerCall: options.criteriaPerCall } : {}),
      onUsage: meter.sink('judge'),
    });
    if (options.signal?.aborted) {
      stop = 'interrupted';
      throw new Error('aborted');
    }
    return finish(endedBy, analysis);
  } catch (error) {
    const info = toErrorInfo(error, stop, timeoutMs);
    try {
      emit('system', 'error', info.message);
    } catch {
      // The event sink itself failed; the result still carries the error.
    }
    const endedBy: EndedBy = stop === 'timeout' ? 'timeout' : stop === 'interrupted' ? 'interrupted' : 'error';
    return finish(endedBy, null, info);
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Scripted caller turns win over an LLM, so a scripted case stays deterministic; then the LLM; then the prompt rules. */
export function choosePersona(snapshot: CaseSnapshot, llm: LlmConfig | undefined, onUsage?: UsageSink): Persona {
  if (snapshot.caller_turns && snapshot.caller_turns.length > 0) return createScriptedPersona(snapshot.caller_turns);
  if (llm) return createLlmPersona(llm, snapshot.prompt, onUsage ? { onUsage } : {});
  return createPromptPersona(snapshot.prompt);
}

/**
 * The answers the engine gave to a turn's tool calls (`AnsweredAgentTurn.tool_results`), when the connection
 * reports one text per call; webhooks and builtins run their own tools and report none.
 */
function toolResultsOf(raw: unknown, calls: readonly ToolCall[]): string[] | undefined {
  const results = (raw as { tool_results?: unknown } | null)?.tool_results;
  if (!Array.isArray(results) || results.length !== calls.length || calls.length === 0) return undefined;
  return results.every((r) => typeof r === 'string') ? results : undefined;
}

function toErrorInfo(error: unknown, stop: 'timeout' | 'interrupted' | undefined, timeoutMs: number): ErrorInfo {
  if (stop === 'timeout') return { code: 408, type: 'timeout', message: `The simulation did not finish within ${timeoutMs} ms.` };
  if (stop === 'interrupted') return { code: 503, type: 'interrupted', message: 'The simulation was interrupted before it finished.' };
  if (error instanceof EngineError) return error.toErrorInfo();
  return { code: 500, type: 'runner_error', message: `The runner failed: ${error instanceof Error ? error.message : String(error)}` };
}

/**
 * Settles each step with its work, or rejects it as soon as the signal aborts: a connector that
 * ignores its signal cannot hold the simulation past its time-out. A throw inside the work itself is
 * caught too. The steps of a call are awaited one after another, so one abort listener for the whole
 * call rejects the step in progress (one listener added and removed per step cost about as much as a
 * builtin agent's answer).
 */
function abortRace(signal: AbortSignal): <T>(work: Promise<T>) => Promise<T> {
  let rejectStep: ((error: Error) => void) | undefined;
  signal.addEventListener('abort', () => rejectStep?.(new Error('aborted')), { once: true });
  return <T>(work: Promise<T>) => {
    if (signal.aborted) return Promise.reject(new Error('aborted'));
    return new Promise<T>((resolve, reject) => {
      rejectStep = reject;
      Promise.resolve(work).then(resolve, reject);
    });
  };
}
