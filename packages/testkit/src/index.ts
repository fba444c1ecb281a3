import type {} from './provided-context.js';
export { bundledSpecPath } from './paths.js';
export { startPrism, freePort, type PrismOptions, type RunningPrism } from './prism.js';
export { SpecValidator, escapePointer, formatErrors, type Operation, type HttpMethod } from './spec-validator.js';
