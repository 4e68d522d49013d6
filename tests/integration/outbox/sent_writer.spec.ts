import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { MessageStore } from '#messaging/outbox/message_store'
import { createTenant } from '#tests/helpers/tenants'
import { messageIdsOf } from '#tests/helpers/database'
import { claimedSms } from '#tests/helpers/messages'
import { emptyQueues } from '#tests/helpers/queues'

/** A provider message id PostgreSQL text cannot hold */
const POISONED_ID = 'poisoned\u0000id'

/**
 * Refused for its NUL, and long: its escaped form (a quote, then the id) has
 * half of the emoji's surrogate pair as its 200th code unit, where a cut by
 * code units leaves a lone surrogate that jsonb refuses as well.
 */
const POISONED_LONG_ID = `${'x'.repeat(198)}\u{1F600}\u0000${'y'.repeat(50)}`

test.group('SentWriter: one refused value fails no other send', (group) => {
  group.each.setup(() => emptyQueues())

  test('a poisoned provider id in a batch: the others are recorded as they are, it is recorded sent without its id', async ({
    client,
    assert,
  }) => {
    const store = await app.container.make(MessageStore)
    const { headers, tenant } = await createTenant()
    const accepted = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({
        channel: 'sms',
        priority: 'P2',
        content: { text: 'x' },
        recipients: ['+14155550101', '+14155550102', '+14155550103'].map((recipient) => ({
          recipient,
        })),
      })
    accepted.assertStatus(201)
    const ids = await messageIdsOf(tenant.id)
    const claimed = await Promise.all(ids.map((id) => store.claim(id, 60)))
    const providerIds = ['healthy-1', POISONED_ID, 'healthy-2']

    // Reported in one turn of the event loop: one batch
    const written = await Promise.all(
      claimed.map((message, index) =>
        store.markSent(
          message!,
          { gateway: 'log', providerConfigId: null, providerMessageId: providerIds[index] },
          {
            type: DeliveryEventType.Sent,
            gateway: 'log',
            details: { providerMessageId: providerIds[index] },
          }
        )
      )
    )

    assert.lengthOf(
      written.filter((message) => message !== null),
      3
    )
    for (const [index, id] of ids.entries()) {
      const row = await db.from('messages').where('id', id).firstOrFail()
      const sent = await db.from('delivery_events').where('message_id', id).where('type', 'sent')
      assert.equal(row.status, 'sent')
      assert.lengthOf(sent, 1)
      if (providerIds[index] === POISONED_ID) {
        assert.isNull(row.provider_message_id)
        assert.isNull(sent[0].details.providerMessageId)
        assert.equal(sent[0].details.providerMessageIdRefused.value, JSON.stringify(POISONED_ID))
      } else {
        assert.equal(row.provider_message_id, providerIds[index])
        assert.equal(sent[0].details.providerMessageId, providerIds[index])
      }
    }
  })

  test('a long poisoned provider id, its cut escaped excerpt splitting a surrogate pair: recorded sent once', async ({
    client,
    assert,
  }) => {
    const store = await app.container.make(MessageStore)
    const { id, claimed } = await claimedSms(client, store, '+14155550104')

    const written = await store.markSent(
      claimed,
      { gateway: 'log', providerConfigId: null, providerMessageId: POISONED_LONG_ID },
      {
        type: DeliveryEventType.Sent,
        gateway: 'log',
        details: { providerMessageId: POISONED_LONG_ID },
      }
    )

    assert.isNotNull(written)
    const row = await db.from('messages').where('id', id).firstOrFail()
    const sent = await db.from('delivery_events').where('message_id', id).where('type', 'sent')
    assert.equal(row.status, 'sent')
    assert.isNull(row.provider_message_id)
    assert.isNull(row.lease_token)
    assert.lengthOf(sent, 1)
    // The quote, the x's and the whole emoji: 200 code points, no half pair
    assert.equal(sent[0].details.providerMessageIdRefused.value, `"${'x'.repeat(198)}\u{1F600}`)
  })
})
