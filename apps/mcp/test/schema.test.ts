import { describe, expect, it } from 'vitest';
import { inlineSchema } from '../src/schema.js';

const document = {
  components: {
    schemas: {
      Name: { type: 'string', minLength: 1, example: 'Ada', 'x-internal': true },
      Person: {
        type: 'object',
        required: ['name'],
        properties: { name: { $ref: '#/components/schemas/Name' }, example: { type: 'string' }, 'x-tag': { type: 'string' } },
      },
      Node: { type: 'object', properties: { next: { $ref: '#/components/schemas/Node' } } },
    },
  },
};

describe('inlineSchema', () => {
  it('replaces each $ref with what it points at, and drops OpenAPI keywords but not properties named like them', () => {
    expect(inlineSchema(document, { $ref: '#/components/schemas/Person' })).toEqual({
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 }, example: { type: 'string' }, 'x-tag': { type: 'string' } },
    });
  });

  it('merges annotations beside a $ref into the target, and keeps other siblings as an allOf', () => {
    expect(inlineSchema(document, { $ref: '#/components/schemas/Name', description: 'Who', default: 'Ada' })).toEqual({
      type: 'string',
      minLength: 1,
      description: 'Who',
      default: 'Ada',
    });
    expect(inlineSchema(document, { $ref: '#/components/schemas/Name', maxLength: 5, description: 'Short' })).toEqual({
      allOf: [{ type: 'string', minLength: 1 }],
      maxLength: 5,
      description: 'Short',
    });
  });

  it('copies data keywords as they are, even when they hold something that looks like a $ref', () => {
    const schema = { type: 'object', default: { $ref: '#/nowhere' }, enum: [{ $ref: '#/nowhere' }] };
    expect(inlineSchema(document, schema)).toEqual(schema);
  });

  it('refuses a recursive schema and a $ref it cannot follow, naming them', () => {
    expect(() => inlineSchema(document, { $ref: '#/components/schemas/Node' })).toThrow(
      'recursive schema: #/components/schemas/Node → #/components/schemas/Node',
    );
    expect(() => inlineSchema(document, { $ref: '#/components/schemas/Missing' })).toThrow('not a schema at #/components/schemas/Missing');
    expect(() => inlineSchema(document, { $ref: 'other.yaml#/Name' })).toThrow('only local $refs can be inlined, not other.yaml#/Name');
  });
});
