import { test } from '@japa/runner'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { bulkEmails, createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { countInStatus, messageIdsOf, statusCounts } from '#tests/helpers/database'
import { tallySends } from '#tests/helpers/gateway_tally'
import { emptyQueues } from '#tests/helpers/queues'
import { sweepUntil } from '#tests/helpers/sweeper'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const MESSAGES = 5_000
/** Jobs the P2 worker runs at once: the most that can be in flight when it dies */
const CONCURRENCY = 50
const WORKER_ENV = { WORKER_CONCURRENCY_P2: String(CONCURRENCY) }

test.group('Faults: a worker killed (SIGKILL) in the middle of a run', (group) => {
  let postal: PostalFakeServer

  group.setup(async () => {
    await emptyQueues()
    postal = await startFakePostal()
    return () => postal.stop()
  })

  test('every message ends sent, none is lost, duplicates stay within the jobs in flight', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createPostalTenant(client, postal)
    let worker = await WorkerProcess.start('P2', WORKER_ENV)
    try {
      const accepted = await client
        .post('/api/v1/messages/bulk')
        .headers(headers)
        .json(bulkEmails(MESSAGES, 'kill'))
      accepted.assertStatus(201)

      await waitUntil(
        'a third of the messages to reach the gateway',
        async () => postal.sendsByMessageId.size >= MESSAGES / 3,
        { timeoutMs: 120_000, intervalMs: 10 }
      )
      await worker.stop('SIGKILL')
      const sentAtKill = postal.sendsByMessageId.size
      // Claimed by the dead worker and never finished: only these can be sent twice
      const inFlight = await countInStatus(tenant.id, 'sending')

      worker = await WorkerProcess.start('P2', WORKER_ENV)
      await sweepUntil(
        'every message to be sent',
        async () => (await countInStatus(tenant.id, 'sent')) === MESSAGES,
        { timeoutMs: 180_000 }
      )

      const tally = tallySends(postal, await messageIdsOf(tenant.id))
      console.log(
        `  kill -9 after ${sentAtKill}/${MESSAGES} sends: ${inFlight} jobs in flight, ` +
          `${tally.duplicates} duplicate sends at the gateway`
      )
      assert.isBelow(sentAtKill, MESSAGES, 'the worker died mid-run')
      assert.deepEqual(await statusCounts(tenant.id), { sent: MESSAGES })
      assert.deepEqual(tally.missing, [])
      assert.isAtMost(inFlight, CONCURRENCY)
      assert.isAtMost(tally.duplicates, inFlight)
    } finally {
      await worker.stop()
    }
  })
})
