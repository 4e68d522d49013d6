import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { MessageStatus } from '#enums/message_status'
import { Priority } from '#enums/priority'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { MessageStore, type ClaimedMessage } from '#messaging/outbox/message_store'
import { LeaseKeeper, LeaseLostError } from '#messaging/outbox/lease_keeper'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { type PostalFakeServer } from '#messaging/vendors/postal/fake'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { acceptedSms, acceptMessage, claimedSms } from '#tests/helpers/messages'
import { emptyQueues } from '#tests/helpers/queues'
import { sweep } from '#tests/helpers/sweeper'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const RECIPIENT = '+14155550100'
const SENT = { gateway: 'log', providerConfigId: null, providerMessageId: 'provider-1' }

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
    const { id, claimed: first } = await claimedSms(client, store, RECIPIENT)
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
    const { id, claimed } = await claimedSms(client, store, RECIPIENT)
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
    const { id, claimed } = await claimedSms(client, store, RECIPIENT)
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
    const held = await acceptedSms(client, RECIPIENT)
    await store.claim(held, 60)
    const queued = await acceptedSms(client, RECIPIENT)

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
    const id = await acceptedSms(client, RECIPIENT)
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
    const id = await acceptMessage(client, headers, {
      channel: 'email',
      recipient: POSTAL_MAGIC_RECIPIENTS.timeout,
      subject: 'Slow',
      content: { text: 'Slow' },
    })
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

/** The recipient whose sends the database refuses to record, while refuseSentWrites is in place */
const UNRECORDABLE = 'unrecordable@example.com'

/**
 * Until the returned function runs, PostgreSQL refuses every write that
 * would record a send to UNRECORDABLE, in whatever form (with or without the
 * provider id): a refusal that outlasts every fallback.
 */
async function refuseSentWrites() {
  await db.rawQuery(
    `CREATE FUNCTION test_refuse_sent() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'the test refuses to record this send';
     END $$`
  )
  await db.rawQuery(
    `CREATE TRIGGER test_refuse_sent BEFORE UPDATE ON messages FOR EACH ROW
       WHEN (OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL AND NEW.recipient = '${UNRECORDABLE}')
       EXECUTE FUNCTION test_refuse_sent()`
  )
  return async () => {
    await db.rawQuery('DROP TRIGGER test_refuse_sent ON messages')
    await db.rawQuery('DROP FUNCTION test_refuse_sent()')
  }
}

async function sendUnrecordable(client: ApiClient, postal: PostalFakeServer) {
  const { headers } = await createPostalTenant(client, postal)
  return acceptMessage(client, headers, {
    channel: 'email',
    priority: 'P2',
    recipient: UNRECORDABLE,
    subject: 'Unrecordable',
    content: { text: 'Its send will not be recorded' },
  })
}

test.group(
  'Dispatcher: a send the gateway accepted but the database refuses to record',
  (group) => {
    let postal: PostalFakeServer

    group.setup(async () => {
      postal = await startFakePostal()
      return () => postal.stop()
    })
    group.each.setup(async () => {
      await emptyQueues()
      return refuseSentWrites()
    })

    test('is neither handed back nor sent again: it stays sending under its lease', async ({
      client,
      assert,
    }) => {
      const id = await sendUnrecordable(client, postal)
      const dispatcher = await app.container.make(MessageDispatcher)

      assert.deepEqual(await dispatcher.dispatch(id), { kind: 'unrecorded' })

      assert.equal(postal.sendsByMessageId.get(id), 1)
      const row = await snapshot(id)
      assert.equal(row.status, 'sending')
      assert.isNotNull(row.lease_token, 'the lease stays for its expiry to decide')
      assert.isAbove(new Date(row.locked_until).getTime(), Date.now())
      assert.notInclude(row.events, 'retrying', 'not handed back')
      assert.notInclude(row.events, 'sent')

      // What the job's retry would do: the message is not the dispatcher's to take again
      assert.deepEqual(await dispatcher.dispatch(id), { kind: 'skipped' })
      assert.equal(postal.sendsByMessageId.get(id), 1)
    }).timeout(20_000)

    test('in a worker: its job completes, logged as an error, and the gateway gets it once', async ({
      client,
      assert,
    }) => {
      // Quick job retries: were the job retried, the message would be sent again within a second
      const worker = await WorkerProcess.start('P2', { RETRY_BASE_DELAY_MS: '100' })
      try {
        const id = await sendUnrecordable(client, postal)
        const queue = new MessageQueues().queue(Priority.P2)

        // A completed job is removed at once (config/queue.ts); a retried one waits delayed
        const outcome = await waitUntil(
          'the job to finish, or the message to be sent again',
          async () => {
            const sends = postal.sendsByMessageId.get(id) ?? 0
            if (sends > 1) return 'sent again'
            const job = await queue.getJob(id)
            if (!job) return sends === 1 && 'completed'
            const state = await job.getState()
            return (state === 'failed' || state === 'delayed') && state
          },
          { timeoutMs: 30_000 }
        )

        assert.equal(outcome, 'completed')
        assert.equal(postal.sendsByMessageId.get(id), 1)
        const row = await snapshot(id)
        assert.equal(row.status, 'sending')
        assert.notInclude(row.events, 'retrying')
        const logged = worker.output
          .split('\n')
          .find((line) => line.includes(id) && line.includes('could not be recorded'))
        assert.isDefined(logged, worker.output)
        assert.equal(JSON.parse(logged!).level, 50, 'logged at error level')
      } finally {
        await worker.stop()
      }
    }).timeout(60_000)
  }
)
