import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { DeliveryEventType } from '#enums/delivery_event_type'
import {
  TenantWebhookQueue,
  type QueuedDelivery,
} from '#messaging/tenant_webhooks/tenant_webhook_queue'
import { WebhookOutboxRelay } from '#messaging/tenant_webhooks/webhook_outbox_relay'
import { createTenant } from '#tests/helpers/tenants'
import {
  createSentSms,
  outboxRows,
  queuedDeliveries,
  registerEndpoint,
  relayOutbox,
  reportDelivered,
  reportEvent,
  tenantWebhookQueue,
  tenantWebhookRetry,
} from '#tests/helpers/tenant_webhooks'

// Loopback is allowed in tests (EGRESS_ALLOW in .env.test); nothing here is ever POSTed to
const receiver = 'http://127.0.0.1:9/switchboard'

/** A relay that dies right after its jobs reached Redis, before it could record the hand-over */
class CrashAfterEnqueue extends TenantWebhookQueue {
  async enqueue(deliveries: QueuedDelivery[]) {
    await super.enqueue(deliveries)
    throw new Error('killed after the enqueue')
  }
}

/** A fresh tenant with one endpoint subscribed to `eventTypes`, and an SMS of its recorded sent */
async function endpointAndSentSms(client: ApiClient, eventTypes: string[]) {
  const { tenant, headers } = await createTenant()
  const endpoint = await registerEndpoint(client, headers, { url: receiver, eventTypes })
  const messageId = await createSentSms(client, headers)
  return { tenant, endpoint, messageId }
}

test.group('Tenant webhooks: delivery events fan out to subscribed endpoints', (group) => {
  group.each.setup(async () => {
    await tenantWebhookQueue().obliterate({ force: true })
  })

  test('a delivered message is recorded for each endpoint subscribed to it, disabled or not, in its own transaction', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const other = await createTenant('Other')
    const subscribed = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.delivered', 'message.failed'],
    })
    const alsoSubscribed = await registerEndpoint(client, headers, {
      url: `${receiver}/2`,
      eventTypes: ['message.delivered'],
    })
    const notSubscribed = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.bounced'],
    })
    const disabled = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.delivered'],
    })
    await db.from('webhook_endpoints').where('id', disabled.id).update({ enabled: false })
    const othersEndpoint = await registerEndpoint(client, other.headers, {
      url: receiver,
      eventTypes: ['message.delivered'],
    })
    const endpointIds = [
      subscribed.id,
      alsoSubscribed.id,
      notSubscribed.id,
      disabled.id,
      othersEndpoint.id,
    ]
    const messageId = await createSentSms(client, headers)

    const applied = await reportDelivered(messageId, tenant.id)
    assert.equal(applied.outcome, 'applied')
    const deliveryEventId = applied.outcome === 'applied' ? applied.deliveryEventId : 0

    // Recorded with the event, before anything reached Redis; the disabled endpoint's for a replay
    const recorded = await outboxRows(endpointIds)
    assert.sameMembers(
      recorded.map((row) => row.endpoint_id),
      [subscribed.id, alsoSubscribed.id, disabled.id]
    )
    assert.isTrue(recorded.every((row) => Number(row.delivery_event_id) === deliveryEventId))
    assert.lengthOf(await queuedDeliveries(endpointIds), 0)

    assert.equal(await relayOutbox(), 3)

    const queued = await queuedDeliveries(endpointIds)
    assert.sameMembers(
      queued.map((payload) => payload.endpointId),
      [subscribed.id, alsoSubscribed.id, disabled.id]
    )
    // The delivery event's id is the event's id, at every endpoint
    assert.deepEqual(
      queued.map((payload) => payload.event.id),
      [String(deliveryEventId), String(deliveryEventId), String(deliveryEventId)]
    )
    assert.containsSubset(queued[0].event, {
      type: 'message.delivered',
      data: {
        messageId,
        tenantId: tenant.id,
        status: 'delivered',
        source: 'postal',
        deliveryEventId,
      },
    })
    assert.lengthOf(await outboxRows(endpointIds), 0)
  })

  test('each kind of delivery event becomes its own event type; others none', async ({
    client,
    assert,
  }) => {
    const { tenant, endpoint, messageId } = await endpointAndSentSms(client, [
      'message.delivered',
      'message.opened',
      'message.clicked',
      'message.bounced',
      'message.complained',
      'message.failed',
    ])

    await reportEvent(messageId, tenant.id, DeliveryEventType.Opened)
    await reportEvent(messageId, tenant.id, DeliveryEventType.Clicked, {
      url: 'https://example.com/a',
    })
    await reportEvent(messageId, tenant.id, DeliveryEventType.Opened)
    await reportEvent(messageId, tenant.id, DeliveryEventType.SoftBounced)
    await reportEvent(messageId, tenant.id, DeliveryEventType.Complained)
    await reportEvent(messageId, tenant.id, DeliveryEventType.Failed)
    // Not an event a tenant can subscribe to
    await reportEvent(messageId, tenant.id, DeliveryEventType.Deferred)

    const recorded = await outboxRows([endpoint.id])
    assert.deepEqual(
      recorded.map((row) => row.event_type),
      [
        'message.opened',
        'message.clicked',
        'message.opened',
        'message.bounced',
        'message.complained',
        'message.failed',
      ]
    )
    await relayOutbox()
    const queued = await queuedDeliveries([endpoint.id])
    const events = queued
      .map((payload) => payload.event)
      .sort((one, other) => Number(one.id) - Number(other.id))
    assert.containsSubset(events, [
      { type: 'message.opened', data: { first: true } },
      { type: 'message.clicked', data: { first: true, url: 'https://example.com/a' } },
      { type: 'message.opened', data: { first: false } },
      { type: 'message.bounced', data: { permanent: false, recipient: '+14155550100' } },
      { type: 'message.complained', data: { recipient: '+14155550100' } },
      { type: 'message.failed', data: { channel: 'sms', gateway: 'postal', status: 'failed' } },
    ])
    assert.equal(new Set(events.map((event) => event.id)).size, events.length)
  })

  test('a relay that dies between the enqueue and the hand-over leaves the rows; the next pass queues the same jobs again, not new ones', async ({
    client,
    assert,
  }) => {
    const { tenant, endpoint, messageId } = await endpointAndSentSms(client, ['message.delivered'])
    await reportDelivered(messageId, tenant.id)
    const logger = await app.container.make('logger')

    const crashing = new WebhookOutboxRelay(new CrashAfterEnqueue(tenantWebhookRetry()), logger, {
      intervalMs: 0,
    })
    await assert.rejects(() => crashing.relay(), 'killed after the enqueue')
    assert.lengthOf(await outboxRows([endpoint.id]), 1)
    const [first] = await queuedDeliveries([endpoint.id])

    assert.equal(await relayOutbox(), 1)

    const queued = await queuedDeliveries([endpoint.id])
    assert.lengthOf(queued, 1)
    assert.deepEqual(queued[0], first)
    assert.lengthOf(await outboxRows([endpoint.id]), 0)
  })
})
