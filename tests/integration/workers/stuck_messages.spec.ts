import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { truncateMessages } from '#tests/helpers/database'
import { sweep } from '#tests/helpers/sweeper'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const sms = { channel: 'sms', priority: 'P2', recipient: '+14155550100', content: { text: 'x' } }

/** Runs a real P2 worker until the message is sent; resolves with its `sent` events. */
async function sentEventsOnceWorked(id: string) {
  const worker = await WorkerProcess.start('P2')
  try {
    await waitUntil('the message to be sent', async () => {
      const row = await db.from('messages').where('id', id).first()
      return row.status === 'sent'
    })
  } finally {
    await worker.stop()
  }
  return db.from('delivery_events').where('message_id', id).where('type', 'sent')
}

test.group('The outbox sweeper (comms:release-stuck)', (group) => {
  group.each.setup(async () => {
    await truncateMessages()
    await emptyQueues()
  })

  test('queues a message whose job Redis lost, and it is sent once', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id
    await emptyQueues()

    await sweep('--dry-run')
    assert.isUndefined(
      await new MessageQueues().queue(Priority.P2).getJob(id),
      'dry run changes nothing'
    )

    await sweep()
    assert.lengthOf(await sentEventsOnceWorked(id), 1)
  })

  test('releases a sending message whose lease expired (its worker died), and it is sent once', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id
    await emptyQueues()
    await db
      .from('messages')
      .where('id', id)
      .update({ status: 'sending', attempts: 1, locked_until: new Date(Date.now() - 1000) })

    await sweep()

    const row = await db.from('messages').where('id', id).firstOrFail()
    assert.equal(row.status, 'queued')
    assert.isNull(row.locked_until)
    const job = await new MessageQueues().queue(Priority.P2).getJob(id)
    assert.deepEqual(job?.data, { messageId: id })

    assert.lengthOf(await sentEventsOnceWorked(id), 1)
    const retried = await db
      .from('delivery_events')
      .where('message_id', id)
      .where('type', 'retrying')
    assert.lengthOf(retried, 1)
  })

  test('leaves a message that still has a live job alone', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const queue = new MessageQueues().queue(Priority.P2)
    const before = await queue.getJob(created.body().id)

    await sweep()

    const after = await queue.getJob(created.body().id)
    assert.equal(after?.timestamp, before?.timestamp)
    const { waiting } = await queue.getJobCounts('waiting')
    assert.equal(waiting, 1)
  })
})
