import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import type { MessagingConfig } from '#config/messaging'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { TenantWebhookQueue } from '#messaging/tenant_webhooks/tenant_webhook_queue'
import type { TenantWebhookPayload } from '#messaging/tenant_webhooks/tenant_webhook_event'
import { WebhookOutboxRelay } from '#messaging/tenant_webhooks/webhook_outbox_relay'

/** Register a webhook endpoint through the API; resolves with the create reply. */
export async function registerEndpoint(
  client: ApiClient,
  headers: Record<string, string>,
  body: Record<string, unknown>
) {
  const response = await client.post('/api/v1/webhooks').headers(headers).json(body)
  response.assertStatus(201)
  return response.body() as { id: string; secret: string; secretMask: string }
}

/** Accept an SMS through the API, then mark it sent as the worker would. */
export async function createSentSms(client: ApiClient, headers: Record<string, string>) {
  const response = await client
    .post('/api/v1/messages')
    .headers(headers)
    .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } })
  response.assertStatus(201)
  const id: string = response.body().id
  await db.from('messages').where('id', id).update({ status: 'sent', sent_at: new Date() })
  return id
}

/** A provider reports the message delivered, as a verified webhook would be applied. */
export async function reportDelivered(messageId: string, tenantId: string) {
  return reportEvent(messageId, tenantId, DeliveryEventType.Delivered)
}

/** A provider reports this about the message, as a verified webhook would be applied. */
export async function reportEvent(
  messageId: string,
  tenantId: string,
  type: DeliveryEventType,
  details: Record<string, unknown> = {}
) {
  const tracker = await app.container.make(DeliveryTracker)
  return tracker.apply({
    source: 'postal',
    providerConfigId: null,
    tenantId,
    providerEventId: randomUUID(),
    providerMessageId: null,
    messageId,
    type,
    occurredAt: new Date(),
    reason: null,
    code: null,
    recipient: null,
    details,
    payload: {},
  })
}

/** The webhook_outbox rows waiting for these endpoints, oldest first. */
export async function outboxRows(endpointIds: string[]) {
  return db.from('webhook_outbox').whereIn('endpoint_id', endpointIds).orderBy('id')
}

/** One pass of the webhooks worker's outbox relay, in this process. */
export async function relayOutbox() {
  const logger = await app.container.make('logger')
  const queue = await app.container.make(TenantWebhookQueue)
  return new WebhookOutboxRelay(queue, logger, { intervalMs: 0 }).relay()
}

/** The configured retry settings, for a test's own TenantWebhookQueue subclass */
export function tenantWebhookRetry() {
  return app.config.get<MessagingConfig>('messaging').tenantWebhooks
}

export function tenantWebhookQueue() {
  return new TenantWebhookQueue(tenantWebhookRetry()).queue()
}

/** The payloads of the jobs waiting on the tenant-webhooks queue for these endpoints. */
export async function queuedDeliveries(endpointIds: string[]) {
  const jobs = await tenantWebhookQueue().getJobs(['waiting', 'delayed', 'prioritized'])
  return jobs
    .map((job) => job.data as TenantWebhookPayload)
    .filter((payload) => endpointIds.includes(payload.endpointId))
}
