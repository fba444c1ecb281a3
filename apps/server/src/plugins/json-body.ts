import type { FastifyPluginAsync, preParsingHookHandler } from 'fastify';
import { parseJsonBody } from '../http/json-body.js';
import { appWide } from './app-wide.js';

/**
 * Operations without a request body never read one (RFC 9110 gives content on GET and DELETE no
 * meaning): whatever is sent, of any type or size, is left unread and discarded by Node, so it can
 * neither fail the request nor be too large.
 */
const ignoreBody: preParsingHookHandler = (request, _reply, _payload, done) => {
  delete request.headers['content-type'];
  delete request.headers['transfer-encoding'];
  request.headers['content-length'] = '0';
  // A callback rather than an async function: it runs on every DELETE, and a promise each time costs.
  done(null);
};

/**
 * JSON is the only body the API reads, up to the configured limit and `MAX_JSON_DEPTH` levels deep;
 * an operation whose spec declares no body ignores one. Register before the operations' routes.
 */
export const jsonBody: FastifyPluginAsync<{ bodyLimit: number }> = appWide('json-body', async (app, { bodyLimit }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, parseJsonBody);
  app.addHook('onRoute', (route) => {
    // Fastify never reads a body on GET or HEAD, so those routes need no hook (it ran on every read).
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => method === 'GET' || method === 'HEAD')) return;
    if (route.config?.operationId !== undefined && !route.schema?.body && !route.preParsing) route.preParsing = ignoreBody;
  });
});
