import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { StoredResponse } from '../storage/types.js';
import type { AnyResult } from './types.js';

/** Told the answer as sent, so that it can be replayed (an idempotent request), or that none was complete. */
export interface AnswerRecorder {
  complete(response: StoredResponse): Promise<void>;
  release(): Promise<void>;
}

/**
 * Sends a handler's result: JSON (an object, or text the storage wrote), an empty 204, or an NDJSON stream of events, one line each as
 * the handler yields them. The recorder, if any, gets the exact bytes sent before they leave (for a
 * stream, once it is complete) or is released when a stream stops early.
 */
export async function sendResult(reply: FastifyReply, result: AnyResult, recorder?: AnswerRecorder): Promise<FastifyReply> {
  if ('ndjson' in result)
    return reply
      .code(200)
      .type('application/x-ndjson')
      .send(Readable.from(ndjsonLines(result.ndjson, recorder)));
  // Awaited only when there is a recorder: most answers have none, and waiting on nothing still costs a turn.
  if (result.status === 204) {
    if (recorder) await recorder.complete({ status: result.status, content_type: 'application/json', body: '' });
    return reply.code(result.status).send();
  }
  const text = 'json' in result ? result.json : JSON.stringify(result.body);
  if (recorder) await recorder.complete({ status: result.status, content_type: 'application/json', body: text });
  return reply.code(result.status).type('application/json').send(text);
}

async function* ndjsonLines(events: AsyncIterable<unknown>, recorder: AnswerRecorder | undefined): AsyncGenerator<string> {
  const sent: string[] = [];
  let complete = false;
  try {
    for await (const event of events) {
      const line = `${JSON.stringify(event)}\n`;
      sent.push(line);
      yield line;
    }
    complete = true;
    await recorder?.complete({ status: 200, content_type: 'application/x-ndjson', body: sent.join('') });
  } finally {
    if (!complete) await recorder?.release();
  }
}
