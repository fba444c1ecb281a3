import type { FastifyPluginAsync } from 'fastify';
import { appWide } from './app-wide.js';

/** Every answer carries its request's id (made by the app's `genReqId`), errors included. */
export const requestIdHeader: FastifyPluginAsync = appWide('request-id', async (app) => {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
});
