import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { randomUUID } from 'node:crypto'
import { Channel } from '#enums/channel'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { GatewayHealth } from '#messaging/routing/gateway_health'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'
import { CallbackReceiver } from '#tests/helpers/callback_receiver'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { registerEndpoint, tenantWebhookQueue } from '#tests/helpers/tenant_webhooks'
import { messageWithEvents, statusOf } from '#tests/helpers/sandbox'
import { createKey, createTenant } from '#tests/helpers/tenants'
import { tallySends } from '#tests/helpers/gateway_tally'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/** POST an email to `recipient` with these headers, asserting it was accepted. */
async function acceptedEmail(
  client: ApiClient,
  headers: Record<string, string>,
  recipient: string
) {
  const created = await client
    .post('/api/v1/messages')
    .headers(headers)
    .json({ channel: 'email', recipient, subject: 'Hi', content: { text: 'Hello' } })
  created.assertStatus(201)
  return { id: created.body().id as string, body: created.body() }
}

test.group('Test keys: the whole pipeline, no vendor call', (group) => {
  let postal: PostalFakeServer
  let receiver: CallbackReceiver
  let workers: WorkerProcess[]

  group.setup(async () => {
    await tenantWebhookQueue().obliterate({ force: true })
    postal = await startFakePostal()
    receiver = await new CallbackReceiver().start()
    workers = await Promise.all([WorkerProcess.start('P4'), WorkerProcess.startTenantWebhooks()])
    return async () => {
      await Promise.all(workers.map((worker) => worker.stop()))
      await receiver.stop()
      await postal.stop()
    }
  })

  test('a test key’s message is routed, sent, delivered and reported, and the vendor hears nothing', async ({
    client,
    assert,
  }) => {
    const tenant = await createPostalTenant(client, postal)
    const endpoint = await registerEndpoint(client, tenant.headers, {
      url: receiver.url,
      eventTypes: ['message.delivered'],
    })
    const { headers: testHeaders } = await createKey(tenant, { scopes: ['send'], kind: 'test' })
    const gatewayKey = `postal:${tenant.providerId}`

    const { id, body } = await acceptedEmail(client, testHeaders, 'ada@example.com')
    assert.isTrue(body.test)

    await waitUntil('the test message to be delivered', async () => {
      return (await statusOf(id)) === 'delivered'
    })
    const shown = await client.get(`/api/v1/messages/${id}`).headers(tenant.headers)
    assert.isTrue(shown.body().test)
    assert.equal(shown.body().gateway, gatewayKey)
    assert.match(shown.body().providerMessageId, /^test-/)
    const events: Array<{ type: string; details: { test?: boolean } }> = shown.body().events
    assert.deepEqual(
      events.map((event) => event.type),
      ['queued', 'sending', 'sent', 'delivered']
    )
    assert.isTrue(events.every((event) => event.details.test === true))

    const [callback] = await receiver.waitFor(
      (received) => JSON.parse(received.rawBody).data.messageId === id,
      1,
      10_000
    )
    assert.isTrue(
      verifyWebhookSignature({
        secret: endpoint.secret,
        signature: callback.headers['x-switchboard-signature'] as string,
        timestamp: callback.headers['x-switchboard-timestamp'] as string,
        rawBody: callback.rawBody,
      })
    )
    assert.containsSubset(JSON.parse(callback.rawBody), {
      type: 'message.delivered',
      data: { messageId: id, status: 'delivered', source: 'test', test: true },
    })

    assert.lengthOf(postal.received, 0)
    assert.deepEqual(tallySends(postal, [id]).missing, [id])
    const health = await app.container.make(GatewayHealth)
    const snapshot = await health.snapshot(gatewayKey)
    assert.equal(snapshot.successes + snapshot.failures, 0)
    assert.isNull(snapshot.lastSuccessAt)
  })

  test('a live key’s message of the same tenant is not a test, reaches the vendor and counts for its health', async ({
    client,
    assert,
  }) => {
    const tenant = await createPostalTenant(client, postal)
    const gatewayKey = `postal:${tenant.providerId}`

    const { id, body } = await acceptedEmail(client, tenant.headers, 'grace@example.com')
    assert.isFalse(body.test)

    await waitUntil('the live message to be sent', async () => {
      return (await statusOf(id)) === 'sent'
    })
    const { message, events } = await messageWithEvents(id)
    assert.isFalse(message.is_test)
    assert.isTrue(events.every((event) => !event.details?.test))
    assert.equal(tallySends(postal, [id]).mostSends, 1)
    const health = await app.container.make(GatewayHealth)
    await waitUntil('the send to be counted in the gateway’s health', async () => {
      const snapshot = await health.snapshot(gatewayKey)
      return snapshot.successes === 1
    })
  })
})

test.group('Test keys: the flag is part of the immutable log', () => {
  test('is_test cannot be changed after insert', async ({ client, assert }) => {
    const { tenant } = await createTenant()
    const testKey = await createKey(tenant, { scopes: ['send'], kind: 'test' })
    const { id } = await acceptedEmail(client, testKey.headers, 'ada@example.com')

    await assert.rejects(
      () => db.from('messages').where('id', id).update({ is_test: false }),
      /immutable: is_test/
    )
  })
})

test.group('Test keys: the delivery listener', () => {
  test('a live message:sent resolves nothing; only a test one reaches TestDeliveries', async ({
    assert,
  }) => {
    const { default: TestDeliveries } = await import('#messaging/tracking/test_deliveries')
    const resolved: string[] = []
    app.container.resolving(TestDeliveries, () => {
      resolved.push('TestDeliveries')
    })
    const sent = {
      messageId: randomUUID(),
      tenantId: randomUUID(),
      channel: Channel.Email,
      gateway: 'postal:x',
      providerMessageId: 'p-1',
      latencyMs: 1,
      occurredAt: new Date(),
    }

    await emitter.emit('message:sent', { ...sent, test: false })
    assert.deepEqual(resolved, [])
    await emitter.emit('message:sent', { ...sent, test: true })
    assert.deepEqual(resolved, ['TestDeliveries'])
  })
})
