import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RateLimitConfig } from './config.js';
import type { Engine } from './engine/types.js';
import { createHandlers } from './handlers/index.js';
import { ApiError, errorBody, registerHeaderNames, sendError, toApiError } from './http/errors.js';
import { claimKey, requestHash, type Claim } from './http/idempotency.js';
import { parseJsonBody } from './http/json-body.js';
import { RateLimiter } from './http/rate-limit.js';
import { loadSpec, specOperations, type SpecOperation } from './http/spec.js';
import type { AnyHandler, AnyResult, Context, OperationId } from './http/types.js';
import { TIMEOUT_DEFAULTS, transportOptions, type TimeoutConfig } from './http/transport.js';
import { validatorCompiler } from './http/validation.js';
import { hashKey } from './keys.js';
import type { Storage } from './storage/types.js';

export interface AppOptions {
  storage: Storage;
  engine: Engine;
  rateLimit: RateLimitConfig;
  bodyLimit?: number;
  /** Time-outs for slow clients; defaults to `TIMEOUT_DEFAULTS`. */
  timeouts?: TimeoutConfig;
  /** A pino level (`info`, `warn`, `silent`…); logs are JSON lines on stdout. */
  logLevel?: string;
  /** The bundled spec; defaults to `@sims/spec/openapi.json`. */
  spec?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId?: string;
  }
  interface FastifyContextConfig {
    operationId?: string;
    secured?: boolean;
  }
}

const require = createRequire(import.meta.url);
export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Request ids made here: a random per-process prefix and a counter, unique without a syscall each. */
const idPrefix = randomBytes(4).toString('hex');
let idCounter = 0;

/** A client's `X-Request-Id` is kept when it is a sane token; otherwise the server makes one. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const sent = request.headers['x-request-id'];
  if (typeof sent === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(sent)) return sent;
  idCounter = (idCounter + 1) % 0x100000000;
  return `req_${idPrefix}${idCounter.toString(16).padStart(8, '0')}`;
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer +(\S+) *$/i);
  return match?.[1];
}

/** The 404 for a path whose id names nothing: unknown, empty, undecodable or longer than any id. */
function noResourceAt(request: FastifyRequest): ApiError {
  const path = request.url.split('?')[0]!;
  return new ApiError('not_found', `Nothing exists at ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}.`);
}

