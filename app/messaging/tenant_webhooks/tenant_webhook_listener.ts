import { inject } from '@adonisjs/core'
import WebhookEndpoint from '#models/webhook_endpoint'
import { TenantWebhookEventType } from '#enums/tenant_webhook_event_type'
import type {
  MessageBounced,
  MessageClicked,
  MessageComplained,
  MessageDelivered,
  MessageEventBase,
  MessageFailed,
  MessageOpened,
} from '#messaging/tracking/message_events'
import { tenantWebhookEvent } from '#messaging/tenant_webhooks/tenant_webhook_event'
import { TenantWebhookQueue } from '#messaging/tenant_webhooks/tenant_webhook_queue'

/**
 * Hands each domain event to the tenant's subscribed endpoints. It runs in
 * the process that emitted the event (the API, for provider webhooks), so it
 * only enqueues: the POSTs happen in the webhooks worker.
 */
@inject()
export default class TenantWebhookListener {
  constructor(private queue: TenantWebhookQueue) {}

  delivered(event: MessageDelivered) {
    return this.#publish(TenantWebhookEventType.Delivered, event)
  }

  opened(event: MessageOpened) {
    return this.#publish(TenantWebhookEventType.Opened, event)
  }

  clicked(event: MessageClicked) {
    return this.#publish(TenantWebhookEventType.Clicked, event)
  }

  bounced(event: MessageBounced) {
    return this.#publish(TenantWebhookEventType.Bounced, event)
  }

  complained(event: MessageComplained) {
    return this.#publish(TenantWebhookEventType.Complained, event)
  }

  failed(event: MessageFailed) {
    return this.#publish(TenantWebhookEventType.Failed, event)
  }

  async #publish(type: TenantWebhookEventType, data: MessageEventBase) {
    const endpoints = await WebhookEndpoint.query()
      .select('id')
      .where('tenant_id', data.tenantId)
      .where('enabled', true)
      .whereRaw('event_types @> ?::jsonb', [JSON.stringify([type])])
    if (endpoints.length === 0) return
    const event = tenantWebhookEvent(type, data)
    await this.queue.enqueue(endpoints.map((endpoint) => ({ endpointId: endpoint.id, event })))
  }
}
