import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { ApiProcess } from '#tests/helpers/api_process'
import { bulkEmails, createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { countInStatus, messageIdsOf, statusCounts } from '#tests/helpers/database'
import { tallySends } from '#tests/helpers/gateway_tally'
import { emptyQueues } from '#tests/helpers/queues'
import { sweepUntil } from '#tests/helpers/sweeper'
import { TcpProxy } from '#tests/helpers/tcp_proxy'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const MESSAGES = 2_000
const RACING_BULK = 2_000
const OUTAGE_MS = 10_000
const CONCURRENCY = 50

async function rowsFromBulk(sourceId: string) {
  const row = await db.from('messages').where('source_id', sourceId).count('* as count').first()
  return Number(row.count)
}

test.group('Faults: PostgreSQL unreachable for 10 s', (group) => {
  let postal: PostalFakeServer
  let proxy: TcpProxy
  let api: ApiProcess
  let worker: WorkerProcess

  group.setup(async () => {
    await emptyQueues()
    postal = await startFakePostal()
    // The API and the worker reach PostgreSQL only through the proxy; the test itself does not
    proxy = await new TcpProxy({ host: env.get('DB_HOST'), port: env.get('DB_PORT') }).start()
    const throughProxy = { DB_PORT: String(proxy.port) }
    api = await ApiProcess.start(throughProxy)
    worker = await WorkerProcess.start('P2', {
      ...throughProxy,
      WORKER_CONCURRENCY_P2: String(CONCURRENCY),
    })
    return async () => {
      await worker.stop()
      await api.stop()
      await proxy.stop()
      await postal.stop()
    }
  })

  test('the API answers 503, no bulk is half written, workers pause and resume, nothing is lost', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createPostalTenant(client, postal)
    const send = (body: unknown) => api.request('POST', '/api/v1/messages', headers, body)
    const sendBulk = (body: unknown) => api.request('POST', '/api/v1/messages/bulk', headers, body)
    const single = {
      channel: 'email',
      priority: 'P2',
      recipient: 'outage@example.com',
      subject: 'During the outage',
      content: { text: 'Hello' },
    }

    const before = await sendBulk(bulkEmails(MESSAGES, 'outage'))
    assert.equal(before.status, 201)
    await waitUntil(
      'a fifth of the messages to reach the gateway',
      async () => postal.sendsByMessageId.size >= MESSAGES / 5,
      { timeoutMs: 120_000, intervalMs: 10 }
    )

    // A bulk on its way in as the link drops: it lands whole or not at all
    const racingSource = randomUUID()
    const racing = sendBulk(bulkEmails(RACING_BULK, 'racing', { sourceId: racingSource }))
    await sleep(20)
    await proxy.cut()
    const cutAt = Date.now()
    const sentAtCut = postal.sendsByMessageId.size
    const inFlight = await countInStatus(tenant.id, 'sending')

    const outageReplies: Array<{ status: number; body: any }> = []
    const outageBulkSources: string[] = []
    while (Date.now() - cutAt < OUTAGE_MS - 1_000) {
      outageReplies.push(await send(single))
      const sourceId = randomUUID()
      outageBulkSources.push(sourceId)
      outageReplies.push(await sendBulk(bulkEmails(50, 'cut', { sourceId })))
      await sleep(500)
    }
    const sendsDuringOutage = postal.sendsByMessageId.size
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)))
    await proxy.restore()

    const racingReply = await racing
    await waitUntil(
      'the API to accept sends again',
      async () => {
        const reply = await send(single)
        return reply.status === 201
      },
      { timeoutMs: 30_000, intervalMs: 500 }
    )
    const acceptedIds = await messageIdsOf(tenant.id)
    const accepted = acceptedIds.length
    await sweepUntil(
      'every accepted message to be sent',
      async () => (await countInStatus(tenant.id, 'sent')) === accepted,
      { timeoutMs: 120_000 }
    )

    const tally = tallySends(postal, await messageIdsOf(tenant.id))
    const racingRows = await rowsFromBulk(racingSource)
    console.log(
      `  PostgreSQL cut after ${sentAtCut}/${MESSAGES} sends for ${OUTAGE_MS / 1000} s: ` +
        `${outageReplies.length} requests answered ${[...new Set(outageReplies.map((r) => r.status))].join(', ')}, ` +
        `racing bulk ${racingReply.status} with ${racingRows}/${RACING_BULK} rows, ` +
        `${inFlight} jobs in flight, ${tally.duplicates} duplicate sends`
    )

    for (const reply of outageReplies) {
      assert.equal(reply.status, 503, JSON.stringify(reply.body))
      assert.equal(reply.body.errors[0].code, 'E_SERVICE_UNAVAILABLE')
    }
    for (const sourceId of outageBulkSources) {
      assert.equal(await rowsFromBulk(sourceId), 0)
    }
    assert.include([201, 503], racingReply.status)
    assert.include(racingReply.status === 201 ? [RACING_BULK] : [0, RACING_BULK], racingRows)

    assert.isTrue(worker.running, 'the worker survives the outage')
    assert.include(worker.output, 'worker paused')
    assert.include(worker.output, 'worker resumed')
    assert.isAtMost(sendsDuringOutage - sentAtCut, inFlight, 'nothing new is sent while paused')
    assert.isAbove(postal.sendsByMessageId.size, sendsDuringOutage, 'sending resumes')
    assert.deepEqual(await statusCounts(tenant.id), { sent: accepted })
    assert.deepEqual(tally.missing, [])
    assert.isAtMost(tally.duplicates, inFlight)
  })
})