/** The docs page built by `pnpm docs`, if it has been built. */
function readDocs(): string | undefined {
  try {
    return readFileSync(require.resolve('@sims/spec/docs.html'), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The HTTP application: one route per operation of the bundled spec under `/v2`, with request
 * schemas taken from the spec; bearer auth and a rate limit per key; the spec's error body for every
 * failure; idempotency for the operations that declare an `Idempotency-Key`.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { storage, engine } = options;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const spec = options.spec ?? loadSpec();
  const operations = specOperations(spec);
  registerHeaderNames(operations.flatMap((op) => op.headerNames));
  const startedAt = new Date().toISOString();
  const handlers = createHandlers({ storage, engine, version: VERSION, startedAt });
  const limiter = new RateLimiter(options.rateLimit);

  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: ['req.headers.authorization'] },
    bodyLimit,
    genReqId: requestId,
    requestIdHeader: false,
    ...transportOptions(options.timeouts ?? TIMEOUT_DEFAULTS, () => requestId({ headers: {} })),
    // A path the router cannot decode (`%ZZ`) or whose id is longer than any id (100 characters) names
    // no resource: answered like any unknown id, after authentication, with the spec's error body.
    frameworkErrors: async (_error, request, reply) => {
      reply.header('x-request-id', request.id);
      try {
        // Before routing there is no route config: such a path is under an operation, which needs a key.
        await admit(request, true);
      } catch (error) {
        return sendError(request, reply, error as ApiError);
      }
      return sendError(request, reply, noResourceAt(request));
    },
    // Requests already on an open connection when shutdown starts are served (with `Connection: close`)
    // rather than refused with Fastify's own 503 body, which is not the spec's error body.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler(spec));

  // JSON is the only body the API reads.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, parseJsonBody);

  // On close, Fastify stops accepting and closes idle keep-alive sockets; a socket whose response was
  // still in flight becomes idle later, so close it as soon as that response is done.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onResponse', async () => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
  });

  /** Rate limit, then authentication; sets the request's workspace. Throws the `ApiError` to answer. */
  async function admit(request: FastifyRequest, secured: boolean): Promise<void> {
    const key = bearer(request.headers.authorization);
    const record = key ? await storage.apiKeys.findActiveByHash(hashKey(key)) : undefined;
    const wait = limiter.hit(record ? `key:${record.id}` : `ip:${request.ip}`);
    if (wait > 0) {
      throw new ApiError('rate_limited', `Rate limit of ${options.rateLimit.max} requests per ${options.rateLimit.windowMs / 1000} seconds exceeded; retry in ${wait} seconds.`,
        undefined, { 'retry-after': String(wait) });
    }
    if (secured && !record) {
      throw new ApiError('unauthorized', 'A valid API key is required in the Authorization header (Bearer <api key>).');
    }
    request.workspaceId = record?.workspace_id;
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
    await admit(request, request.routeOptions.config.secured === true);
  });

  app.setErrorHandler((error, request, reply) => {
    // An id is a plain string of any form (spec decision 4): a path id that breaks its schema (empty)
    // names no resource, exactly like an unknown one.
    if ((error as { validationContext?: string }).validationContext === 'params') return sendError(request, reply, noResourceAt(request));
    const api = toApiError(error as Parameters<typeof toApiError>[0], bodyLimit);
    if (api) return sendError(request, reply, api);
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).type('application/json').send(errorBody(request, 'internal_error', 'The server failed to answer this request.'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new ApiError('not_found', `There is no operation ${request.method} ${request.url.split('?')[0]}.`)));

  // Operations without a request body never read one (RFC 9110 gives content on GET and DELETE no
  // meaning): whatever is sent, of any type or size, is left unread and discarded by Node, so it can
  // neither fail the request nor be too large.
  const ignoreBody = async (request: FastifyRequest) => {
    delete request.headers['content-type'];
    delete request.headers['transfer-encoding'];
    request.headers['content-length'] = '0';
  };

  for (const op of operations) {
    const handler = handlers[op.operationId] as unknown as AnyHandler;
    if (!handler) throw new Error(`no handler for operation ${op.operationId}`);
    app.route({
      method: op.method.toUpperCase() as 'GET',
      url: `/v2${op.route}`,
      schema: op.schema,
      config: { operationId: op.operationId, secured: op.secured },
      ...(op.schema.body ? {} : { preParsing: ignoreBody }),
      handler: (request, reply) => serve(op, handler, request, reply),
    });
  }

  async function serve(op: SpecOperation, handler: AnyHandler, request: FastifyRequest, reply: FastifyReply) {
    let controller: AbortController | undefined;
    const context = {
      workspace_id: request.workspaceId ?? '',
      body: request.body,
      query: request.query ?? {},
      params: request.params ?? {},
      request,
      // Made on first use: only streaming operations watch for the client going away.
      get signal() {
        if (!controller) {
          const made = new AbortController();
          reply.raw.once('close', () => made.abort());
          controller = made;
        }
        return controller.signal;
      },
    } as Context<OperationId>;
    const key = op.idempotent ? request.headers['idempotency-key'] : undefined;
    if (typeof key !== 'string') return send(reply, await handler(context));
    const claim = await claimKey(storage, context.workspace_id, key,
      requestHash(op.operationId, context.params, context.query, context.body));
    if (claim.kind === 'replay') {
      return reply.code(claim.response.status).type(claim.response.content_type).header('idempotent-replayed', 'true').send(claim.response.body || undefined);
    }
    let result: AnyResult;
    try {
      result = await handler(context);
    } catch (error) {
      await claim.release();
      throw error;
    }
    return send(reply, result, claim);
  }

  async function send(reply: FastifyReply, result: AnyResult, claim?: Extract<Claim, { kind: 'claimed' }>) {
    if ('ndjson' in result) {
      const events = result.ndjson;
      const lines = async function* () {
        const sent: string[] = [];
        let complete = false;
        try {
          for await (const event of events) {
            const line = `${JSON.stringify(event)}\n`;
            sent.push(line);
            yield line;
          }
          complete = true;
          await claim?.complete({ status: 200, content_type: 'application/x-ndjson', body: sent.join('') });
        } finally {
          if (!complete) await claim?.release();
        }
      };
      return reply.code(200).type('application/x-ndjson').send(Readable.from(lines()));
    }
    if (!('body' in result)) {
      await claim?.complete({ status: result.status, content_type: 'application/json', body: '' });
      return reply.code(result.status).send();
    }
    const text = JSON.stringify(result.body);
    await claim?.complete({ status: result.status, content_type: 'application/json', body: text });
    return reply.code(result.status).type('application/json').send(text);
  }

  const docs = readDocs();
  app.get('/docs', { config: { secured: false } }, async (_request, reply) => {
    if (!docs) throw new ApiError('not_found', 'The docs page has not been built; run `pnpm docs`.');
    return reply.type('text/html; charset=utf-8').send(docs);
  });
  app.get('/openapi.json', { config: { secured: false } }, async (_request, reply) => reply.type('application/json').send(spec));
  app.get('/', { config: { secured: false } }, async (_request, reply) => reply.redirect('/docs'));
  app.get('/health', { config: { secured: false } }, async (request, reply) =>
    send(reply, await handlers.getHealth({ workspace_id: '', body: undefined, query: {}, params: {}, request, signal: new AbortController().signal })));

  return app;
}
