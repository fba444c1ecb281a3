import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { AgentRecord, WebhookEndpointRecord } from '../storage/types.js';
import { eventId } from './events.js';

/** How long the secret before a rotation also signs (spec/README.md "Webhooks"). */
export const PREVIOUS_SECRET_MS = 24 * 60 * 60 * 1000;

/** Standard Webhooks' form: `whsec_` + base64 of 32 random bytes. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

type SignatureHeaders = { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };

/**
 * The Standard Webhooks headers of one attempt: signed with the endpoint's secret and, for 24 hours
 * after a rotation, also with the previous one (space-separated in `webhook-signature`), so that a
 * receiver still holding the old secret keeps verifying while it updates.
 */
export function signatureHeaders(
  endpoint: Pick<WebhookEndpointRecord, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>,
  eventId: string,
  at: Date,
  body: string,
): SignatureHeaders {
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

/**
 * What signs an agent's turn requests (spec/README.md "Signed agent turns"): the headers over the raw
 * body, a new `webhook-id` per turn, with the agent's secret and its previous one within 24 hours.
 * Undefined for an agent without a secret (stored before signing existed): its turns go unsigned.
 */
export function agentTurnSigner(
  agent: Pick<AgentRecord, 'signing_secret' | 'previous_signing_secret' | 'previous_signing_secret_expires_at'>,
): ((body: string) => SignatureHeaders) | undefined {
  const secret = agent.signing_secret;
  if (!secret) return undefined;
  const secrets = {
    secret,
    previous_secret: agent.previous_signing_secret,
    previous_secret_expires_at: agent.previous_signing_secret_expires_at,
  };
  return (body) => signatureHeaders(secrets, eventId(), new Date(), body);
}
