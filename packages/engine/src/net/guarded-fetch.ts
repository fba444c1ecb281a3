import http from 'node:http';
import https from 'node:https';
import { checkOutboundUrl, guardedLookup, OutboundUrlError, type OutboundPolicy } from './url-guard.js';

export interface GuardedFetchOptions {
  /** Called with the refusal before it is thrown: the caller can stop its client from retrying it. */
  onRefused?: (error: OutboundUrlError) => void;
  /** Largest response body read, in bytes. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

export class AnswerTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`the answer is larger than ${maxBytes} bytes`);
    this.name = 'AnswerTooLargeError';
  }
}

/**
 * A `fetch` for the openai SDK that sends to user-supplied URLs under the outbound guard, exactly as
 * `postJson` does for webhooks: the URL is checked first, and the socket connects only to addresses
 * `guardedLookup` has judged (so a DNS answer cannot point it at the operator's network). Node's own
 * http client is used because the built-in fetch takes no address lookup. Redirects are not
 * followed, and the answer is read up to `maxBytes`.
 */
export function guardedFetch(policy: OutboundPolicy, options: GuardedFetchOptions = {}): typeof fetch {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const refuse = (error: OutboundUrlError) => {
    options.onRefused?.(error);
    return error;
  };
  return (input, init = {}) => {
    let url: URL;
    try {
      url = checkOutboundUrl(input instanceof Request ? input.url : String(input), policy);
    } catch (error) {
      return Promise.reject(error instanceof OutboundUrlError ? refuse(error) : error);
    }
    const body = typeof init.body === 'string' ? Buffer.from(init.body) : undefined;
    if (init.body != null && body === undefined) return Promise.reject(new TypeError('guardedFetch sends string bodies only'));
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    if (body) headers['content-length'] = String(body.length);
    const signal = init.signal ?? undefined;
    const client = url.protocol === 'https:' ? https : http;

    return new Promise<Response>((resolve, reject) => {
      const aborted = () => new DOMException('The request was aborted.', 'AbortError');
      if (signal?.aborted) return reject(aborted());
      const request = client.request(
        url,
        { method: init.method ?? 'GET', headers, lookup: guardedLookup(policy), ...(signal ? { signal } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              response.destroy();
              reject(new AnswerTooLargeError(maxBytes));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', () => reject(signal?.aborted ? aborted() : new Error('the answer was cut off')));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const answerHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) answerHeaders.append(name, one);
            }
            const nullBody = status === 204 || status === 205 || status === 304;
            resolve(
              new Response(nullBody ? null : Buffer.concat(chunks), {
                status,
                statusText: response.statusMessage ?? '',
                headers: answerHeaders,
              }),
            );
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (signal?.aborted) return reject(aborted());
        if (error instanceof OutboundUrlError || error.code === 'EREFUSEDADDRESS') {
          return reject(refuse(error instanceof OutboundUrlError ? error : new OutboundUrlError(error.message)));
        }
        reject(error);
      });
      request.end(body);
    });
  };
}
