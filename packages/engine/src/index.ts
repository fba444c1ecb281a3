export type * from './types.js';
export { TEST_CATEGORIES } from './types.js';
export { runSimulation, choosePersona, DEFAULT_MAX_TURNS, DEFAULT_TIMEOUT_MS } from './runner.js';
export type { RunSimulationOptions, SimulationResult } from './runner.js';
export {
  judge,
  combine,
  NO_JUDGE_REASON,
  JUDGE_SYSTEM_PROMPT,
  JUDGE_CRITERIA_SYSTEM_PROMPT,
  JUDGE_SEED,
  DEFAULT_CRITERIA_PER_CALL,
} from './judge/judge.js';
export type { JudgeOptions, CriteriaPerCall } from './judge/judge.js';
export { evaluateCheck, describeCheck } from './judge/checks.js';
export { compileSafePattern, UnsafePatternError, MAX_PATTERN_LENGTH, REGEX_TIMEOUT_MS } from './judge/safe-regex.js';
export { readTranscript, renderTranscript, formatToolCall, parseToolCall } from './judge/transcript.js';
export type { Transcript } from './judge/transcript.js';
export { generateCases, GENERATOR_SYSTEM_PROMPT } from './generate/generate.js';
export type { GenerateEvent, GenerateOptions, GeneratedCase } from './generate/generate.js';
export { draftSuccessCriteria, CRITERIA_SYSTEM_PROMPT, MAX_DRAFTED_CRITERIA } from './generate/criteria.js';
export { createRunnerPool, PoolClearedError } from './pool.js';
export type { RunnerPool } from './pool.js';
export { createAgentConnection } from './connectors/index.js';
export type { AgentConnection, AgentTurn, AnsweredAgentTurn, AgentTurnRequest, ConnectionContext } from './connectors/connector.js';
export { listBuiltinAgents } from './connectors/builtin/index.js';
export type { BuiltinAgentInfo } from './connectors/builtin/index.js';
export { SHOP_ORDERS, SHOP_SUPPORT_PROMPT } from './connectors/builtin/shop-support.js';
export { parseWebhookReply, HTTP_DEFAULT_TIMEOUT_MS } from './connectors/http.js';
export { DEFAULT_MAX_TOOL_ROUNDS } from './connectors/openai.js';
export { answerToolCall } from './connectors/tool-mocks.js';
export {
  createScriptedPersona,
  createPromptPersona,
  extractFacts,
  goalStatement,
  OFFLINE_PERSONA_MAX_MESSAGES,
} from './persona/offline.js';
export { createLlmPersona, personaSystemPrompt } from './persona/llm.js';
export type { Persona, PersonaMove } from './persona/persona.js';
export { llmConfigFromEnv, parseJsonObject, END_CALL_MARKER } from './llm.js';
export { createChatCompletion, LlmReplyError, DEFAULT_MODEL_TIMEOUT_MS, DEFAULT_MAX_RETRIES } from './model/client.js';
export type { ChatRequest, ModelCallOptions } from './model/client.js';
export { askJson, ModelRefusalError } from './model/structured.js';
export type { JsonRequest } from './model/structured.js';
export { createUsageMeter, zeroUsage, addUsage } from './model/usage.js';
export type { UsageMeter, UsageRole, UsageSink } from './model/usage.js';
export { guardedFetch } from './net/guarded-fetch.js';
export { checkOutboundUrl, refuseAddress, OutboundUrlError } from './net/url-guard.js';
export type { OutboundPolicy } from './net/url-guard.js';
export { postJson, HttpRequestError } from './net/post-json.js';
export { EngineError } from './errors.js';
export { substituteVariables } from './variables.js';
