import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { MessageStore, type ClaimedMessage } from '#messaging/outbox/message_store'
import { LeaseKeeper, LeaseLostError } from '#messaging/outbox/lease_keeper'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { POSTAL_MAGIC_RECIPIENTS } from '#sandbox/fakes/postal_fake_server'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { sweep } from '#tests/helpers/sweeper'
import { waitUntil } from '#tests/helpers/wait'

const sms = { channel: 'sms', priority: 'P2', recipient: '+14155550100', content: { text: 'x' } }
const SENT = { gateway: 'log', providerConfigId: null, providerMessageId: 'provider-1' }

async function acceptedSms(client: ApiClient) {
  const { headers } = await createTenant()
  const created = await client.post('/api/v1/messages').headers(headers).json(sms)
  created.assertStatus(201)
  return created.body().id as string
}

/** The message as the attempt's writes would change it, and its event log */
async function snapshot(id: string) {
  const row = await db
    .from('messages')
    .where('id', id)
    .select('status', 'attempts', 'locked_until', 'lease_token', 'provider_message_id')
    .firstOrFail()
  const events = await db.from('delivery_events').where('message_id', id).select('type')
  return { ...row, events: events.map((event) => event.type) }
}

/** The lease ran out (its worker stalled or died): the next claim may take the message over */
async function expireLease(id: string) {
  await db
    .from('messages')
    .where('id', id)
    .update({ locked_until: new Date(Date.now() - 1000) })
}

test.group('Lease tokens: only the holder of the lease writes the attempt', (group) => {
  let store: MessageStore

  group.setup(async () => {
    store = await app.container.make(MessageStore)
  })
  group.each.setup(() => emptyQueues())

  test('a write carrying a stale token changes nothing and reports so', async ({
    client,
    assert,
  }) => {
    const id = await acceptedSms(client)
    const first = (await store.claim(id, 60))!
    await expireLease(id)
    const second = (await store.claim(id, 60))!
    assert.notEqual(first.lease_token, second.lease_token)
    const before = await snapshot(id)

    assert.isFalse(await store.extendLease(first, 60))
    assert.isNull(await store.markSent(first, SENT, { type: DeliveryEventType.Sent }))
    assert.isNull(
      await store.requeue(first, new Date(), null, { type: DeliveryEventType.Retrying })
    )
    assert.isNull(await store.defer(first, new Date(), { type: DeliveryEventType.Deferred }))
    assert.isNull(
      await store.markFailed(
        first,
        MessageStatus.Failed,
        { message: 'late', code: 'LATE' },
        { type: DeliveryEventType.Failed }
      )
    )
    assert.deepEqual(await snapshot(id), before)

    assert.isTrue(await store.extendLease(second, 60))
    assert.isNotNull(await store.markSent(second, SENT, { type: DeliveryEventType.Sent }))
    const after = await snapshot(id)
    assert.equal(after.status, 'sent')
    assert.isNull(after.lease_token, 'the attempt ended')
    assert.deepEqual(
      after.events.filter((type: string) => type === 'sent'),
      ['sent']
    )
  })

  test('once the sweeper released an expired lease, the old holder can no longer write', async ({
    client,
    assert,
  }) => {
    const id = await acceptedSms(client)
    const claimed = (await store.claim(id, 60))!
    await expireLease(id)

    await sweep()

    assert.isNull(await store.markSent(claimed, SENT, { type: DeliveryEventType.Sent }))
    assert.isNull(
      await store.requeue(claimed, new Date(), null, { type: DeliveryEventType.Retrying })
    )
    const row = await snapshot(id)
    assert.equal(row.status, 'queued')
    assert.isNull(row.lease_token)
    assert.notInclude(row.events, 'sent')
  })

  test('a callback that settled the message first: the holder still records its send, a stale token does not', async ({
    client,
    assert,
  }) => {
    const id = await acceptedSms(client)
    const claimed = (await store.claim(id, 60))!
    // What the delivery tracker writes for a fast "delivered" callback: the token stays
    await db.from('messages').where('id', id).update({ status: 'delivered' })

    assert.isFalse(await store.extendLease(claimed, 60), 'settled: nothing more may be sent')
    assert.isNull(
      await store.markSent({ id, lease_token: '00000000-0000-4000-8000-000000000000' }, SENT, {
        type: DeliveryEventType.Sent,
      })
    )
    assert.isNotNull(await store.markSent(claimed, SENT, { type: DeliveryEventType.Sent }))

    const row = await snapshot(id)
    assert.equal(row.status, 'delivered')
    assert.equal(row.provider_message_id, 'provider-1')
    assert.isNull(row.lease_token)
  })

  test('the queue giving up fails a queued (handed back) message, never one an attempt holds', async ({
    client,
    assert,
  }) => {
    const held = await acceptedSms(client)
    await store.claim(held, 60)
    const queued = await acceptedSms(client)

    const dispatcher = await app.container.make(MessageDispatcher)
    await dispatcher.giveUp(held, new Error('crashed'))
    await dispatcher.giveUp(queued, new Error('crashed'))

    const [heldAfter, queuedAfter] = await Promise.all([snapshot(held), snapshot(queued)])
    assert.equal(heldAfter.status, 'sending')
    assert.equal(queuedAfter.status, 'failed')
  })
})

