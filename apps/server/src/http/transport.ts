import type { Socket } from 'node:net';
import { type Server, STATUS_CODES } from 'node:http';
import { ERROR_STATUS } from '@sims/api-types/error-status';
import type { FastifyHttpOptions } from 'fastify';
import type { ErrorCode } from './errors.js';

/** How long a client may take to send a request, and to keep an idle connection. */
export interface TimeoutConfig {
  /** The whole request, headers and body, must arrive within this time (answered `408`). */
  requestMs: number;
  /** The request line and headers must arrive within this time (answered `408`). */
  headersMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveMs: number;
}

export const TIMEOUT_DEFAULTS: TimeoutConfig = { requestMs: 30_000, headersMs: 10_000, keepAliveMs: 5_000 };

/**
 * Node checks the request and header time-outs only every `connectionsCheckingInterval` (30 s by
 * default), so a trickling client would get up to 30 s more than the limit: check often enough that
 * the limit holds within a tenth of itself (at least every 100 ms, at most every second).
 */
function checkingInterval(timeouts: TimeoutConfig): number {
  return Math.min(1_000, Math.max(100, Math.floor(Math.min(timeouts.requestMs, timeouts.headersMs) / 10)));
}

/** The Fastify options that bound slow clients: no connection can be held open by sending slowly. */
export function transportOptions(timeouts: TimeoutConfig, nextRequestId: () => string): FastifyHttpOptions<Server> {
  return {
    // Fastify copies `requestTimeout` onto the server after creating it, so it is set here and in `http`.
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      requestTimeout: timeouts.requestMs,
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: checkingInterval(timeouts),
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, nextRequestId()),
  };
}

/**
 * Errors Node raises before a request reaches the router (time-outs, oversize headers, unparseable
 * HTTP) are answered with the spec's error body and a request id, like every other error, then the
 * connection is closed: its state is unknown.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, requestId: string): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = describe(error.code);
  const status = ERROR_STATUS[code];
  if (socket.writable) {
    const body = JSON.stringify({ status: 'error', error: { code, message, request_id: requestId } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function describe(nodeCode: string | undefined): [ErrorCode, string] {
  switch (nodeCode) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['request_timeout', 'The request was not received in time.'];
    case 'HPE_HEADER_OVERFLOW':
      return ['headers_too_large', 'The request headers are too large.'];
    default:
      return ['bad_request', 'The request is not valid HTTP.'];
  }
}
