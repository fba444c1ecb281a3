import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Fastify's log lines, with one line per request instead of two: "incoming request" is dropped and
 * "request completed" names the method, URL, status and time (the request id comes from the
 * request's logger). The Authorization header was never in Fastify's lines (its request serializer
 * logs no header) and is not in this one. Every other line (a response errored, a stream failed,
 * a route not found) is Fastify's own, unchanged.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    logCompleted(request, reply, error);
  }
}

/**
 * The request's line. Fastify writes it for routed requests; a path it cannot decode is answered by
 * `frameworkErrors` (plugins/errors.ts), whose answer Fastify does not follow, so that calls it itself.
 */
export function logCompleted(request: FastifyRequest, reply: FastifyReply, error?: Error | null): void {
  const fields = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime };
  if (error) reply.log.error({ ...fields, err: error }, 'request errored');
  else reply.log.info(fields, 'request completed');
}

/** The `logController` of one app. */
export const requestLogController = (): LogController => new OneLinePerRequest();
