/**
 * The events a tenant's webhook endpoint may subscribe to, one per domain
 * event of a message's life after it was sent (start/events.ts).
 */
export enum TenantWebhookEventType {
  Delivered = 'message.delivered',
  Opened = 'message.opened',
  Clicked = 'message.clicked',
  Bounced = 'message.bounced',
  Complained = 'message.complained',
  Failed = 'message.failed',
}

export const TENANT_WEBHOOK_EVENT_TYPES = Object.values(TenantWebhookEventType)

/** Sent only by POST /api/v1/webhooks/:id/test, whatever the endpoint subscribed to */
export const TEST_EVENT_TYPE = 'test'
