import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { SPEC_ID } from './spec.js';

/**
 * Fastify's validator compiler, on Ajv with the JSON Schema 2020-12 dialect of OpenAPI 3.1 and the
 * whole spec loaded, so route schemas are `$ref`s into it. Bodies are validated strictly (a string is
 * never taken for a number); query, path and header values arrive as strings and are coerced, and a
 * single value of an array parameter becomes a one-item array.
 */
export function validatorCompiler(spec: object): FastifySchemaCompiler<unknown> {
  const make = (coerce: boolean) => {
    const ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      useDefaults: true,
      coerceTypes: coerce ? 'array' : false,
      removeAdditional: false,
    });
    addFormats.default(ajv);
    ajv.addSchema(spec, SPEC_ID);
    return ajv;
  };
  const body = make(false);
  const parameters = make(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : parameters).compile(schema as object);
}
