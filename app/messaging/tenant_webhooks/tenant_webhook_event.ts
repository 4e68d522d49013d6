import { randomUUID } from 'node:crypto'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { TenantWebhookEventType, type TEST_EVENT_TYPE } from '#enums/tenant_webhook_event_type'

/**
 * The JSON body a tenant's endpoint receives. `id` is the same on every
 * attempt and every replay (sent as X-Switchboard-Event-Id and
 * Idempotency-Key) so a receiver can drop repeats: for a message event it is
 * the id of the delivery event it reports.
 */
export interface TenantWebhookEvent {
  id: string
  type: TenantWebhookEventType | typeof TEST_EVENT_TYPE
  createdAt: string
  data: Record<string, unknown>
}

/** One event for one endpoint: what a tenant-webhooks job carries */
export interface TenantWebhookPayload {
  endpointId: string
  event: TenantWebhookEvent
}

/** A delivery_events row with what the event needs of its message, as the outbox relay reads it. */
export interface RecordedDeliveryEvent {
  id: string | number
  type: string
  messageId: string
  tenantId: string
  source: string
  gateway: string | null
  reason: string | null
  details: Record<string, unknown> | null
  occurredAt: Date
  createdAt: Date
  /** The message's status when the event is handed out */
  status: string
  channel: string
  recipient: string
  /** A test key's message */
  test: boolean
  /** For an open or a click: the message's first one */
  first: boolean | null
}

/** The `test` event of POST /api/v1/webhooks/:id/test: not a delivery event, so an id of its own. */
export function testWebhookEvent(type: typeof TEST_EVENT_TYPE, data: object): TenantWebhookEvent {
  return {
    id: randomUUID(),
    type,
    createdAt: new Date().toISOString(),
    data: JSON.parse(JSON.stringify(data)),
  }
}

/**
 * The event a tenant receives for one delivery event. Built from the row, so
 * the same delivery event always yields the same id, type and facts.
 */
export function tenantWebhookEvent(
  type: TenantWebhookEventType,
  recorded: RecordedDeliveryEvent
): TenantWebhookEvent {
  const details = recorded.details ?? {}
  const base = {
    messageId: recorded.messageId,
    tenantId: recorded.tenantId,
    occurredAt: recorded.occurredAt.toISOString(),
    deliveryEventId: Number(recorded.id),
    source: recorded.source,
    status: recorded.status,
    test: recorded.test,
  }
  const recipient = typeof details.recipient === 'string' ? details.recipient : recorded.recipient
  return {
    id: String(recorded.id),
    type,
    createdAt: recorded.createdAt.toISOString(),
    data: { ...base, ...factsOf(type, recorded, details, recipient) },
  }
}

function factsOf(
  type: TenantWebhookEventType,
  recorded: RecordedDeliveryEvent,
  details: Record<string, unknown>,
  recipient: string
) {
  switch (type) {
    case TenantWebhookEventType.Delivered:
      return {}
    case TenantWebhookEventType.Opened:
      return { first: recorded.first ?? false }
    case TenantWebhookEventType.Clicked:
      return {
        first: recorded.first ?? false,
        url: typeof details.url === 'string' ? details.url : null,
      }
    case TenantWebhookEventType.Bounced:
      return {
        permanent: recorded.type === DeliveryEventType.Bounced,
        recipient,
        reason: recorded.reason,
      }
    case TenantWebhookEventType.Complained:
      return { recipient }
    case TenantWebhookEventType.Failed:
      return {
        channel: recorded.channel,
        // Our own failures name the gateway; a provider's report names its source
        gateway: recorded.gateway ?? (recorded.source === 'internal' ? null : recorded.source),
        reason: recorded.reason,
        code: typeof details.code === 'string' ? details.code : null,
      }
  }
}
