import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'
import type { FakeReply, FakeRequest } from '#messaging/vendors/fakes/fake_provider_server'
import {
  bulkEmails,
  createPostalTenant,
  FAKE_POSTAL_API_KEY,
  startFakePostal,
} from '#tests/helpers/fake_postal'
import { messageIdsOf, statusCounts, truncateMessages } from '#tests/helpers/database'
import { acceptMessage } from '#tests/helpers/messages'
import { tallySends } from '#tests/helpers/gateway_tally'
import { emptyQueues } from '#tests/helpers/queues'
import { sweep, sweepUntil } from '#tests/helpers/sweeper'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/** A lease far shorter than Postal takes to answer `timeout@` (POSTAL_HANG_MS) */
const LEASE_ENV = { MESSAGE_LEASE_SECONDS: '2' }
const POSTAL_HANG_MS = 5_000

function sendSlowEmail(client: ApiClient, headers: Record<string, string>) {
  return acceptMessage(client, headers, {
    channel: 'email',
    priority: 'P2',
    recipient: POSTAL_MAGIC_RECIPIENTS.timeout,
    subject: 'Slow gateway',
    content: { text: 'Postal takes its time' },
  })
}

async function statusOf(id: string) {
  const row = await db.from('messages').where('id', id).select('status').firstOrFail()
  return row.status as string
}

function eventsOf(id: string, type: string) {
  return db.from('delivery_events').where('message_id', id).where('type', type)
}

/** Until PostgreSQL's clock is `seconds` past the lease the claim granted (from its `sending` event) */
async function waitPastFirstLease(id: string, seconds: number) {
  await waitUntil(`the first lease to be ${seconds} s past`, async () => {
    const { rows } = await db.rawQuery(
      `SELECT now() > occurred_at + make_interval(secs => ?) AS past
         FROM delivery_events WHERE message_id = ? AND type = 'sending'`,
      [Number(LEASE_ENV.MESSAGE_LEASE_SECONDS) + seconds, id]
    )
    return rows[0]?.past === true
  })
}

test.group('Workers: a send that outlives its lease is sent once', (group) => {
  let postal: PostalFakeServer

  group.setup(async () => {
    postal = await startFakePostal(undefined, POSTAL_HANG_MS)
    return () => postal.stop()
  })
  group.each.setup(async () => {
    await truncateMessages()
    await emptyQueues()
  })

  test('lease 2 s, Postal answering in 5 s, the sweeper run twice meanwhile: one send, recorded once', async ({
    client,
    assert,
  }) => {
    const { headers } = await createPostalTenant(client, postal)
    const worker = await WorkerProcess.start('P2', LEASE_ENV)
    try {
      const id = await sendSlowEmail(client, headers)
      await waitUntil('Postal to have the message', async () => postal.sendsByMessageId.has(id))

      await waitPastFirstLease(id, 0.2)
      await sweep()
      await waitPastFirstLease(id, 1.5)
      await sweep()
      assert.notEqual(await statusOf(id), 'queued', 'the running send kept its lease')

      // Swept on as the scheduler would: nothing may bring the message back to a worker
      await sweepUntil('the message to be sent', async () => (await statusOf(id)) === 'sent')

      assert.equal(postal.sendsByMessageId.get(id), 1)
      assert.lengthOf(await eventsOf(id, 'sent'), 1)
      assert.lengthOf(await eventsOf(id, 'retrying'), 0, 'no lease was released')
      assert.notInclude(worker.output, 'lease lost')
    } finally {
      await worker.stop()
    }
  }).timeout(60_000)

  test('a worker killed mid-call: the message still ends sent, recorded once, at most two sends', async ({
    client,
    assert,
  }) => {
    const { headers } = await createPostalTenant(client, postal)
    const doomed = await WorkerProcess.start('P2', LEASE_ENV)
    const id = await sendSlowEmail(client, headers)
    await waitUntil('Postal to have the message', async () => postal.sendsByMessageId.has(id))
    await doomed.stop('SIGKILL')

    const worker = await WorkerProcess.start('P2', LEASE_ENV)
    try {
      // The dead worker's job comes back once BullMQ sees it stalled; the sweeper frees its lease
      await sweepUntil('the message to be sent', async () => (await statusOf(id)) === 'sent', {
        timeoutMs: 110_000,
      })

      assert.isAtMost(postal.sendsByMessageId.get(id)!, 2)
      assert.lengthOf(await eventsOf(id, 'sent'), 1)
    } finally {
      await worker.stop()
    }
  }).timeout(120_000)
})

/** Postal answering one recipient with a message id PostgreSQL text cannot hold */
class PoisonedIdPostal extends PostalFakeServer {
  constructor(private poisonedRecipient: string) {
    super({ apiKey: FAKE_POSTAL_API_KEY })
  }

  protected handle(request: FakeRequest): FakeReply {
    const reply = super.handle(request)
    if (!request.rawBody.includes(this.poisonedRecipient)) return reply
    const body = reply.body as { data: Record<string, unknown> }
    const poisoned = `${body.data.message_id}\u0000`
    return { ...reply, body: { ...body, data: { ...body.data, message_id: poisoned } } }
  }
}

test.group('Workers: a provider id PostgreSQL refuses', (group) => {
  const MESSAGES = 20
  let postal: PoisonedIdPostal

  group.setup(async () => {
    postal = await new PoisonedIdPostal('poisoned-3@').start()
    return () => postal.stop()
  })
  group.each.setup(async () => {
    await truncateMessages()
    await emptyQueues()
  })

  test('fails only its own write: every message ends sent once, none is sent twice', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createPostalTenant(client, postal)
    const worker = await WorkerProcess.start('P2')
    try {
      const accepted = await client
        .post('/api/v1/messages/bulk')
        .headers(headers)
        .json(bulkEmails(MESSAGES, 'poisoned'))
      accepted.assertStatus(201)

      await sweepUntil('every message to be sent', async () => {
        const counts = await statusCounts(tenant.id)
        return counts.sent === MESSAGES
      })

      const ids = await messageIdsOf(tenant.id)
      const tally = tallySends(postal, ids)
      assert.deepEqual(tally, { missing: [], duplicates: 0, mostSends: 1 })
      const sentEvents = await db
        .from('delivery_events')
        .whereIn('message_id', ids)
        .where('type', 'sent')
        .select('message_id', 'details')
      assert.lengthOf(sentEvents, MESSAGES)
      const poisoned = await db
        .from('messages')
        .where('tenant_id', tenant.id)
        .where('recipient', 'like', 'poisoned-3@%')
        .firstOrFail()
      assert.isNull(poisoned.provider_message_id)
      const refused = sentEvents.find((event) => event.message_id === poisoned.id)
      assert.include(refused?.details.providerMessageIdRefused.value, '\\u0000')
      const withProviderIds = await db
        .from('messages')
        .where('tenant_id', tenant.id)
        .whereNotNull('provider_message_id')
        .select('id')
      assert.lengthOf(withProviderIds, MESSAGES - 1, 'the others keep their provider ids')
    } finally {
      await worker.stop()
    }
  }).timeout(90_000)
})
