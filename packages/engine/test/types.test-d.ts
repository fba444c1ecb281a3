import type { components } from '@sims/api-types';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  TEST_CATEGORIES,
  Agent,
  AgentConnector,
  AgentTurn,
  Analysis,
  CaseSnapshot,
  Check,
  ConversationMessage,
  CustomVariables,
  ErrorInfo,
  Evaluation,
  GenerateEvent,
  GeneratedCase,
  Scenario,
  SimulationResult,
  TestCategory,
  TimelineItem,
  ToolCall,
  Verdict,
} from '../src/index.js';

// Checked by tsc (vitest typecheck and the package's `typecheck` script): an expectation that stops
// holding, or a `@ts-expect-error` above a line that compiles, fails the build. Where the engine
// narrows a wire type (fields always set, enums the spec leaves as strings) these pin it to the
// spec: same fields, and every engine value is a valid wire value.

type Schemas = components['schemas'];

describe('what the engine records is the wire shape', () => {
  it('timeline items: the same fields, every engine item a wire item', () => {
    expectTypeOf<keyof TimelineItem>().toEqualTypeOf<keyof Schemas['TimelineItem']>();
    expectTypeOf<TimelineItem>().toExtend<Schemas['TimelineItem']>();
    expectTypeOf<SimulationResult['timeline']>().toExtend<Schemas['SimulationReadOut']['timeline']>();
    expectTypeOf<TimelineItem['sender_type']>().toEqualTypeOf<'persona' | 'agent' | 'system'>();
  });

  it('evaluations and the analysis: the same fields, every verdict the spec enum', () => {
    expectTypeOf<keyof Evaluation>().toEqualTypeOf<keyof Schemas['SimulationSuccessCriteriaEvaluation']>();
    expectTypeOf<Evaluation>().toExtend<Schemas['SimulationSuccessCriteriaEvaluation']>();
    expectTypeOf<Verdict>().toEqualTypeOf<NonNullable<Schemas['SimulationSuccessCriteriaEvaluation']['verdict']>>();
    expectTypeOf<keyof Analysis>().toEqualTypeOf<keyof Schemas['SimulationSuccessCriteriaAnalysis']>();
    expectTypeOf<Analysis>().toExtend<Schemas['SimulationSuccessCriteriaAnalysis']>();
  });

  it('error info: the same fields, only the documented codes', () => {
    expectTypeOf<keyof ErrorInfo>().toEqualTypeOf<keyof Schemas['SimulationErrorInfo']>();
    expectTypeOf<ErrorInfo>().toExtend<Schemas['SimulationErrorInfo']>();
    // @ts-expect-error: 400 is not a code a simulation fails with
    const bad: ErrorInfo = { code: 400, type: 'x', message: 'm' };
    void bad;
  });
});

describe('what the engine takes is the wire shape', () => {
  it('checks, criteria, the scripted caller and custom variables are the spec types', () => {
    expectTypeOf<Check>().toEqualTypeOf<Schemas['CaseCheck']>();
    expectTypeOf<NonNullable<CaseSnapshot['checks']>>().toEqualTypeOf<Schemas['CaseChecks']>();
    expectTypeOf<CaseSnapshot['success_criteria']>().toEqualTypeOf<Schemas['SuccessCriteria']>();
    expectTypeOf<CaseSnapshot['call_success_type']>().toEqualTypeOf<Schemas['CallSuccessType']>();
    expectTypeOf<NonNullable<CaseSnapshot['caller_turns']>>().toEqualTypeOf<Schemas['CallerTurns']>();
    expectTypeOf<CustomVariables>().toEqualTypeOf<Schemas['CustomVariables']>();
  });

  it('connectors: every stored connector, its builtin filled in, is one the engine takes', () => {
    expectTypeOf<AgentConnector['kind']>().toEqualTypeOf<Schemas['AgentConnectorIn']['kind']>();
    expectTypeOf<Exclude<Schemas['AgentConnectorIn'], { kind: 'builtin' }>>().toExtend<AgentConnector>();
    expectTypeOf<Schemas['AgentConnectorBuiltin'] & { builtin: string }>().toExtend<AgentConnector>();
    expectTypeOf<Agent['id' | 'name' | 'prompt']>().toEqualTypeOf<Schemas['AgentReadOut']['id' | 'name' | 'prompt']>();
    expectTypeOf<Scenario>().toEqualTypeOf<Pick<Schemas['SimulationScenarioReadOut'], 'id' | 'name' | 'description'>>();
  });
});

describe('the webhook turn protocol', () => {
  it('messages, tool calls and replies are the spec types, every field set', () => {
    expectTypeOf<ConversationMessage>().toEqualTypeOf<Schemas['AgentTurnMessage']>();
    expectTypeOf<keyof ToolCall>().toEqualTypeOf<keyof Schemas['AgentTurnToolCall']>();
    expectTypeOf<ToolCall>().toExtend<Schemas['AgentTurnToolCall']>();
    expectTypeOf<keyof AgentTurn>().toEqualTypeOf<keyof Schemas['AgentTurnReply']>();
    expectTypeOf<AgentTurn>().toExtend<Schemas['AgentTurnReply']>();
  });
});

describe('test categories', () => {
  it('the runtime list holds exactly the spec enum', () => {
    expectTypeOf<TestCategory>().toEqualTypeOf<Schemas['SimulationCaseTestCategory']>();
    expectTypeOf<(typeof TEST_CATEGORIES)[number]>().toEqualTypeOf<Schemas['SimulationCaseTestCategory']>();
    // The same `satisfies` as TEST_CATEGORIES refuses a category the spec does not have.
    // @ts-expect-error: not a category of the spec
    void (['csat_score', 'politeness'] as const satisfies readonly TestCategory[]);
  });

  it('generated cases carry the spec category and the spec case fields', () => {
    expectTypeOf<GeneratedCase['category']>().toEqualTypeOf<Schemas['SimulationCaseGenerateCaseEvent']['category']>();
    expectTypeOf<Extract<GenerateEvent, { type: 'case' }>['category']>().toEqualTypeOf<Schemas['SimulationCaseTestCategory']>();
    expectTypeOf<GeneratedCase['checks']>().toEqualTypeOf<Schemas['CaseChecks']>();
  });
});
