import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { components } from '@sims/api-types';
import { ERROR_STATUS } from '@sims/api-types/error-status';

export type ErrorCode = components['schemas']['ErrorCode'];
export type FieldError = components['schemas']['FieldError'];
export type ErrorBody = components['schemas']['Error'];

/**
 * Each code's HTTP status: the `x-status` map the spec declares on ErrorCode, generated into
 * `@sims/api-types` (so the server does not parse the bundle a second time at start-up).
 */
const STATUS: Record<ErrorCode, number> = ERROR_STATUS;

/** An error answered with the spec's error body. Throw it from anywhere in a request. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const notFound = (what: string, id: string) => new ApiError('not_found', `${what} ${id} was not found.`);

export const invalid = (location: FieldError['location'], field: string, message: string) =>
  new ApiError('validation_failed', 'The request is invalid.', [{ location, field, message }]);

export const validationFailed = (details: FieldError[]) => new ApiError('validation_failed', 'The request is invalid.', details);

export function errorBody(request: FastifyRequest, code: ErrorCode, message: string, details?: FieldError[]): ErrorBody {
  return { status: 'error', error: { code, message, ...(details?.length ? { details } : {}), request_id: request.id } };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.status)
    .headers(error.headers)
    .type('application/json')
    .send(errorBody(request, error.code, error.message, error.details));
}

const LOCATIONS: Record<string, FieldError['location']> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Lower-cased header name → the name as the spec spells it (Fastify sees header names lower-cased). */
export type HeaderNames = ReadonlyMap<string, string>;

/** The table for the header parameters of one app's operations. */
export function headerNameTable(names: readonly string[]): HeaderNames {
  return new Map(names.map((name) => [name.toLowerCase(), name]));
}

/** The most `details` one error answer carries, so that its size does not grow with the request's. */
export const MAX_DETAILS = 20;

/**
 * One field-level detail per Ajv error (a JSON pointer into the body, or the parameter's name, a
 * header's as `headerNames` spells it), without repeats and at most `MAX_DETAILS`.
 */
function validationDetails(context: string, errors: AjvError[], headerNames: HeaderNames = new Map()): FieldError[] {
  const location = LOCATIONS[context] ?? 'body';
  const seen = new Set<string>();
  const details: FieldError[] = [];
  for (const error of errors) {
    if (details.length === MAX_DETAILS) break;
    let pointer = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') pointer += `/${String(error.params.missingProperty)}`;
    if (error.keyword === 'additionalProperties') {
      pointer += `/${String(error.params.additionalProperty)}`;
      message = 'is not a known field';
    }
    let field = pointer;
    if (location !== 'body') {
      const name = pointer.split('/')[1] ?? '';
      field = location === 'header' ? (headerNames.get(name) ?? name) : name;
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push({ location, field, message });
  }
  return details;
}

/**
 * Maps everything Fastify or a handler can throw onto the spec's error responses. `bodyLimit` is the
 * server's configured body limit in bytes, named in the 413 answer when given; `headerNames` spells
 * the headers named in validation details.
 */
export function toApiError(
  error: FastifyError & { validation?: AjvError[]; validationContext?: string },
  bodyLimit?: number,
  headerNames?: HeaderNames,
): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error.validation) {
    return new ApiError(
      'validation_failed',
      'The request is invalid.',
      validationDetails(error.validationContext ?? 'body', error.validation, headerNames),
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        'payload_too_large',
        bodyLimit === undefined ? 'The request body exceeds the size limit.' : `The request body exceeds the limit of ${bodyLimit} bytes.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('bad_request', 'The request body must be JSON (Content-Type: application/json).', [
        { location: 'header', field: 'Content-Type', message: 'must be application/json' },
      ]);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('bad_request', 'The Content-Length header does not match the body.');
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new ApiError('bad_request', 'The request body is not valid JSON.', [{ location: 'body', field: '', message: error.message }]);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('bad_request', error.message);
  }
  return undefined;
}
