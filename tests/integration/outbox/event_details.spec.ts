import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { MessageStore } from '#messaging/outbox/message_store'
import { claimedSms } from '#tests/helpers/messages'
import { emptyQueues } from '#tests/helpers/queues'

/** What a vendor's reply may hold and PostgreSQL refuses: a NUL and a lone surrogate */
const HOSTILE = 'vendor\u0000said \ud83d'
const STORED = 'vendor\uFFFDsaid \uFFFD'

test.group('Event details: a value PostgreSQL refuses never fails the write', (group) => {
  group.each.setup(() => emptyQueues())

  test('a NUL or a lone surrogate in a reason, a detail or a detail key is stored replaced', async ({
    client,
    assert,
  }) => {
    const store = await app.container.make(MessageStore)
    const { id, claimed } = await claimedSms(client, store, '+14155550105')
    const event = {
      gateway: 'log',
      reason: HOSTILE,
      details: { message: HOSTILE, nested: [{ [HOSTILE]: HOSTILE }] },
    }

    await store.note(id, { type: DeliveryEventType.Failover, ...event })
    const requeued = await store.requeue(claimed, new Date(), null, {
      type: DeliveryEventType.Retrying,
      ...event,
    })

    assert.isNotNull(requeued, 'the state change went through with its event')
    const row = await db.from('messages').where('id', id).firstOrFail()
    assert.equal(row.status, 'queued')
    const events = await db
      .from('delivery_events')
      .where('message_id', id)
      .whereIn('type', ['failover', 'retrying'])
    assert.lengthOf(events, 2)
    for (const stored of events) {
      assert.equal(stored.reason, STORED)
      assert.deepEqual(stored.details, { message: STORED, nested: [{ [STORED]: STORED }] })
    }
  })
})
