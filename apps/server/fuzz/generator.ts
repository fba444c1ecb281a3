import fc from 'fast-check';
import type { SpecValidator } from '@sims/testkit';
import { operationPlans } from './operation-plans.js';
import type { RequestPlan } from './plan.js';
import { fuzzOperations, type FuzzOperation } from './spec-model.js';

/**
 * Requests over every operation of the spec. Request `index` of a run with `seed` is generated from
 * a seed of its own, so any one request can be regenerated without the ones before it.
 */
export class RequestGenerator {
  readonly operations: FuzzOperation[];
  private readonly all: fc.Arbitrary<RequestPlan>;

  constructor(validator: SpecValidator, only?: string[]) {
    this.operations = fuzzOperations(validator).filter((op) => !only?.length || only.includes(op.operationId));
    if (!this.operations.length) throw new Error(`no operation matches ${only?.join(', ')}`);
    const deref = (node: unknown) => validator.resolve<Record<string, unknown>>(node);
    const plans = this.operations.map((op) => operationPlans(op, deref));
    // Unbiased: fast-check's bias towards small values would favour the first operations of the spec.
    this.all = fc.noBias(fc.integer({ min: 0, max: plans.length - 1 })).chain((i) => plans[i]!);
  }

  operation(operationId: string): FuzzOperation {
    return this.operations.find((op) => op.operationId === operationId)!;
  }

  plan(seed: number, index: number): RequestPlan {
    return fc.sample(this.all, { seed: requestSeed(seed, index), numRuns: 1 })[0]!;
  }
}

/** Mixes run seed and request index into one 32-bit seed (murmur3's finaliser). */
function requestSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ index;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
