import { randomUUID } from 'node:crypto';
import { ApiError, invalid } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import type { WebhookEndpointRecord } from '../storage/types.js';
import { webhookDeliveryView, webhookEndpointView } from '../views.js';
import { EVENT_TYPES } from '../webhooks/events.js';
import { newSecret, PREVIOUS_SECRET_MS } from '../webhooks/sign.js';
import { type Deps, found, now, ok, pageOf, paging } from './common.js';

type WebhookHandlers = Pick<
  Handlers,
  | 'createWebhookEndpoint'
  | 'listWebhookEndpoints'
  | 'getWebhookEndpoint'
  | 'updateWebhookEndpoint'
  | 'deleteWebhookEndpoint'
  | 'rotateWebhookEndpointSecret'
  | 'listWebhookDeliveries'
  | 'redeliverWebhookDelivery'
>;

const DISABLED_BY_UPDATE = 'Disabled by updateWebhookEndpoint.';

/**
 * Webhook endpoints and their delivery logs (issue 13; spec/README.md "Webhooks"). The secret is
 * answered by create and rotate only (`WebhookEndpointSecretOut`); every read goes through
 * `webhookEndpointView`, which leaves it out. Deliveries are written by the storages' outbox and sent
 * by the dispatcher; here they are only read and made due again.
 */
export function webhookHandlers(deps: Deps): WebhookHandlers {
  const { storage } = deps;
  /** The outbound URL guard of agents' connectors (the engine's policy), answered `422` on `/url`. */
  const checkUrl = (url: string | null | undefined) => {
    if (url === undefined || url === null) return;
    const refused = deps.engine.checkConnector({ kind: 'http', url });
    if (refused) throw invalid('body', '/url', refused.message);
  };
  const endpointOr404 = async (workspace_id: string, id: string) =>
    found(await storage.webhooks.get(workspace_id, id), 'Webhook endpoint', id);

  return {
    async createWebhookEndpoint({ workspace_id, body }) {
      checkUrl(body.url);
      const at = now();
      const endpoint: WebhookEndpointRecord = {
        id: randomUUID(),
        workspace_id,
        url: body.url,
        event_types: body.event_types ?? [...EVENT_TYPES],
        description: body.description ?? null,
        enabled: true,
        disabled_reason: null,
        secret: newSecret(),
        previous_secret: null,
        previous_secret_expires_at: null,
        failing_since: null,
        created_at: at,
        updated_at: at,
      };
      await storage.webhooks.create(endpoint);
      return ok({ endpoint: webhookEndpointView(endpoint), secret: endpoint.secret });
    },

    async listWebhookEndpoints({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.webhooks.list(workspace_id, page);
      return ok(pageOf(items.map(webhookEndpointView), total, page));
    },

    async getWebhookEndpoint({ workspace_id, params }) {
      return ok(webhookEndpointView(await endpointOr404(workspace_id, params.endpoint_id)));
    },

    async updateWebhookEndpoint({ workspace_id, params, body }) {
      const id = params.endpoint_id;
      await endpointOr404(workspace_id, id);
      checkUrl(body.url);
      const patch: Partial<WebhookEndpointRecord> = { updated_at: now() };
      if (body.url != null) patch.url = body.url;
      if (body.event_types != null) patch.event_types = body.event_types;
      // `null` keeps the description, as every field of this update (the schema says so).
      if (body.description != null) patch.description = body.description;
      if (body.enabled === true) Object.assign(patch, { enabled: true, disabled_reason: null, failing_since: null });
      if (body.enabled === false) Object.assign(patch, { enabled: false, disabled_reason: DISABLED_BY_UPDATE });
      return ok(webhookEndpointView(found(await storage.webhooks.update(workspace_id, id, patch), 'Webhook endpoint', id)));
    },

    async deleteWebhookEndpoint({ workspace_id, params }) {
      found((await storage.webhooks.delete(workspace_id, params.endpoint_id)) || undefined, 'Webhook endpoint', params.endpoint_id);
      return { status: 204 };
    },

    async rotateWebhookEndpointSecret({ workspace_id, params }) {
      const id = params.endpoint_id;
      const endpoint = await endpointOr404(workspace_id, id);
      const at = now();
      const secret = newSecret();
      const rotated = await storage.webhooks.update(workspace_id, id, {
        secret,
        previous_secret: endpoint.secret,
        previous_secret_expires_at: new Date(Date.parse(at) + PREVIOUS_SECRET_MS).toISOString(),
        updated_at: at,
      });
      return ok({ endpoint: webhookEndpointView(found(rotated, 'Webhook endpoint', id)), secret });
    },

    async listWebhookDeliveries({ workspace_id, params, query }) {
      await endpointOr404(workspace_id, params.endpoint_id);
      const page = paging(query);
      const { items, total } = await storage.webhooks.deliveries(workspace_id, params.endpoint_id, { status: query.status }, page);
      return ok(pageOf(items.map(webhookDeliveryView), total, page));
    },

    async redeliverWebhookDelivery({ workspace_id, params }) {
      const endpoint = await endpointOr404(workspace_id, params.endpoint_id);
      if (!endpoint.enabled) {
        throw new ApiError('conflict', `Webhook endpoint ${endpoint.id} is disabled: enable it with updateWebhookEndpoint to redeliver.`);
      }
      const delivery = await storage.webhooks.redeliver(workspace_id, endpoint.id, params.delivery_id, now());
      return ok(webhookDeliveryView(found(delivery, 'Webhook delivery', params.delivery_id)));
    },
  };
}
