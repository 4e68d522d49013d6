import { getPriority } from 'node:os'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

test.group('Priority is sacred', (group) => {
  const workers: WorkerProcess[] = []

  group.setup(async () => {
    await emptyQueues()
    return async () => {
      await Promise.all(workers.map((worker) => worker.stop()))
    }
  })

  test('a P0 message is sent while 20,000 P3 messages wait', async ({ client, assert }) => {
    const { headers, tenant } = await createTenant()
    for (let batch = 0; batch < 2; batch++) {
      const recipients = Array.from({ length: 10_000 }, (_, index) => ({
        recipient: `reader${batch}-${index}@campaign.example`,
      }))
      const response = await client
        .post('/api/v1/messages/bulk')
        .headers(headers)
        .json({
          channel: 'email',
          priority: 'P3',
          subject: 'Sale',
          content: { text: 'x' },
          recipients,
        })
      response.assertStatus(201)
    }
    const p3 = new MessageQueues().queue(Priority.P3)
    const { waiting } = await p3.getJobCounts('waiting')
    assert.equal(waiting, 20_000)

    // The P3 worker drains its backlog slowly while P0 has its own worker
    workers.push(
      await WorkerProcess.start('P3', { LOG_GATEWAY_LATENCY_MS: '50', WORKER_CONCURRENCY_P3: '5' })
    )
    workers.push(await WorkerProcess.start('P0'))

    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'sms',
        priority: 'P0',
        recipient: '+14155550100',
        content: { text: 'Evacuate' },
      })
    const id = created.body().id
    await waitUntil(
      'the P0 message to be sent',
      async () => {
        const row = await db.from('messages').where('id', id).select('status').first()
        return row.status === 'sent'
      },
      { intervalMs: 10 }
    )

    const p3Left = await db
      .from('messages')
      .where('tenant_id', tenant.id)
      .where('priority', 'P3')
      .whereIn('status', ['queued', 'sending'])
      .count('* as count')
      .first()
    // Speed is the benchmark's (npm run bench); here: P0 went first, the backlog still waits
    assert.isAbove(Number(p3Left.count), 19_000, 'the P3 backlog is still there')
  }).timeout(120_000)

  test('the bulk lanes yield the CPU: P2 and P3 workers run niced, P0 does not', async ({
    assert,
  }) => {
    const started = await Promise.all(
      ['P0', 'P2', 'P3'].map((priority) => WorkerProcess.start(priority, { BULK_WORKER_NICE: '7' }))
    )
    workers.push(...started)
    const [p0, p2, p3] = started.map((worker) => getPriority(worker.pid))
    assert.equal(p0, getPriority())
    assert.equal(p2, 7)
    assert.equal(p3, 7)
  }).timeout(60_000)
})
