import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { CallbackReceiver, type ReceivedCallback } from '#tests/helpers/callback_receiver'
import { mapConcurrently } from '#tests/helpers/concurrency'
import { countInStatus } from '#tests/helpers/database'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { replay, webhookPath } from '#tests/helpers/webhooks'
import { WorkerProcess } from '#tests/helpers/worker_process'

const COPIES = 5
/** Recipients by what the fake Postal reports for them, and the status each must end in */
const OUTCOMES = [
  { kind: 'delivered', count: 120, callbacks: 1, final: 'delivered' }, // MessageSent
  { kind: 'bounce', count: 60, callbacks: 2, final: 'failed' }, // MessageSent, MessageBounced
  { kind: 'hardfail', count: 60, callbacks: 1, final: 'failed' }, // MessageDeliveryFailed
  { kind: 'softfail', count: 30, callbacks: 1, final: 'sent' }, // MessageDelayed
  { kind: 'held', count: 30, callbacks: 1, final: 'sent' }, // MessageHeld
]
const MESSAGES = OUTCOMES.reduce((sum, outcome) => sum + outcome.count, 0)
const CALLBACKS = OUTCOMES.reduce((sum, outcome) => sum + outcome.count * outcome.callbacks, 0)

function shuffled<T>(items: T[]) {
  const copy = [...items]
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1))
    ;[copy[index], copy[other]] = [copy[other], copy[index]]
  }
  return copy
}

test.group('Faults: a storm of repeated, shuffled delivery webhooks', (group) => {
  let postal: PostalFakeServer
  let receiver: CallbackReceiver

  group.setup(async () => {
    await emptyQueues()
    // The fake's callbacks are caught here, then replayed as the storm
    receiver = await new CallbackReceiver().start()
    postal = await startFakePostal({ url: receiver.url })
    return async () => {
      await postal.stop()
      await receiver.stop()
    }
  })

  test('5 copies of every callback in random order: each event stored once, statuses right', async ({
    client,
    assert,
  }) => {
    const { tenant, headers, providerId } = await createPostalTenant(client, postal)
    const recipients = OUTCOMES.flatMap(({ kind, count }) =>
      Array.from(
        { length: count },
        (_, index) => `${kind}+${index}@postal.sandbox.switchboard.test`
      )
    )
    const accepted = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({
        channel: 'email',
        priority: 'P2',
        subject: 'Storm',
        content: { text: 'Hello' },
        recipients: recipients.map((recipient) => ({ recipient })),
      })
    accepted.assertStatus(201)
    const ids: string[] = accepted.body().messages.map((message: { id: string }) => message.id)

    const worker = await WorkerProcess.start('P2')
    try {
      await waitUntil(
        'every message to be sent',
        async () => (await countInStatus(tenant.id, 'sent')) === MESSAGES,
        { timeoutMs: 60_000 }
      )
    } finally {
      await worker.stop()
    }
    const callbacks = await receiver.waitFor(() => true, CALLBACKS, 30_000)

    const storm = shuffled(
      callbacks.flatMap((callback) => Array<ReceivedCallback>(COPIES).fill(callback))
    )
    const statuses = await mapConcurrently(storm, 16, async (callback) => {
      const response = await replay(client, webhookPath('postal', providerId), {
        body: callback.rawBody,
        headers: callback.headers,
      })
      return response.status()
    })

    assert.deepEqual([...new Set(statuses)], [200])
    const events = await db
      .from('delivery_events')
      .where('tenant_id', tenant.id)
      .where('source', 'postal')
      .select('provider_event_id')
    assert.lengthOf(events, CALLBACKS, 'each callback stored once')
    assert.equal(new Set(events.map((event) => event.provider_event_id)).size, CALLBACKS)

    const rows = await db.from('messages').whereIn('id', ids).select('recipient', 'status')
    const statusByRecipient = new Map(rows.map((row) => [row.recipient, row.status]))
    for (const { kind, count, final } of OUTCOMES) {
      for (let index = 0; index < count; index++) {
        const recipient = `${kind}+${index}@postal.sandbox.switchboard.test`
        assert.equal(statusByRecipient.get(recipient), final, recipient)
      }
    }
    console.log(
      `  ${storm.length} webhook deliveries (${COPIES} × ${CALLBACKS} callbacks, shuffled) for ` +
        `${MESSAGES} messages: ${events.length} events stored`
    )
  })
})
