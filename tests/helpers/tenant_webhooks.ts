import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { TenantWebhookQueue } from '#messaging/tenant_webhooks/tenant_webhook_queue'
import type { TenantWebhookPayload } from '#messaging/tenant_webhooks/tenant_webhook_queue'

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
  const tracker = await app.container.make(DeliveryTracker)
  return tracker.apply({
    source: 'postal',
    providerConfigId: null,
    tenantId,
    providerEventId: randomUUID(),
    providerMessageId: null,
    messageId,
    type: DeliveryEventType.Delivered,
    occurredAt: new Date(),
    reason: null,
    code: null,
    recipient: null,
    details: {},
    payload: {},
  })
}

export function tenantWebhookQueue() {
  return new TenantWebhookQueue().queue()
}

/** The payloads of the jobs waiting on the tenant-webhooks queue for these endpoints. */
export async function queuedDeliveries(endpointIds: string[]) {
  const jobs = await tenantWebhookQueue().getJobs(['waiting', 'delayed', 'prioritized'])
  return jobs
    .map((job) => job.data as TenantWebhookPayload)
    .filter((payload) => endpointIds.includes(payload.endpointId))
}
