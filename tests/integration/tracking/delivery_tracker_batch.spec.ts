import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { GatewayType } from '#enums/gateway_type'
import { SendNotYetRecordedException } from '#exceptions/webhook_exceptions'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  createProviderConfig,
  createSentMessage,
  messageRow,
  providerEventsOf,
  statusOf,
} from '#tests/helpers/webhooks'

/**
 * The tracker applies the callbacks that arrive together in one transaction.
 * These calls are made in one turn of the event loop, so they share a batch.
 */
test.group('Delivery tracker: callbacks that arrive together', (group) => {
  let tracker: DeliveryTracker
  let sender: TestTenant
  let configId: string

  group.setup(async () => {
    tracker = await app.container.make(DeliveryTracker)
    sender = await createTenant('Tracker batches')
    const config = await createProviderConfig(GatewayType.Postal, Channel.Email, {}, null)
    configId = config.id
  })

  async function sentEmail(client: ApiClient, recipient: string) {
    const providerMessageId = `${randomUUID()}@rp.postal.test`
    const id = await createSentMessage(
      client,
      sender.headers,
      { channel: 'email', recipient, subject: 'Hi', content: { text: 'Hi' } },
      { providerConfigId: configId, gateway: 'postal', providerMessageId }
    )
    return { id, providerMessageId }
  }

  /** An email a worker holds while its provider answers: sending, no account recorded yet */
  async function sendingEmail(client: ApiClient) {
    const created = await client
      .post('/api/v1/messages')
      .headers(sender.headers)
      .json({
        channel: 'email',
        recipient: `sending-${randomUUID()}@example.com`,
        subject: 'Hi',
        content: { text: 'Hi' },
      })
    created.assertStatus(201)
    const id: string = created.body().id
    await db.from('messages').where('id', id).update({ status: 'sending' })
    return id
  }

  /** The transaction that wrote each of these provider events (PostgreSQL's xmin of its row) */
  async function writersOf(events: ProviderEvent[]) {
    const rows = await db
      .from('delivery_events')
      .whereIn(
        'provider_event_id',
        events.map((logged) => logged.providerEventId)
      )
      .select(db.raw('xmin::text as writer'))
    return rows.map((row) => row.writer as string)
  }

  function event(type: DeliveryEventType, fields: Partial<ProviderEvent>): ProviderEvent {
    return {
      source: 'postal',
      providerConfigId: configId,
      tenantId: null,
      providerEventId: randomUUID(),
      providerMessageId: null,
      messageId: null,
      type,
      occurredAt: new Date(),
      reason: null,
      code: null,
      recipient: null,
      details: {},
      payload: { type },
      ...fields,
    }
  }

  test('delivered, a copy of it and a bounce of one message apply in order', async ({
    client,
    assert,
  }) => {
    const { id } = await sentEmail(client, `batch-${randomUUID()}@example.com`)
    const delivered = event(DeliveryEventType.Delivered, { messageId: id })
    const bounced = event(DeliveryEventType.Bounced, { messageId: id, reason: 'mailbox gone' })

    const results = await Promise.all([
      tracker.apply(delivered),
      tracker.apply({ ...delivered }),
      tracker.apply(bounced),
    ])

    assert.deepEqual(
      results.map((result) => result.outcome),
      ['applied', 'duplicate', 'applied']
    )
    assert.equal(results[0].outcome === 'applied' && results[0].status, 'delivered')
    assert.equal(results[2].outcome === 'applied' && results[2].suppressed, 'hard_bounce')
    const row = await messageRow(id)
    assert.equal(row.status, 'failed')
    assert.isNotNull(row.delivered_at)
    assert.isNotNull(row.failed_at)
    assert.equal(row.last_error, 'mailbox gone')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((logged) => logged.type),
      ['delivered', 'bounced']
    )
  })

  test('events matched by our id, by the provider id, and an orphan, in one batch', async ({
    client,
    assert,
  }) => {
    const byId = await sentEmail(client, `by-id-${randomUUID()}@example.com`)
    const byProviderId = await sentEmail(client, `by-provider-${randomUUID()}@example.com`)
    const unknownProviderId = `${randomUUID()}@rp.postal.test`

    const results = await Promise.all([
      tracker.apply(event(DeliveryEventType.Delivered, { messageId: byId.id })),
      tracker.apply(
        event(DeliveryEventType.Opened, { providerMessageId: byProviderId.providerMessageId })
      ),
      tracker.apply(event(DeliveryEventType.Delivered, { providerMessageId: unknownProviderId })),
    ])

    assert.deepEqual(
      results.map((result) => result.outcome),
      ['applied', 'applied', 'orphan']
    )
    assert.equal(await statusOf(byId.id), 'delivered')
    const opened = await messageRow(byProviderId.id)
    assert.equal(opened.status, 'delivered')
    assert.isNotNull(opened.opened_at)
    const orphan = await db
      .from('delivery_events')
      .where('provider_message_id', unknownProviderId)
      .firstOrFail()
    assert.isNull(orphan.message_id)
  })

  test('an event of another tenant’s account does not touch this tenant’s message', async ({
    client,
    assert,
  }) => {
    const other = await createTenant('Tracker batches, another tenant')
    const { id, providerMessageId } = await sentEmail(client, `scoped-${randomUUID()}@example.com`)

    const [result] = await Promise.all([
      tracker.apply(
        event(DeliveryEventType.Delivered, {
          messageId: id,
          providerMessageId,
          tenantId: other.tenant.id,
        })
      ),
    ])

    assert.equal(result.outcome, 'orphan')
    assert.equal(await statusOf(id), 'sent')
  })

  test('a system account’s event about a send not yet recorded waits alone; the rest of its batch commits together', async ({
    client,
    assert,
  }) => {
    const first = await sentEmail(client, `together-${randomUUID()}@example.com`)
    const second = await sentEmail(client, `together-${randomUUID()}@example.com`)
    const sending = await sendingEmail(client)
    const others = [
      event(DeliveryEventType.Delivered, { messageId: first.id }),
      event(DeliveryEventType.Delivered, { messageId: second.id }),
    ]
    const early = event(DeliveryEventType.Delivered, { messageId: sending })

    const outcomes = await Promise.allSettled([
      tracker.apply(others[0]),
      tracker.apply(early),
      tracker.apply(others[1]),
    ])

    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled']
    )
    assert.instanceOf(
      outcomes[1].status === 'rejected' && outcomes[1].reason,
      SendNotYetRecordedException
    )
    assert.equal(await statusOf(first.id), 'delivered')
    assert.equal(await statusOf(second.id), 'delivered')
    const writers = await writersOf(others)
    assert.lengthOf(writers, 2)
    assert.equal(writers[0], writers[1], 'both written by the batch’s one transaction')
    assert.equal(await statusOf(sending), 'sending')
    assert.lengthOf(await writersOf([early]), 0, 'the early event is written nowhere')
  })

  test('an event PostgreSQL refuses fails alone; the rest of its batch is applied', async ({
    client,
    assert,
  }) => {
    const first = await sentEmail(client, `good-${randomUUID()}@example.com`)
    const second = await sentEmail(client, `good-${randomUUID()}@example.com`)
    // jsonb cannot hold a NUL character
    const refused = event(DeliveryEventType.Delivered, { payload: { text: 'nul \u0000 here' } })

    const outcomes = await Promise.allSettled([
      tracker.apply(event(DeliveryEventType.Delivered, { messageId: first.id })),
      tracker.apply(refused),
      tracker.apply(event(DeliveryEventType.Delivered, { messageId: second.id })),
    ])

    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled']
    )
    assert.equal(await statusOf(first.id), 'delivered')
    assert.equal(await statusOf(second.id), 'delivered')
    const stored = await db
      .from('delivery_events')
      .where('provider_event_id', refused.providerEventId)
      .count('* as total')
      .firstOrFail()
    assert.equal(Number(stored.total), 0)
  })
})
