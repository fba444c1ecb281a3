import type { FastifyPluginAsync } from 'fastify';
import { appWide } from './app-wide.js';

/**
 * A graceful close. Fastify stops accepting and closes idle keep-alive sockets; a socket whose
 * response was still in flight becomes idle later, so it is closed as soon as that response is done,
 * and requests that still arrive on an open connection are served with `Connection: close`.
 */
export const shutdown: FastifyPluginAsync = appWide('shutdown', async (app) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (closing) reply.header('connection', 'close');
    done();
  });
  // Callback hooks here and above: they run on every request, and an async one costs a promise each time.
  app.addHook('onResponse', (_request, _reply, done) => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
});
