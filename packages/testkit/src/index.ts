import type {} from './provided-context.js';
export { bundlePath as bundledSpecPath, escapePointer } from './spec-runtime.js';
export { startPrism, freePort, type PrismOptions, type RunningPrism } from './prism.js';
export { SpecValidator, formatErrors, type Operation, type HttpMethod } from './spec-validator.js';
