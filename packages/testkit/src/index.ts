import type {} from './provided-context.js';
export { bundlePath as bundledSpecPath, escapePointer } from './spec-runtime.js';
export { startPrism, freePort, type PrismOptions, type RunningPrism } from './prism.js';
export { SpecValidator, formatErrors, type Operation, type HttpMethod } from './spec-validator.js';
export {
  startModelFixture,
  modelAnswers,
  refusingResponseFormat,
  countTokens,
  promptChars,
  type ModelFixture,
  type ModelFixtureOptions,
  type ModelAnswer,
  type ModelRequest,
  type ModelResponder,
  type FixtureCompletion,
  type FixtureToolCall,
} from './model-fixture.js';
