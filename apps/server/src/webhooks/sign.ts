import { Webhook } from 'standardwebhooks';
import type { DueDelivery } from '../storage/types.js';

/**
 * The Standard Webhooks headers of one attempt: signed with the endpoint's secret and, for 24 hours
 * after a rotation, also with the previous one (space-separated in `webhook-signature`), so that a
 * receiver still holding the old secret keeps verifying while it updates.
 */
export function signatureHeaders(
  endpoint: DueDelivery['endpoint'],
  eventId: string,
  at: Date,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const secrets = [endpoint.secret];
  if (endpoint.previous_secret && endpoint.previous_secret_expires_at && Date.parse(endpoint.previous_secret_expires_at) > at.getTime()) {
    secrets.push(endpoint.previous_secret);
  }
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(' '),
  };
}
