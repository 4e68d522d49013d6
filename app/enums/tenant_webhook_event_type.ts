/**
 * The events a tenant's webhook endpoint may subscribe to: each is a kind of
 * delivery_events row (the trigger of migration 0017 maps the row types).
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
