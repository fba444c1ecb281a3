const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let next = 0;

/**
 * 128 random bits as 32 hex digits, from the Web Crypto API of every supported runtime
 * (`getRandomValues`, which unlike `randomUUID` also exists outside secure contexts in browsers).
 * Every request gets one, so the bytes are drawn 4 KiB at a time and each is used once.
 */
export function randomId(): string {
  if (next + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    next = 0;
  }
  let id = '';
  for (const end = next + 16; next < end; next++) id += HEX[pool[next] as number];
  return id;
}

/** A fresh request id, `req_` and 32 hex digits. */
const newRequestId = () => `req_${randomId()}`;

/**
 * Gives a call's request an `X-Request-Id` unless the caller or a middleware set one (the server
 * echoes it, so one id names the call in both sides' logs), and answers the id. The client's fetch
 * applies it once per call, before the first attempt, so that every retry re-sends the same id; being
 * part of that fetch rather than a middleware spares each call openapi-fetch's middleware round (an
 * id of its own, a frozen options object and two awaited hooks). The API key and `User-Agent` are the
 * client's default headers instead, in place before any middleware runs.
 */
export function requestIds(generate: () => string = newRequestId): (request: Request) => string {
  return (request) => {
    const { headers } = request;
    const given = headers.get('x-request-id');
    if (given !== null) return given;
    const id = generate();
    headers.set('X-Request-Id', id);
    return id;
  };
}
