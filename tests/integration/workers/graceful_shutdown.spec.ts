import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

test.group('Worker shutdown', (group) => {
  group.setup(() => emptyQueues())

  test('{signal} with jobs in flight: they finish, the worker exits 0, nothing is left sending')
    .with([{ signal: 'SIGTERM' as const }, { signal: 'SIGINT' as const }])
    .run(async ({ client, assert }, { signal }) => {
      const { headers, tenant } = await createTenant()
      // A slow gateway keeps every job in flight when the signal arrives
      const worker = await WorkerProcess.start('P1', {
        LOG_GATEWAY_LATENCY_MS: '1500',
        WORKER_CONCURRENCY_P1: '10',
      })
      const recipients = Array.from({ length: 10 }, (_, index) => ({
        recipient: `+1415555${String(index).padStart(4, '0')}`,
      }))
      await client
        .post('/api/v1/messages/bulk')
        .headers(headers)
        .json({ channel: 'sms', priority: 'P1', content: { text: 'hi' }, recipients })

      await waitUntil('all ten to be in flight', async () => {
        const row = await db
          .from('messages')
          .where('tenant_id', tenant.id)
          .where('status', 'sending')
          .count('* as count')
          .first()
        return Number(row.count) === 10
      })

      const exitCode = await worker.stop(signal)

      assert.equal(exitCode, 0, worker.output)
      const statuses = await db
        .from('messages')
        .where('tenant_id', tenant.id)
        .select('status')
        .count('* as count')
        .groupBy('status')
      assert.deepEqual(
        statuses.map((row) => [row.status, Number(row.count)]),
        [['sent', 10]]
      )
    })
    .timeout(60_000)
})
