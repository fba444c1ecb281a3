import { Webhook, WebhookVerificationError as LibraryVerificationError } from 'standardwebhooks';
import type { WebhookEvent, WebhookEventType } from './types.js';

/**
 * Why `verifyWebhook` refused a request:
 * - `missing_headers`: no `webhook-id`, `webhook-timestamp` or `webhook-signature`;
 * - `invalid_timestamp`: `webhook-timestamp` is not a number of seconds;
 * - `timestamp_too_old` / `timestamp_too_new`: more than five minutes from this machine's clock (a replay, or a skewed clock);
 * - `invalid_signature`: no signature in `webhook-signature` matches the body with this secret;
 * - `invalid_payload`: signed correctly, but the body is not an event (not JSON, or not `{type, timestamp, data}`);
 * - `unknown_event_type`: signed correctly, but of a type this client does not know (a server newer than the client).
 */
export type WebhookVerificationReason =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'invalid_signature'
  | 'invalid_payload'
  | 'unknown_event_type';

/**
 * The one error `verifyWebhook` throws for a request it does not accept. Answer such requests `4xx`
 * (the sender retries them on its schedule), except `unknown_event_type`: its signature was valid,
 * so it did come from the API, and a `2xx` drops it for good (`payload` holds what was sent).
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationReason;
  /** The parsed body, for `unknown_event_type` and for `invalid_payload` when it was JSON; `undefined` otherwise. */
  readonly payload: unknown;

  constructor(reason: WebhookVerificationReason, message: string, options: { cause?: unknown; payload?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.payload = options.payload;
  }
}

/**
 * The library's messages, by reason. standardwebhooks is pinned exactly and tells its failures apart
 * only by message; the unit tests produce each of them, so an upgrade that rewords one fails there.
 */
const LIBRARY_REASONS: Readonly<Record<string, WebhookVerificationReason>> = {
  'Missing required headers': 'missing_headers',
  'Invalid Signature Headers': 'invalid_timestamp',
  'Message timestamp too old': 'timestamp_too_old',
  'Message timestamp too new': 'timestamp_too_new',
  'No matching signature found': 'invalid_signature',
};

/** The field naming the record each event is about: what a receiver reads first. */
const EVENT_SUBJECT: Readonly<Record<WebhookEventType, string>> = {
  'simulation.completed': 'simulation_id',
  'simulation.failed': 'simulation_id',
  'session.completed': 'simulation_session_id',
  'session.cancelled': 'simulation_session_id',
};

/** Request headers as a fetch `Headers`, a plain object, or Node's `IncomingHttpHeaders`. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function headerRecord(headers: WebhookHeaders): Record<string, string> {
  const record: Record<string, string> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => {
      record[name] = value;
    });
    return record;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    // Signatures are space-separated; a header repeated on the wire is one more list of them.
    if (value !== undefined) record[name.toLowerCase()] = typeof value === 'string' ? value : value.join(' ');
  }
  return record;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toEvent(body: string): WebhookEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch (error) {
    throw new WebhookVerificationError('invalid_payload', 'the webhook body is not JSON', { cause: error });
  }
  if (!isObject(payload) || typeof payload.type !== 'string' || typeof payload.timestamp !== 'string' || !isObject(payload.data)) {
    throw new WebhookVerificationError('invalid_payload', 'the webhook body is not an event ({type, timestamp, data})', { payload });
  }
  if (!Object.hasOwn(EVENT_SUBJECT, payload.type)) {
    throw new WebhookVerificationError('unknown_event_type', `unknown webhook event type ${JSON.stringify(payload.type)}`, { payload });
  }
  const subject = EVENT_SUBJECT[payload.type as WebhookEventType];
  if (typeof payload.data[subject] !== 'string') {
    throw new WebhookVerificationError('invalid_payload', `the ${payload.type} event has no data.${subject}`, { payload });
  }
  return payload as WebhookEvent;
}

/**
 * Verifies a webhook request the API sent (Standard Webhooks, with the `standardwebhooks` library)
 * and answers its event, typed by `type`. `body` must be the raw body as received: the signature is
 * over its exact bytes, so a body parsed and serialised again no longer verifies. The timestamp must
 * be within five minutes of this machine's clock; after a secret rotation `webhook-signature` holds
 * one signature per secret, and either secret verifies it.
 *
 * Throws `WebhookVerificationError` for a request to refuse, and `TypeError` for a `secret` that is
 * not the `whsec_…` the API answered (a set-up error, not a bad request).
 */
export function verifyWebhook(body: string, headers: WebhookHeaders, secret: string): WebhookEvent {
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    throw new TypeError('the webhook secret must be the endpoint\'s "whsec_…" secret', { cause: error });
  }
  try {
    webhook.verify(body, headerRecord(headers), { jsonParse: false });
  } catch (error) {
    if (error instanceof LibraryVerificationError) {
      throw new WebhookVerificationError(LIBRARY_REASONS[error.message] ?? 'invalid_signature', `webhook refused: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  return toEvent(body);
}
