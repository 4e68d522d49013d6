import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { truncateMessages } from '#tests/helpers/database'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const sms = { channel: 'sms', priority: 'P2', recipient: '+14155550100', content: { text: 'x' } }

async function sweep(...flags: string[]) {
  const command = await ace.exec('comms:release-stuck', ['--grace-seconds=0', ...flags])
  if (command.exitCode !== 0) throw command.error ?? new Error('sweeper failed')
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
    const worker = await WorkerProcess.start('P2')
    try {
      await waitUntil('the message to be sent', async () => {
        const row = await db.from('messages').where('id', id).first()
        return row.status === 'sent'
      })
    } finally {
      await worker.stop()
    }
    const sent = await db.from('delivery_events').where('message_id', id).where('type', 'sent')
    assert.lengthOf(sent, 1)
  })

  test('releases a sending message whose lease expired (its worker died)', async ({
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
