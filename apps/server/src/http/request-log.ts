import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino from 'pino';

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

/** How long a log line may wait in the buffer of `bufferedStdout`. */
const FLUSH_MS = 100;

/**
 * Standard output for the log, buffered: lines are written 4 KiB at a time (one system call for
 * about twenty request lines instead of one each, as pino advises for throughput), and what is
 * waiting at most every 100 ms, when the app closes, and when the process exits (pino's own exit
 * handler). A process killed outright loses at most its last 100 ms of lines.
 */
export function bufferedStdout(): { stream: pino.DestinationStream; close(): void } {
  const stream = pino.destination({ dest: 1, minLength: 4096, sync: true });
  const timer = setInterval(() => stream.flush(), FLUSH_MS).unref();
  return {
    stream,
    close() {
      clearInterval(timer);
      stream.flushSync();
    },
  };
}
