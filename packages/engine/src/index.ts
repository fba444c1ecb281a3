export type * from './types.js';
export { TEST_CATEGORIES } from './types.js';
export { runSimulation, choosePersona, DEFAULT_MAX_TURNS, DEFAULT_TIMEOUT_MS } from './runner.js';
export type { RunSimulationOptions, SimulationResult } from './runner.js';
export { judge, combine, NO_JUDGE_REASON, JUDGE_SYSTEM_PROMPT } from './judge/judge.js';
export type { JudgeOptions } from './judge/judge.js';
export { evaluateCheck, describeCheck } from './judge/checks.js';
export { compileSafePattern, UnsafePatternError, MAX_PATTERN_LENGTH, REGEX_TIMEOUT_MS } from './judge/safe-regex.js';
export { readTranscript, renderTranscript, formatToolCall, parseToolCall } from './judge/transcript.js';
export type { Transcript } from './judge/transcript.js';
export { generateCases, GENERATOR_SYSTEM_PROMPT } from './generate/generate.js';
export type { GenerateEvent, GenerateOptions, GeneratedCase } from './generate/generate.js';
export { createRunnerPool, PoolClearedError } from './pool.js';
export type { RunnerPool } from './pool.js';
export { createAgentConnection } from './connectors/index.js';
export type { AgentConnection, AgentTurn, AgentTurnRequest, ConnectionContext } from './connectors/connector.js';
export { listBuiltinAgents } from './connectors/builtin/index.js';
export type { BuiltinAgentInfo } from './connectors/builtin/index.js';
export { SHOP_ORDERS, SHOP_SUPPORT_PROMPT } from './connectors/builtin/shop-support.js';
export { parseWebhookReply, HTTP_DEFAULT_TIMEOUT_MS } from './connectors/http.js';
export {
  createScriptedPersona,
  createPromptPersona,
  extractFacts,
  goalStatement,
  OFFLINE_PERSONA_MAX_MESSAGES,
} from './persona/offline.js';
export { createLlmPersona, personaSystemPrompt } from './persona/llm.js';
export type { Persona, PersonaMove } from './persona/persona.js';
export { chatCompletion, llmConfigFromEnv, END_CALL_MARKER } from './llm.js';
export { checkOutboundUrl, refuseAddress, OutboundUrlError } from './net/url-guard.js';
export type { OutboundPolicy } from './net/url-guard.js';
export { postJson, HttpRequestError } from './net/post-json.js';
export { EngineError } from './errors.js';
export { substituteVariables } from './variables.js';
