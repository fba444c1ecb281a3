import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { answerOnce } from '../http/idempotency.js';
import { nulInParameters } from '../http/json-body.js';
import { sendResult } from '../http/results.js';
import type { SpecOperation } from '../http/spec.js';
import type { AnyHandler, Context, Handlers, OperationId } from '../http/types.js';
import { validatorCompiler } from '../http/validation.js';
import type { Storage } from '../storage/types.js';
import { appWide } from './app-wide.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the routes of the spec's operations. */
    operationId?: string;
  }
}

export interface OperationsOptions {
  spec: object;
  operations: SpecOperation[];
  handlers: Handlers;
  /** Where `Idempotency-Key` claims are kept. */
  storage: Storage;
}

/**
 * What a handler sees of a request: the workspace and the validated parts, nothing of Fastify's. A
 * class, its `signal` made on first use (only streaming operations watch for the client going away):
 * an object literal with a getter made a closure per request, which V8 came to allocate straight
 * into the old generation, so every request left garbage for a full collection and slowed the young
 * ones (a GET's collections took ten times as long as a bare Fastify route's).
 */
class RequestContext {
  readonly workspace_id: string;
  readonly body: unknown;
  readonly query: unknown;
  readonly params: unknown;
  private controller: AbortController | undefined;

  constructor(
    request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {
    this.workspace_id = request.workspaceId ?? '';
    this.body = request.body;
    this.query = request.query ?? {};
    this.params = request.params ?? {};
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      const made = new AbortController();
      this.reply.raw.once('close', () => made.abort());
      this.controller = made;
    }
    return this.controller.signal;
  }
}

const contextOf = (request: FastifyRequest, reply: FastifyReply) => new RequestContext(request, reply) as unknown as Context<OperationId>;

/**
 * One route per operation of the bundled spec under `/v2`, validated against the spec's own schemas
 * (`$ref`s into it), answered by the operation's handler; operations that declare an
 * `Idempotency-Key` answer a repeat with the stored response.
 */
export const operations: FastifyPluginAsync<OperationsOptions> = appWide('operations', async (app, options) => {
  const { storage } = options;
  app.setValidatorCompiler(validatorCompiler(options.spec));
  for (const op of options.operations) {
    const handler = options.handlers[op.operationId] as unknown as AnyHandler;
    if (!handler) throw new Error(`no handler for operation ${op.operationId}`);
    app.route({
      method: op.method.toUpperCase() as 'GET',
      url: `/v2${op.route}`,
      schema: op.schema,
      config: { operationId: op.operationId, secured: op.secured },
      handler: async (request, reply) => {
        // Before any storage call: PostgreSQL's text cannot hold U+0000 (spec/README.md).
        const nul = nulInParameters(request.url, request.params, request.query);
        if (nul) throw nul;
        const context = contextOf(request, reply);
        const key = op.idempotent ? request.headers['idempotency-key'] : undefined;
        if (typeof key !== 'string') return sendResult(reply, await handler(context));
        const { workspace_id, params, query, body } = context;
        return answerOnce(storage, reply, key, { operationId: op.operationId, workspace_id, params, query, body }, () => handler(context));
      },
    });
  }
});
