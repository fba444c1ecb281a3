import type { FastifyPluginAsync, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ApiError, errorBody, sendError, toApiError, headerNameTable } from '../http/errors.js';
import { logCompleted } from '../http/request-log.js';
import type { Admission } from './auth.js';
import { appWide } from './app-wide.js';

/** The 404 for a path whose id names nothing: unknown, empty, undecodable or longer than any id. */
function noResourceAt(request: FastifyRequest): ApiError {
  const path = request.url.split('?')[0]!;
  return new ApiError('not_found', `Nothing exists at ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}.`);
}

/**
 * Fastify's `frameworkErrors` option. A path the router cannot decode (`%ZZ`) or whose id is longer
 * than any id (100 characters) names no resource: answered like any unknown id, after
 * authentication, with the spec's error body.
 */
export function unroutable(admission: Admission): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return async (_error, request, reply) => {
    reply.header('x-request-id', request.id);
    reply.raw.once('finish', () => logCompleted(request, reply));
    try {
      // Before routing there is no route config: such a path is under an operation, which needs a key.
      await admission.admit(request, true);
    } catch (error) {
      return sendError(request, reply, error as ApiError);
    }
    return sendError(request, reply, noResourceAt(request));
  };
}

export interface ErrorMappingOptions {
  /** The configured body limit in bytes, named in the 413 answer. */
  bodyLimit: number;
  /** The header parameters of the spec's operations, spelled as the spec spells them. */
  headerNames: readonly string[];
}

/** Every failure is answered with the spec's error body; an unexpected one is logged and answered 500. */
export const errorMapping: FastifyPluginAsync<ErrorMappingOptions> = appWide('error-mapping', async (app, options) => {
  const headerNames = headerNameTable(options.headerNames);
  app.setErrorHandler((error, request, reply) => {
    // An id is a plain string of any form (spec decision 4): a path id that breaks its schema (empty)
    // names no resource, exactly like an unknown one.
    if ((error as { validationContext?: string }).validationContext === 'params') return sendError(request, reply, noResourceAt(request));
    const api = toApiError(error as Parameters<typeof toApiError>[0], options.bodyLimit, headerNames);
    if (api) return sendError(request, reply, api);
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .code(500)
      .type('application/json')
      .send(errorBody(request, 'internal_error', 'The server failed to answer this request.'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new ApiError('not_found', `There is no operation ${request.method} ${request.url.split('?')[0]}.`)),
  );
});
