import fc from 'fast-check';
import { IdRef, KINDS } from './ids.js';
import { isObject, jsonType, nodes, pointer, setAt, type JsonType } from './json-paths.js';
import { anyJson, repeated } from './values.js';

/** A body after a mutation: the variant's name, where it struck, and the new value. */
export interface MutatedBody {
  variant: string;
  where: string;
  value: unknown;
}

const SAMPLES: Record<JsonType, unknown[]> = {
  null: [null],
  boolean: [true, false],
  number: [0, -1, 1.5, 1e21],
  string: ['', 'x', '42', 'true', 'null'],
  array: [[], [1], ['x'], [{}]],
  object: [{}, { a: 1 }],
};

const OUT_OF_RANGE = [-1, 0, -(2 ** 31), 2 ** 31, 2 ** 53 + 2, 1e21, 0.5, -0.0001, 1e308];
const LONG_STRINGS = [101, 201, 256, 1_001, 2_001, 5_001, 20_001, 200_000];
const UNKNOWN_KEYS = ['extra', '__proto__', 'constructor', 'id', 'workspace_id', 'created_at', '', 'a'.repeat(300)];

/**
 * Mutations that break one node of a valid body, anywhere in it: dropped keys, wrong types,
 * numbers out of range, strings past their limit, unknown fields, nulls, ids of the wrong kind.
 */
export function mutateBody(valid: fc.Arbitrary<unknown>): fc.Arbitrary<MutatedBody> {
  return fc
    .tuple(valid, fc.nat(), fc.nat(), fc.constantFrom(...VARIANTS), anyJson)
    .map(([body, where, choice, variant, extra]) => variant(body, where, choice, extra));
}

type Variant = (body: unknown, where: number, choice: number, extra: unknown) => MutatedBody;

const pick = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);

const dropKey: Variant = (body, where) => {
  const keyed = nodes(body).flatMap((n) => (isObject(n.value) ? Object.keys(n.value).map((key) => [...n.path, key]) : []));
  const path = pick(keyed, where);
  if (!path) return { variant: 'drop-key', where: '/', value: {} };
  return { variant: 'drop-key', where: pointer(path), value: setAt(body, path, undefined, true) };
};

const wrongType: Variant = (body, where, choice) => {
  const target = pick(nodes(body), where)!;
  const others = (Object.keys(SAMPLES) as JsonType[]).filter((t) => t !== jsonType(target.value)).flatMap((t) => SAMPLES[t]);
  return { variant: 'wrong-type', where: pointer(target.path), value: setAt(body, target.path, pick(others, choice)) };
};

const outOfRange: Variant = (body, where, choice) => {
  const numbers = nodes(body).filter((n) => typeof n.value === 'number');
  const target = pick(numbers, where) ?? pick(nodes(body), where)!;
  return { variant: 'out-of-range', where: pointer(target.path), value: setAt(body, target.path, pick(OUT_OF_RANGE, choice)) };
};

const tooLong: Variant = (body, where, choice) => {
  const strings = nodes(body).filter((n) => jsonType(n.value) === 'string');
  const target = pick(strings, where) ?? pick(nodes(body), where)!;
  const length = pick(LONG_STRINGS, choice)!;
  return {
    variant: 'too-long',
    where: `${pointer(target.path)} (${length} chars)`,
    value: setAt(body, target.path, repeated(length, choice % 3 ? 'x' : 'é')),
  };
};

const unknownField: Variant = (body, where, choice, extra) => {
  const objects = nodes(body).filter((n) => isObject(n.value));
  const target = pick(objects, where);
  const key = pick(UNKNOWN_KEYS, choice)!;
  if (!target) return { variant: 'unknown-field', where: '/', value: body };
  return { variant: 'unknown-field', where: pointer([...target.path, key]), value: setAt(body, [...target.path, key], extra) };
};

const nullField: Variant = (body, where) => {
  const target = pick(
    nodes(body).filter((n) => n.path.length),
    where,
  );
  if (!target) return { variant: 'null', where: '/', value: null };
  return { variant: 'null', where: pointer(target.path), value: setAt(body, target.path, null) };
};

const rootType: Variant = (_body, _where, choice) => {
  const value = pick([null, [], 'text', 42, true, [{}]], choice);
  return { variant: 'root-type', where: '/', value };
};

/** An id field pointing at a record of another kind, another workspace, or no record at all. */
const wrongId: Variant = (body, where, choice) => {
  const ids = nodes(body).filter((n) => n.value instanceof IdRef);
  const target = pick(ids, where);
  if (!target) return wrongType(body, where, choice, undefined);
  const ref = target.value as IdRef;
  const replacements: unknown[] = [
    new IdRef(KINDS[(KINDS.indexOf(ref.kind) + 1 + (choice % (KINDS.length - 1))) % KINDS.length]!, choice),
    new IdRef(ref.kind, choice, 'foreign'),
    '00000000-0000-4000-8000-000000000000',
    repeated(101 + (choice % 200), 'a'),
    ' ',
    '../../etc/passwd',
    "' OR 1=1 --",
  ];
  return { variant: 'wrong-id', where: pointer(target.path), value: setAt(body, target.path, pick(replacements, choice)) };
};

const VARIANTS: Variant[] = [dropKey, wrongType, outOfRange, tooLong, unknownField, nullField, rootType, wrongId];
