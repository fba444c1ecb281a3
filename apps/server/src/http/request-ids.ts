import { randomBytes } from 'node:crypto';

export interface RequestIds {
  /** Fastify's `genReqId`: a client's `X-Request-Id` is kept when it is a sane token, else a new id. */
  forRequest(request: { headers: Record<string, string | string[] | undefined> }): string;
  /** A new id, for answers made before a request exists (a connection's error). */
  next(): string;
}

/**
 * The request ids of one app: a random prefix and a counter, unique without a syscall each. Per app
 * rather than per module, so that two apps in one process (the tests build many) share no state.
 */
export function requestIds(): RequestIds {
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  const next = () => {
    counter = (counter + 1) % 0x100000000;
    return `req_${prefix}${counter.toString(16).padStart(8, '0')}`;
  };
  return {
    forRequest(request) {
      const sent = request.headers['x-request-id'];
      if (typeof sent === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(sent)) return sent;
      return next();
    },
    next,
  };
}
