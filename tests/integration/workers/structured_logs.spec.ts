import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'
import { statusCounts } from '#tests/helpers/database'
import { freePort } from '#tests/helpers/ports'
import { createProvider } from '#tests/helpers/providers'
import { emptyQueues } from '#tests/helpers/queues'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/** Lines about the process itself rather than about a message */
const PROCESS_LINES = new Set(['worker started', 'worker stopped'])

async function postalTenant(client: ApiClient, baseUrl: string, apiKey: string) {
  const tenant = await createTenant('Structured logs')
  await createProvider(client, tenant.headers, {
    type: 'postal',
    channel: 'email',
    name: 'Postal',
    config: { baseUrl, apiKey, from: 'logs@switchboard.test' },
  })
  return tenant
}

async function send(client: ApiClient, tenant: TestTenant, recipient: string) {
  const response = await client
    .post('/api/v1/messages')
    .headers(tenant.headers)
    .json({ channel: 'email', priority: 'P3', recipient, subject: 'Hi', content: { text: 'Hi' } })
  response.assertStatus(201)
  return response.body().id as string
}

test.group('A worker’s log', (group) => {
  let postal: PostalFakeServer
  const secret = `postal-secret-${randomBytes(12).toString('hex')}`

  group.setup(async () => {
    await emptyQueues()
    postal = await new PostalFakeServer({ apiKey: secret }).start()
    return () => postal.stop()
  })

  test('is JSON lines; every line about a message names it; no provider secret appears', async ({
    client,
    assert,
  }) => {
    // Sent, refused for good, unreachable (a retry-class failure), and through the log gateway
    const reachable = await postalTenant(client, postal.baseUrl, secret)
    const unreachable = await postalTenant(client, `http://127.0.0.1:${await freePort()}`, secret)
    const viaLog = await createTenant('Structured logs: log gateway')
    const sent = await send(client, reachable, 'ada@example.com')
    const refused = await send(client, reachable, POSTAL_MAGIC_RECIPIENTS.parameterError)
    const lost = await send(client, unreachable, 'grace@example.com')
    const logged = await send(client, viaLog, 'linus@example.com')

    const worker = await WorkerProcess.start('P3', {
      LOG_FORMAT: 'json',
      MESSAGE_MAX_ATTEMPTS: '1',
    })
    try {
      await waitUntil('every message to be sent or failed', async () => {
        const [viaPostal, viaClosedPort, viaLogGateway] = await Promise.all([
          statusCounts(reachable.tenant.id),
          statusCounts(unreachable.tenant.id),
          statusCounts(viaLog.tenant.id),
        ])
        return (
          viaPostal.sent === 1 &&
          viaPostal.failed === 1 &&
          viaClosedPort.failed === 1 &&
          viaLogGateway.sent === 1
        )
      })
    } finally {
      await worker.stop()
    }

    const lines = worker.output.split('\n').filter((line) => line.trim() !== '')
    const entries = lines.map((line): Record<string, unknown> => {
      try {
        return JSON.parse(line)
      } catch {
        return assert.fail(`not a JSON line: ${line}`)
      }
    })
    const aboutMessages = entries.filter((entry) => !PROCESS_LINES.has(String(entry.msg)))
    for (const entry of aboutMessages) {
      assert.oneOf(entry.messageId, [sent, refused, lost, logged], `no messageId: ${entry.msg}`)
    }
    // The failures and the log gateway's record of its message are among them
    assert.includeMembers(
      aboutMessages.map((entry) => entry.messageId),
      [refused, lost, logged]
    )
    assert.includeMembers(
      entries.map((entry) => entry.msg),
      ['worker started', 'worker stopped']
    )
    assert.notInclude(worker.output, secret)
  })
})
