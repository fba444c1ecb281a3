// The spec package's runtime, imported by path rather than as `@sims/spec/runtime`: the spec's own
// tests use this kit, so a dependency on `@sims/spec` would make a cycle that turbo refuses.
export * from '../../../spec/runtime/index.js';