test.group('Lease keeper: a running send keeps its lease', () => {
  test('extends the lease while it is held, and notices when another worker took it', async ({
    client,
    assert,
  }) => {
    const store = await app.container.make(MessageStore)
    const logger = await app.container.make('logger')
    const keeper = new LeaseKeeper(store, logger, 1)
    const id = await acceptedSms(client)
    const claimedAt = Date.now()
    const claimed = (await store.claim(id, 1)) as ClaimedMessage
    const { locked_until: granted } = await snapshot(id)
    const lease = keeper.keep(claimed, claimedAt)
    try {
      await waitUntil(
        'the lease to outlive its first grant, extended',
        async () => {
          const { rows } = await db.rawQuery(
            `SELECT now() > ?::timestamptz + interval '1 second' AS past,
                    locked_until > now() AS live
               FROM messages WHERE id = ?`,
            [granted, id]
          )
          return rows[0].past && rows[0].live
        },
        { timeoutMs: 10_000 }
      )
      assert.isTrue(lease.held)

      // Another claim's token: what a takeover leaves behind
      await db.rawQuery('UPDATE messages SET lease_token = gen_random_uuid() WHERE id = ?', [id])
      await waitUntil('the keeper to notice the lost lease', async () => lease.lost)
      assert.throws(() => lease.assertHeld(), LeaseLostError)
    } finally {
      keeper.release(lease)
    }
  }).timeout(20_000)
})

test.group('Dispatcher: a worker that lost its lease mid-send', (group) => {
  let postal: Awaited<ReturnType<typeof startFakePostal>>

  group.setup(async () => {
    postal = await startFakePostal(undefined, 2_000)
    return () => postal.stop()
  })
  group.each.setup(() => emptyQueues())

  test('records and announces nothing when another worker took the message over', async ({
    client,
    assert,
    cleanup,
  }) => {
    const events = emitter.fake(['message:sent', 'message:failed'])
    cleanup(() => emitter.restore())
    const { headers } = await createPostalTenant(client, postal)
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        recipient: POSTAL_MAGIC_RECIPIENTS.timeout,
        subject: 'Slow',
        content: { text: 'Slow' },
      })
    created.assertStatus(201)
    const id = created.body().id as string
    const store = await app.container.make(MessageStore)
    const dispatcher = await app.container.make(MessageDispatcher)

    const outcome = dispatcher.dispatch(id)
    await waitUntil('Postal to have the message', async () => postal.sendsByMessageId.has(id))
    await expireLease(id)
    const usurper = (await store.claim(id, 60))!

    assert.deepEqual(await outcome, { kind: 'lost' })
    events.assertNoneEmitted()
    const row = await snapshot(id)
    assert.equal(row.status, 'sending')
    assert.equal(row.lease_token, usurper.lease_token)
    assert.notInclude(row.events, 'sent')
  }).timeout(20_000)
})
