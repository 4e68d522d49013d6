import { test } from '@japa/runner'
import redis from '@adonisjs/redis/services/main'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { bulkEmails, createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { countInStatus, messageIdsOf, statusCounts } from '#tests/helpers/database'
import { tallySends } from '#tests/helpers/gateway_tally'
import { emptyQueues } from '#tests/helpers/queues'
import { sweepUntil } from '#tests/helpers/sweeper'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const MESSAGES = 3_000
const CONCURRENCY = 50

test.group('Faults: Redis flushed in the middle of a run', (group) => {
  let postal: PostalFakeServer
  let worker: WorkerProcess

  group.setup(async () => {
    await emptyQueues()
    postal = await startFakePostal()
    worker = await WorkerProcess.start('P2', { WORKER_CONCURRENCY_P2: String(CONCURRENCY) })
    return async () => {
      await worker.stop()
      await postal.stop()
    }
  })

  test('the sweeper rebuilds the queues from PostgreSQL: every message sent, none lost', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createPostalTenant(client, postal)
    const accepted = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json(bulkEmails(MESSAGES, 'flush'))
    accepted.assertStatus(201)

    await waitUntil(
      'a quarter of the messages to reach the gateway',
      async () => postal.sendsByMessageId.size >= MESSAGES / 4,
      { timeoutMs: 120_000, intervalMs: 10 }
    )
    // The suite's own Redis database (REDIS_DB from .env.faults) and nothing else
    await redis.flushdb()
    const sentAtFlush = postal.sendsByMessageId.size
    const inFlight = await countInStatus(tenant.id, 'sending')

    await sweepUntil(
      'every message to be sent',
      async () => (await countInStatus(tenant.id, 'sent')) === MESSAGES,
      { timeoutMs: 120_000 }
    )

    const tally = tallySends(postal, await messageIdsOf(tenant.id))
    console.log(
      `  FLUSHDB after ${sentAtFlush}/${MESSAGES} sends: ${inFlight} jobs in flight, ` +
        `${tally.duplicates} duplicate sends at the gateway`
    )
    assert.isBelow(sentAtFlush, MESSAGES, 'Redis was flushed mid-run')
    assert.deepEqual(await statusCounts(tenant.id), { sent: MESSAGES })
    assert.deepEqual(tally.missing, [])
    assert.isAtMost(tally.duplicates, inFlight)
    assert.isTrue(worker.running, 'the worker survives the flush')
  })
})
