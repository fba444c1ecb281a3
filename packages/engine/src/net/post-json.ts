import http from 'node:http';
import https from 'node:https';
import { checkOutboundUrl, guardedLookup, OutboundUrlError, type OutboundPolicy } from './url-guard.js';

export type HttpFailureKind = 'refused' | 'timeout' | 'aborted' | 'network' | 'status' | 'too_large' | 'invalid_json';

export class HttpRequestError extends Error {
  readonly kind: HttpFailureKind;
  readonly status: number | undefined;

  constructor(kind: HttpFailureKind, message: string, status?: number) {
    super(message);
    this.name = 'HttpRequestError';
    this.kind = kind;
    this.status = status;
  }
}

export interface PostJsonOptions {
  headers?: Record<string, string>;
  /** Headers made from the serialised body (a signature over the exact bytes sent), added after `headers`. */
  signHeaders?: (body: string) => Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Guard the URL and every resolved address; omit only for operator-configured endpoints. */
  policy?: OutboundPolicy;
  /** Largest response body read, in bytes. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * POSTs a JSON body and parses a JSON answer. Node's own http client is used rather than fetch so
 * that the guard can supply the socket's address lookup (see `guardedLookup`). Redirects are not
 * followed: a 3xx is a failed request like any other non-2xx.
 */
export async function postJson(rawUrl: string, body: unknown, options: PostJsonOptions): Promise<unknown> {
  let url: URL;
  try {
    url = options.policy ? checkOutboundUrl(rawUrl, options.policy) : new URL(rawUrl);
  } catch (error) {
    throw new HttpRequestError('refused', error instanceof Error ? error.message : String(error));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpRequestError('refused', `the scheme ${url.protocol} is not allowed`);
  }
  const serialised = JSON.stringify(body);
  const payload = Buffer.from(serialised);
  const signed = options.signHeaders?.(serialised);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<unknown>((resolve, reject) => {
    const fail = (error: HttpRequestError) => reject(error);
    const abortError = () =>
      timeout.aborted
        ? new HttpRequestError('timeout', `no answer within ${options.timeoutMs} ms`)
        : new HttpRequestError('aborted', 'the request was aborted');
    if (signal.aborted) return fail(abortError());

    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...options.headers,
          ...signed,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': String(payload.length),
        },
        signal,
        ...(options.policy ? { lookup: guardedLookup(options.policy) } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            response.destroy();
            fail(new HttpRequestError('too_large', `the answer is larger than ${maxBytes} bytes`, response.statusCode));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', () => fail(signal.aborted ? abortError() : new HttpRequestError('network', 'the answer was cut off')));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status > 299) {
            fail(new HttpRequestError('status', `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, status));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            fail(new HttpRequestError('invalid_json', `the answer is not JSON: ${text.slice(0, 200)}`, status));
          }
        });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return fail(abortError());
      if (error instanceof OutboundUrlError || error.code === 'EREFUSEDADDRESS') {
        return fail(new HttpRequestError('refused', error.message));
      }
      fail(new HttpRequestError('network', `${error.code ? `${error.code}: ` : ''}${error.message}`));
    });
    request.end(payload);
  });
}
