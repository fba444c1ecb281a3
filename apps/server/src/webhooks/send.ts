import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { checkOutboundUrl, type OutboundPolicy, OutboundUrlError, refuseAddress } from '@sims/engine';
import type { WebhookAttempt } from '../storage/types.js';

/** The answer's first characters kept in the delivery log (the spec's `response_excerpt`). */
const EXCERPT_CHARS = 500;
/** Enough bytes of the answer for the excerpt in any encoding; the rest is not read. */
const EXCERPT_BYTES = EXCERPT_CHARS * 4;

export interface SendOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  policy: OutboundPolicy;
  /** Aborts the attempt (the dispatcher stopping); an aborted attempt answers `aborted: true` and is not recorded. */
  signal: AbortSignal;
}

/**
 * POSTs one delivery and reports the attempt as the delivery log keeps it; never throws. The URL
 * guard checks the URL and every address the host resolves to, at every attempt (an endpoint's
 * host may resolve elsewhere since it was created). Redirects are not followed: a 3xx is a failure.
 */
export async function sendDelivery(rawUrl: string, body: string, options: SendOptions): Promise<WebhookAttempt & { aborted: boolean }> {
  const attempted_at = new Date().toISOString();
  const started = performance.now();
  const result = (status_code: number | null, error: string | null, response_excerpt: string | null, aborted = false) => ({
    attempted_at,
    status_code,
    latency_ms: Math.round(performance.now() - started),
    error,
    response_excerpt,
    aborted,
  });
  let url: URL;
  try {
    url = checkOutboundUrl(rawUrl, options.policy);
  } catch (error) {
    return result(null, `refused by the outbound URL guard: ${error instanceof Error ? error.message : String(error)}`, null);
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const payload = Buffer.from(body);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: ReturnType<typeof result>) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    const abortedResult = (status: number | null) =>
      timeout.aborted ? result(status, `no answer within ${options.timeoutMs} ms`, null) : result(status, 'aborted', null, true);
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/json', 'content-length': String(payload.length) },
        signal,
        lookup: guardedLookup(options.policy),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
          const ok = status >= 200 && status <= 299;
          settle(result(status, ok ? null : `HTTP ${status}`, excerpt));
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= EXCERPT_BYTES) finish();
        });
        response.on('end', finish);
        const cutOff = () => settle(signal.aborted ? abortedResult(status) : result(status, 'the answer was cut off', null));
        response.on('error', cutOff);
        response.on('close', cutOff);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return settle(abortedResult(null));
      if (error instanceof OutboundUrlError || error.code === 'EREFUSEDADDRESS') {
        return settle(result(null, `refused by the outbound URL guard: ${error.message}`, null));
      }
      settle(result(null, `${error.code ? `${error.code}: ` : ''}${error.message}`, null));
    });
    request.end(payload);
  });
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void;

/**
 * The socket's address lookup: every address the name resolves to is judged by the engine's guard
 * (`refuseAddress`), and the socket connects to exactly what was judged, so a DNS answer that changes
 * between the check and the connection cannot slip through. The same rule as the engine's own
 * `guardedLookup`, which its package does not export; the name itself was judged by `checkOutboundUrl`.
 */
function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    dnsLookup(hostname, { all: true, family }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const entry of addresses) {
        const reason = refuseAddress(entry.address, policy);
        if (reason) {
          const refused: NodeJS.ErrnoException = new OutboundUrlError(`${hostname} resolves to ${reason}`);
          refused.code = 'EREFUSEDADDRESS';
          return callback(refused, []);
        }
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new OutboundUrlError(`${hostname} has no address`), { code: 'EREFUSEDADDRESS' }), []);
      if (options.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}
