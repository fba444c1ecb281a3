import fc from 'fast-check';
import { arbitraryFor, type SchemaContext } from './schema-arbitrary.js';
import type { Schema } from './spec-model.js';
import { logSize } from './values.js';

/**
 * Where a body can be made expensive: an array (oversize it), an object with a property cap
 * (give it thousands of keys), a free-form object (nest it thousands of levels deep). `levels` is
 * the chain of objects from the body down to the one holding `key`; `star` means the level's value
 * is an array whose one item is the next level.
 */
export interface HeavyTarget {
  kind: 'array' | 'object' | 'free';
  /** Under a field the schema does not know (refused, but parsed first). */
  unknownField?: boolean;
  levels: Array<{ schema: Schema; key: string; star: boolean }>;
  leaf: Schema;
}

/** A body with an expensive part, and the text that replaces `SPLICE` in its JSON. */
export interface HeavyBody {
  variant: string;
  where: string;
  value: unknown;
  splice?: string;
}

export const SPLICE = '__fuzz_splice__';

export function heavyTargets(body: Schema, context: SchemaContext): HeavyTarget[] {
  const targets: HeavyTarget[] = [];
  const objectBranches = (node: Schema): Schema[] => {
    const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
    if (union) return union.flatMap((b) => objectBranches(context.deref(b)));
    const types = typeof node.type === 'string' ? [node.type] : ((node.type as string[] | undefined) ?? []);
    return types.includes('object') ? [node] : [];
  };
  const variants = (node: Schema): Schema[] => {
    const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
    return union ? union.flatMap((b) => variants(context.deref(b))) : [node];
  };
  const walk = (object: Schema, levels: HeavyTarget['levels'], depth: number) => {
    if (depth > 3) return;
    for (const [key, property] of Object.entries((object.properties ?? {}) as Record<string, unknown>)) {
      for (const variant of variants(context.deref(property))) {
        const types = typeof variant.type === 'string' ? [variant.type] : ((variant.type as string[] | undefined) ?? []);
        const here = [...levels, { schema: object, key, star: false }];
        if (types.includes('array')) {
          targets.push({ kind: 'array', levels: here, leaf: variant });
          for (const item of objectBranches(context.deref(variant.items ?? {}))) {
            walk(item, [...levels, { schema: object, key, star: true }], depth + 1);
          }
        } else if (types.includes('object')) {
          const open = variant.additionalProperties !== false && !variant.properties;
          if (open && typeof variant.maxProperties === 'number') targets.push({ kind: 'object', levels: here, leaf: variant });
          const anyContent = variant.additionalProperties === undefined || variant.additionalProperties === true;
          if (open && anyContent) targets.push({ kind: 'free', levels: here, leaf: variant });
          for (const branch of objectBranches(variant)) if (branch.properties) walk(branch, here, depth + 1);
        }
      }
    }
  };
  for (const root of objectBranches(context.deref(body))) {
    walk(root, [], 0);
    // Deep nesting under an unknown field: refused by the schema, but the body is parsed first.
    targets.push({ kind: 'free', unknownField: true, levels: [{ schema: root, key: 'nested', star: false }], leaf: {} });
  }
  return targets;
}

/** A valid body with one expensive part at one of the targets. */
export function heavyBody(target: HeavyTarget, context: SchemaContext): fc.Arbitrary<HeavyBody> {
  const parents = fc.tuple(...target.levels.map((level) => arbitraryFor(level.schema, context)));
  const where = target.levels.map((l) => `/${l.key}${l.star ? '/0' : ''}`).join('');
  const assemble = (values: unknown[], leaf: unknown) => {
    let current = leaf;
    for (let i = target.levels.length - 1; i >= 0; i -= 1) {
      const level = target.levels[i]!;
      current = { ...(values[i] as Record<string, unknown>), [level.key]: level.star ? [current] : current };
    }
    return current;
  };
  switch (target.kind) {
    case 'array': {
      const item = fc.oneof(arbitraryFor(target.leaf.items ?? {}, context), fc.constantFrom<unknown>({}, 123, '', null));
      return fc.tuple(parents, logSize(2_000, 20_000), item).map(([values, size, one]) => ({
        variant: 'oversize-array',
        where: `${where} (${size} × ${JSON.stringify(one)?.slice(0, 40)})`,
        value: assemble(values, new Array(size).fill(one)),
      }));
    }
    case 'object':
      return fc.tuple(parents, logSize(60, 5_000)).map(([values, size]) => ({
        variant: 'oversize-object',
        where: `${where} (${size} keys)`,
        value: assemble(values, Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}`, i]))),
      }));
    case 'free':
      // Half of them past 5,000 levels, where recursive code (JSON.stringify, canonical hashing) runs out of stack.
      return fc
        .tuple(parents, fc.oneof(logSize(40, 5_000), fc.integer({ min: 5_000, max: 10_000 })), fc.boolean())
        .map(([values, depth, arrays]) => ({
          variant: 'deep-nesting',
          where: `${where} (${depth} levels of ${arrays ? 'arrays' : 'objects'})`,
          value: assemble(values, SPLICE),
          splice: arrays ? `{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
        }));
  }
}
