import Fastify, { type FastifyInstance } from 'fastify';
import { VERSION } from '../app.js';
import { ok } from '../handlers/common.js';
import { requestIds } from '../http/request-ids.js';
import { sendResult } from '../http/results.js';
import { errorMapping } from '../plugins/errors.js';
import { requestIdHeader } from '../plugins/request-id.js';
import { shutdown } from '../plugins/shutdown.js';
import type { Storage } from '../storage/types.js';

/**
 * The HTTP side of a `--role worker` process: the health check only, at `/v2/health` (as the API
 * serves it, for the same probes) and `/health`; every other path is the spec's 404 body. A worker
 * holds no API keys and serves no data: a load balancer must not route API traffic to it.
 */
export async function buildWorkerApp(options: { storage: Storage; logLevel?: string }): Promise<FastifyInstance> {
  const ids = requestIds();
  const startedAt = new Date().toISOString();
  const app = Fastify({ logger: { level: options.logLevel ?? 'info' }, genReqId: ids.forRequest, requestIdHeader: false });
  await app.register(requestIdHeader);
  await app.register(shutdown);
  await app.register(errorMapping, { bodyLimit: 0, headerNames: [] });
  const health = async () => {
    await options.storage.ping();
    return ok({ version: VERSION, started_at: startedAt });
  };
  for (const path of ['/v2/health', '/health']) app.get(path, async (_request, reply) => sendResult(reply, await health()));
  return app;
}
