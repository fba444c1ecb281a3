import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '@sims/api-types/error-status';
import { SPEC_ID, at, createAjv, errorStatuses, escapePointer, loadBundle, resolveRef, unescapePointer } from '../runtime/index.js';

const spec = loadBundle();

describe('JSON pointers', () => {
  it('escapes ~ before / so that the two round-trip', () => {
    expect(escapePointer('/a~b/{id}')).toBe('~1a~0b~1{id}');
    expect(escapePointer('~1')).toBe('~01');
    for (const segment of ['/simulations/{id}', '~1', 'a~/b', 'application/json']) {
      expect(unescapePointer(escapePointer(segment))).toBe(segment);
    }
  });

  it('finds a node by pointer, through escaped segments, and nothing where there is none', () => {
    const document = { paths: { '/a/{id}': { get: { operationId: 'getA' } } }, list: [{ x: 1 }] };
    expect(at(document, `/paths/${escapePointer('/a/{id}')}/get`)).toEqual({ operationId: 'getA' });
    expect(at(document, '/list/0/x')).toBe(1);
    expect(at(document, '')).toBe(document);
    expect(at(document, '/paths/missing/get')).toBeUndefined();
  });

  it('follows chains of $refs and answers where the last one led', () => {
    const document = { components: { a: { $ref: '#/components/b' }, b: { type: 'string' } } };
    expect(resolveRef(document, { $ref: '#/components/a' }, '/start')).toEqual({ node: { type: 'string' }, pointer: '/components/b' });
    expect(resolveRef(document, { type: 'number' }, '/here')).toEqual({ node: { type: 'number' }, pointer: '/here' });
  });
});

describe('createAjv', () => {
  it('validates against schemas of the spec by $ref, formats included', () => {
    const ajv = createAjv(spec, { allErrors: true });
    const validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/Error` });
    const body = { status: 'error', error: { code: 'not_found', message: 'Suite s1 was not found.', request_id: 'req_1' } };
    expect(validate(body)).toBe(true);
    expect(validate({ ...body, error: { ...body.error, code: 'nope' } })).toBe(false);
    const dateTime = ajv.compile({ type: 'string', format: 'date-time' });
    expect(dateTime('2026-11-30T12:00:00Z')).toBe(true);
    expect(dateTime('yesterday')).toBe(false);
  });

  it('passes options through: coercion is off unless asked for', () => {
    const schema = { $ref: `${SPEC_ID}#/components/schemas/ErrorCode` };
    expect(createAjv(spec).compile({ type: 'integer' })('3')).toBe(false);
    expect(createAjv(spec, { coerceTypes: true }).compile({ type: 'integer' })('3')).toBe(true);
    expect(createAjv(spec).compile(schema)('bad_request')).toBe(true);
  });
});

describe('the status of each error code', () => {
  it('covers exactly the codes of the ErrorCode enum', () => {
    const statuses = errorStatuses(spec);
    expect(Object.keys(statuses).sort()).toEqual([...at<{ enum: string[] }>(spec, '/components/schemas/ErrorCode').enum].sort());
    expect(statuses).toMatchObject({ bad_request: 400, validation_failed: 422, internal_error: 500 });
  });

  it('agrees with the constant generated for the client (pnpm generate)', () => {
    expect(ERROR_STATUS).toEqual(errorStatuses(spec));
  });

  it('refuses a map that misses a code or names one the enum does not have', () => {
    const broken = structuredClone(spec);
    const errorCode = at<{ 'x-status': Record<string, number> }>(broken, '/components/schemas/ErrorCode');
    delete errorCode['x-status'].conflict;
    expect(() => errorStatuses(broken)).toThrow(/missing: conflict; unknown: none/);
    errorCode['x-status'].conflict = 409;
    errorCode['x-status'].teapot = 418;
    expect(() => errorStatuses(broken)).toThrow(/missing: none; unknown: teapot/);
    delete (errorCode as Record<string, unknown>)['x-status'];
    expect(() => errorStatuses(broken)).toThrow(/no x-status/);
  });
});
