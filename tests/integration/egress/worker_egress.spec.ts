import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { INTERNAL_REPLIES, INTERNAL_SECRET, InternalService } from '#tests/helpers/internal_service'
import { createProvider } from '#tests/helpers/providers'
import {
  messageWithEvents,
  startSandbox,
  statusOf,
  type SandboxFakes,
} from '#tests/helpers/sandbox'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/**
 * Two workers on the same tenant accounts: P4's process is started with
 * EGRESS_ALLOW exported empty (production's setting, over the 127.0.0.0/8 of
 * .env.test), P1's keeps .env.test's loopback allowance.
 */
const STRICT_LANE = 'P4'
const LOOPBACK_LANE = 'P1'

async function sendEmail(client: ApiClient, headers: Record<string, string>, priority: string) {
  const response = await client
    .post('/api/v1/messages')
    .headers(headers)
    .json({
      channel: 'email',
      priority,
      recipient: 'ada@example.com',
      subject: 'Hi',
      content: { text: 'Hello' },
    })
  response.assertStatus(201)
  return response.body().id as string
}

async function sent(id: string) {
  await waitUntil(`message ${id} to be sent`, async () => {
    const status = await statusOf(id)
    return status === 'sent' || status === 'delivered'
  })
  return messageWithEvents(id)
}

/** Counts TCP connections: proof that nothing, not even a TLS handshake, reached it */
async function startConnectionCounter() {
  const counter = { connections: 0, port: 0, server: null as Server | null }
  counter.server = createServer((socket) => {
    counter.connections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => counter.server!.listen(0, '127.0.0.1', resolve))
  counter.port = (counter.server.address() as AddressInfo).port
  return counter
}

test.group('Egress in the workers: tenant providers and the webhook channel', (group) => {
  let fakes: SandboxFakes
  let tenantPostal: PostalFakeServer
  const internal = new InternalService(INTERNAL_REPLIES.text200)
  let strictWorker: WorkerProcess
  let loopbackWorker: WorkerProcess

  group.setup(async () => {
    fakes = await startSandbox()
    tenantPostal = await startFakePostal()
    await internal.start()
    strictWorker = await WorkerProcess.start(STRICT_LANE, { EGRESS_ALLOW: '' })
    loopbackWorker = await WorkerProcess.start(LOOPBACK_LANE)
    return async () => {
      await Promise.all([strictWorker.stop(), loopbackWorker.stop()])
      await Promise.all([internal.stop(), tenantPostal.stop(), fakes.sandbox.stop()])
    }
  })

  test('a tenant Postal on an internal address is never called; the system Postal carries the mail', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const providerId = await createProvider(client, headers, {
      type: 'postal',
      channel: 'email',
      name: 'Internal Postal',
      config: { baseUrl: internal.url, apiKey: 'key', from: 'ada@switchboard.test' },
    })

    const id = await sendEmail(client, headers, STRICT_LANE)
    const { message, events } = await sent(id)

    assert.equal(internal.requests, 0)
    const failover = events.find((event) => event.type === 'failover')
    assert.equal(failover?.gateway, `postal:${providerId}`)
    assert.include(JSON.stringify(failover), 'EGRESS_REFUSED')
    // The sandbox's fakes are system providers: EGRESS_ALLOW does not apply to them
    assert.match(message.gateway, /^postal:/)
    assert.notEqual(message.gateway, `postal:${providerId}`)
    assert.notInclude(JSON.stringify({ message, events }), INTERNAL_SECRET)
    assert.notInclude(strictWorker.output, INTERNAL_SECRET)
  })

  test('the same tenant Postal on loopback delivers where EGRESS_ALLOW=127.0.0.0/8, and is refused where it is exported empty', async ({
    client,
    assert,
  }) => {
    const { headers, providerId } = await createPostalTenant(client, tenantPostal)
    const sends = () =>
      tenantPostal.received.filter((request) => request.path === '/api/v1/send/message').length
    const before = sends()

    const allowed = await sent(await sendEmail(client, headers, LOOPBACK_LANE))
    const refused = await sent(await sendEmail(client, headers, STRICT_LANE))

    assert.equal(allowed.message.gateway, `postal:${providerId}`)
    assert.notEqual(refused.message.gateway, `postal:${providerId}`)
    assert.equal(sends() - before, 1)
  })

  test('a webhook-channel recipient on an internal address fails without a connection, whoever owns the gateway', async ({
    client,
    assert,
    cleanup,
  }) => {
    const counter = await startConnectionCounter()
    cleanup(() => {
      counter.server!.close()
    })
    const accounts = await app.container.make(ProviderAccounts)
    // An operator's webhook account: the recipients are still the tenants' to name
    await ProviderConfig.create({
      ...accounts.sealNew(null, { secret: 'system-webhook-secret-0123456789' }),
      type: GatewayType.Webhook,
      channel: Channel.Webhook,
      name: 'System webhooks',
      priority: 0,
      enabled: true,
      mask: '…6789',
      metadata: {},
    })
    const { headers } = await createTenant()

    const ids = []
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]']) {
      const response = await client
        .post('/api/v1/messages')
        .headers(headers)
        .json({
          channel: 'webhook',
          priority: STRICT_LANE,
          recipient: `https://${host}:${counter.port}/hook`,
          content: { text: 'Hello' },
        })
      response.assertStatus(201)
      ids.push(response.body().id as string)
    }
    for (const id of ids) {
      await waitUntil(`webhook ${id} to fail`, async () => (await statusOf(id)) === 'failed')
    }

    const { message } = await messageWithEvents(ids[0])
    assert.equal(message.last_error_code, 'EGRESS_REFUSED')
    assert.match(message.last_error, /127\.0\.0\.1 is a loopback address/)
    assert.equal(counter.connections, 0)
  })
})

test.group('Egress: EGRESS_ALLOW at start-up', () => {
  test('a malformed entry stops a worker at start, naming it', async ({ assert }) => {
    await assert.rejects(
      () => WorkerProcess.start('P3', { EGRESS_ALLOW: '127.0.0.0/8,10.0.0.0/33' }),
      /EGRESS_ALLOW:\s+"10\.0\.0\.0\/33"\s+is\s+not\s+a\s+CIDR/
    )
  })
})
