import { describe, expectTypeOf, it } from 'vitest';
import {
  createSimulationsClient,
  verifyWebhook,
  type WebhookVerificationError,
  type ListItem,
  type Schemas,
  type WebhookEvent,
  type WebhookVerificationReason,
} from '../../src/index.js';

// Checked by tsc like client.test-d.ts: the event union narrows on `type` to each event's payload.

const client = createSimulationsClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:4010' });

describe('verifyWebhook', () => {
  it('answers the spec union of events, narrowed by type to each payload', () => {
    const event = verifyWebhook('{}', new Headers(), 'whsec_x');
    expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
    expectTypeOf(event.type).toEqualTypeOf<'simulation.completed' | 'simulation.failed' | 'session.completed' | 'session.cancelled'>();
    switch (event.type) {
      case 'simulation.completed':
      case 'simulation.failed':
        expectTypeOf(event.data).toEqualTypeOf<Schemas['WebhookSimulationData']>();
        expectTypeOf(event.data.success).toEqualTypeOf<boolean | null>();
        // @ts-expect-error: a simulation event carries no session counters
        void event.data.pass_rate;
        break;
      case 'session.completed':
      case 'session.cancelled':
        expectTypeOf(event.data).toEqualTypeOf<Schemas['WebhookSessionData']>();
        expectTypeOf(event.data.pass_rate).toEqualTypeOf<number | null>();
        // @ts-expect-error: a session event carries no simulation id
        void event.data.simulation_id;
        break;
      default:
        expectTypeOf(event).toBeNever();
    }
    // @ts-expect-error: not an event type of the spec
    if (event.type === 'simulation.started') void event;
  });

  it('takes a fetch Headers, a plain object or Node-style headers, and the secret as a string', () => {
    verifyWebhook('{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' }, 'whsec_x');
    verifyWebhook('{}', { 'webhook-id': 'msg_1', 'x-forwarded-for': ['a', 'b'], host: undefined }, 'whsec_x');
    // @ts-expect-error: the body is the raw text, not a parsed object
    verifyWebhook({ type: 'session.completed' }, new Headers(), 'whsec_x');
    // @ts-expect-error: the secret is required
    verifyWebhook('{}', new Headers());
  });

  it('throws a typed error with the reason', () => {
    expectTypeOf<WebhookVerificationError['reason']>().toEqualTypeOf<WebhookVerificationReason>();
    expectTypeOf<WebhookVerificationError>().toMatchTypeOf<Error>();
    const reason: WebhookVerificationReason = 'timestamp_too_old';
    // @ts-expect-error: not a reason
    const wrong: WebhookVerificationReason = 'expired';
    void [reason, wrong];
  });
});

describe('webhook endpoints through the client', () => {
  it('pages endpoints and deliveries, with the status filter', () => {
    expectTypeOf<ListItem<'/webhook_endpoints'>>().toEqualTypeOf<Schemas['WebhookEndpointReadOut']>();
    expectTypeOf<ListItem<'/webhook_endpoints/{endpoint_id}/deliveries'>>().toEqualTypeOf<Schemas['WebhookDelivery']>();
    client.paginate('/webhook_endpoints/{endpoint_id}/deliveries', { path: { endpoint_id: 'e' }, query: { status: 'failed' } });
  });

  it('refuses an event type the spec does not have', () => {
    void client.POST('/webhook_endpoints', { body: { url: 'https://hooks.example.org', event_types: ['session.completed'] } });
    // @ts-expect-error: not an event type
    void client.POST('/webhook_endpoints', { body: { url: 'https://hooks.example.org', event_types: ['session.started'] } });
  });
});
