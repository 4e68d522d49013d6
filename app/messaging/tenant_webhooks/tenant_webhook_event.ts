import { randomUUID } from 'node:crypto'
import type { TenantWebhookEventType, TEST_EVENT_TYPE } from '#enums/tenant_webhook_event_type'

/**
 * The JSON body a tenant's endpoint receives. `id` is the same on every
 * attempt (and sent as Idempotency-Key) so a receiver can drop repeats.
 */
export interface TenantWebhookEvent {
  id: string
  type: TenantWebhookEventType | typeof TEST_EVENT_TYPE
  createdAt: string
  data: Record<string, unknown>
}

export function tenantWebhookEvent(
  type: TenantWebhookEvent['type'],
  data: object
): TenantWebhookEvent {
  // Dates become ISO strings here, once: the body must be the same bytes on every attempt
  return {
    id: randomUUID(),
    type,
    createdAt: new Date().toISOString(),
    data: JSON.parse(JSON.stringify(data)),
  }
}
