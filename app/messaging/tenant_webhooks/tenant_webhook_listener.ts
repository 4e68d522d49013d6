import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
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
import { TurnBatch } from '#messaging/turn_batch'

interface Subscription {
  id: string
  tenant_id: string
  event_types: TenantWebhookEventType[]
}

/**
 * The enabled endpoints of the tenants whose events came in the same turn of
 * the event loop: a storm of provider callbacks reads them once per turn, not
 * once per event, and a new or changed endpoint counts from the next event.
 */
const subscriptions = new TurnBatch<string, Subscription[]>(async (tenantIds) => {
  const rows: Subscription[] = await db
    .from('webhook_endpoints')
    .select('id', 'tenant_id', 'event_types')
    .whereIn('tenant_id', [...new Set(tenantIds)])
    .where('enabled', true)
  return tenantIds.map((tenantId) => rows.filter((row) => row.tenant_id === tenantId))
})

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
    const subscribed = await subscriptions.add(data.tenantId)
    const endpoints = subscribed.filter((endpoint) => endpoint.event_types.includes(type))
    if (endpoints.length === 0) return
    const event = tenantWebhookEvent(type, data)
    await this.queue.enqueue(endpoints.map((endpoint) => ({ endpointId: endpoint.id, event })))
  }
}
